// Entry point for "what is this debug file?": ELF or Mach-O (thin or fat), its debug id, code id,
// architecture, kind and features. Anything else is refused with a 400 the upload path can show.
import type { ByteSource } from "./byte-source.ts";
import { isElf } from "./elf.ts";
import { identifyElf } from "./elf-identify.ts";
import { malformedFile, unsupportedFile } from "./errors.ts";
import { machIdentity, machKind, readFatMembers, readMachLayout } from "./macho.ts";
import { type ReadPlan, runPlan, runPlanSync } from "./read-plan.ts";
import type { ObjectInfo } from "./types.ts";

export type { ObjectInfo } from "./types.ts";

function* identifyPlan(fileSize: number): ReadPlan<ObjectInfo[]> {
  if (fileSize < 8) throw unsupportedFile(`file is too small (${fileSize} bytes)`);
  const prefix = yield { offset: 0, length: Math.min(fileSize, 16), what: "file header" };
  if (isElf(prefix)) return [yield* identifyElf(fileSize)];
  const mach = machKind(prefix);
  if (mach === "thin") return [machIdentity(yield* readMachLayout(0, fileSize))];
  if (mach === "fat") {
    const members = yield* readFatMembers(fileSize);
    const objects: ObjectInfo[] = [];
    for (const member of members) {
      const memberPrefix = yield { offset: member.offset, length: 8, what: "fat member header" };
      if (machKind(memberPrefix) !== "thin") throw malformedFile("fat member is not a Mach-O object");
      objects.push(machIdentity(yield* readMachLayout(member.offset, member.size)));
    }
    return objects;
  }
  throw unsupportedFile(describeMagic(prefix));
}

function describeMagic(prefix: Uint8Array): string {
  if (prefix[0] === 0x4d && prefix[1] === 0x5a) return "PE/COFF files are not supported";
  if (prefix[0] === 0x50 && prefix[1] === 0x4b) return "ZIP archives are not supported";
  if (prefix[0] === 0x00 && prefix[1] === 0x61 && prefix[2] === 0x73 && prefix[3] === 0x6d) {
    return "WebAssembly files are not supported";
  }
  const hex = Array.from(prefix.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join("");
  return `unknown file magic 0x${hex}`;
}

/** Turns DataView range errors from truncated structures into the same 400 as other malformations. */
function rethrowMalformed(error: unknown): never {
  if (error instanceof RangeError) throw malformedFile("a structure is truncated");
  throw error;
}

/** Every object in the file: one for ELF and thin Mach-O, one per architecture for fat Mach-O. */
export function identifyObjects(bytes: Uint8Array): ObjectInfo[] {
  try {
    return runPlanSync(identifyPlan(bytes.byteLength), bytes);
  } catch (error) {
    rethrowMalformed(error);
  }
}

/**
 * The single object in the file. A fat Mach-O with several architectures is refused with Sentry's
 * wording; use identifyObjects for those.
 */
export function identifyObject(bytes: Uint8Array): ObjectInfo {
  return single(identifyObjects(bytes));
}

/** identifyObjects over ranged reads (R2): reads only headers, load commands/section tables and notes. */
export async function identifyObjectsFrom(source: ByteSource): Promise<ObjectInfo[]> {
  try {
    return await runPlan(identifyPlan(source.size), source);
  } catch (error) {
    rethrowMalformed(error);
  }
}

function single(objects: ObjectInfo[]): ObjectInfo {
  const [first] = objects;
  if (!first || objects.length !== 1) {
    throw malformedFile(`Object contains ${objects.length} architectures (1 expected)`);
  }
  return first;
}

/** symbolic's short kind names, used by Sentry as the debug file's `data.type`. */
const KIND_CODES: Record<ObjectInfo["kind"], string> = {
  none: "none",
  relocatable: "rel",
  executable: "exe",
  library: "lib",
  dump: "dump",
  debug: "dbg",
  other: "other",
};

/**
 * The parts of Sentry's `dif` JSON (assemble answer and debug-file list item) that come from the
 * file itself: `symbolType`, `cpuName`, `headers`, `data` (protocol-api §2.3).
 */
export function difDescription(info: ObjectInfo): {
  symbolType: "elf" | "macho";
  cpuName: string;
  headers: { "Content-Type": string };
  data: { type: string; features: string[] };
} {
  return {
    symbolType: info.format,
    cpuName: info.arch,
    headers: {
      "Content-Type": info.format === "elf" ? "application/x-elf-binary" : "application/x-mach-binary",
    },
    data: { type: KIND_CODES[info.kind], features: [...info.features] },
  };
}
