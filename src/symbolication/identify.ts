// What an assembled upload is, read from its own headers (ranged reads; the file stays in R2): ELF or
// Mach-O through the symbolication core, or a source bundle. The server's debug id wins over the
// client's; a file we cannot identify becomes an `error` with a detail sentry-cli prints.
import { FaultlineError } from "../errors.ts";
import { MAX_BREAKPAD_SYM_BYTES } from "../limits.ts";
import { isBreakpadSym, readBreakpadHeader } from "./breakpad-sym.ts";
import type { ByteSource } from "./byte-source.ts";
import { NIL_DEBUG_ID, normalizeDebugId } from "./debug-id.ts";
import { identifyObjectsFrom } from "./object.ts";
import { isSourceBundle, readSourceBundle, SourceBundleError } from "./source-bundle.ts";
import type { ObjectInfo, ObjectKind } from "./types.ts";

export type SymbolType = "elf" | "macho" | "breakpad" | "sourcebundle";

/** What Faultline records about a debug file (Sentry's DifMeta). */
export interface DifMeta {
  debugId: string;
  codeId: string | null;
  /** The uploaded file's basename (what sentry-cli prints as the object name). */
  objectName: string;
  cpuName: string;
  symbolType: SymbolType;
  /** symbolic's short kind name: exe, lib, dbg, rel, src, dump, other, none. */
  kind: string;
  features: string[];
  contentType: string;
}

/** An upload that is not a usable debug file; `message` is the assemble `detail`. */
export class DifError extends Error {}

const KIND_NAMES: Record<ObjectKind, string> = {
  executable: "exe",
  library: "lib",
  debug: "dbg",
  relocatable: "rel",
  dump: "dump",
  other: "other",
  none: "none",
};

/** Sentry's `DIF_MIMETYPES`. */
export const CONTENT_TYPES: Record<SymbolType, string> = {
  elf: "application/x-elf-binary",
  macho: "application/x-mach-binary",
  breakpad: "text/x-breakpad",
  sourcebundle: "application/x-sentry-bundle+zip",
};

export const basename = (name: string): string => name.split(/[\\/]/).filter(Boolean).pop() ?? name;

/**
 * The server's debug id, except that a client id naming the same GUID may add an age/appendix
 * (Sentry's DifMeta.from_object: only the age may come from the client).
 */
export function chooseDebugId(serverId: string, clientId: string | null): string {
  const client = clientId === null ? undefined : normalizeDebugId(clientId);
  if (client && client.length > 36 && client.slice(0, 36) === serverId.slice(0, 36)) return client;
  return serverId;
}

function fromObject(info: ObjectInfo, name: string, clientDebugId: string | null): DifMeta {
  if (info.debugId === NIL_DEBUG_ID) {
    throw new DifError("Invalid debug information file: missing debug identifier, likely stripped");
  }
  if (info.features.length === 0) {
    throw new DifError("Invalid debug information file: no symbols, debug information or unwind information");
  }
  return {
    debugId: chooseDebugId(info.debugId, clientDebugId),
    codeId: info.codeId ?? null,
    objectName: basename(name),
    cpuName: info.arch,
    symbolType: info.format,
    kind: KIND_NAMES[info.kind],
    features: [...info.features],
    contentType: CONTENT_TYPES[info.format],
  };
}

async function fromSourceBundle(
  source: ByteSource,
  name: string,
  clientDebugId: string | null,
): Promise<DifMeta> {
  let bundle: Awaited<ReturnType<typeof readSourceBundle>>;
  try {
    bundle = await readSourceBundle(source);
  } catch (error) {
    if (error instanceof SourceBundleError) throw new DifError(`Invalid source bundle: ${error.message}`);
    throw error;
  }
  if (!bundle.debugId || bundle.debugId === NIL_DEBUG_ID) {
    throw new DifError("Invalid source bundle: its manifest names no debug_id");
  }
  return {
    debugId: chooseDebugId(bundle.debugId, clientDebugId),
    codeId: bundle.codeId,
    objectName: basename(name),
    cpuName: bundle.arch ?? "unknown",
    symbolType: "sourcebundle",
    kind: "src",
    features: ["sources"],
    contentType: CONTENT_TYPES.sourcebundle,
  };
}

async function fromBreakpad(
  source: ByteSource,
  name: string,
  clientDebugId: string | null,
): Promise<DifMeta> {
  // The whole text (bounded by MAX_BREAKPAD_SYM_BYTES): its record kinds are its features.
  const text = new TextDecoder().decode(await source.read(0, source.size));
  let header: ReturnType<typeof readBreakpadHeader>;
  try {
    header = readBreakpadHeader(text);
  } catch (error) {
    if (error instanceof FaultlineError) throw new DifError(`Invalid Breakpad symbol file: ${error.detail}`);
    throw error;
  }
  const features = [
    ...(header.hasPublics ? ["symtab"] : []),
    ...(header.hasFunctions ? ["debug"] : []),
    ...(header.hasCfi ? ["unwind"] : []),
  ];
  if (features.length === 0) {
    throw new DifError("Invalid debug information file: no symbols, debug information or unwind information");
  }
  return {
    debugId: chooseDebugId(header.debugId, clientDebugId),
    codeId: header.codeId ?? null,
    objectName: basename(name),
    cpuName: header.arch,
    symbolType: "breakpad",
    kind: "dbg",
    features,
    contentType: CONTENT_TYPES.breakpad,
  };
}

/** Identifies the debug file in `source`, or throws DifError with the reason. */
export async function identifyDebugFile(
  source: ByteSource,
  name: string,
  clientDebugId: string | null,
): Promise<DifMeta> {
  if (source.size >= 8 && isSourceBundle(await source.read(0, 4))) {
    return fromSourceBundle(source, name, clientDebugId);
  }
  if (source.size >= 8 && isBreakpadSym(await source.read(0, 7))) {
    if (source.size > MAX_BREAKPAD_SYM_BYTES) {
      throw new DifError(
        `Breakpad symbol file of ${source.size} bytes is over the limit of ${MAX_BREAKPAD_SYM_BYTES}`,
      );
    }
    return fromBreakpad(source, name, clientDebugId);
  }
  let objects: ObjectInfo[];
  try {
    objects = await identifyObjectsFrom(source);
  } catch (error) {
    if (error instanceof FaultlineError && error.status < 500) {
      throw new DifError(`Unsupported debug information file: ${error.detail}`);
    }
    throw error;
  }
  const [only] = objects;
  if (!only || objects.length !== 1) {
    throw new DifError(`Object contains ${objects.length} architectures (1 expected)`);
  }
  return fromObject(only, name, clientDebugId);
}
