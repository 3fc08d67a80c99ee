// Native frame symbolication, pure: match each frame to its debug image, apply Sentry's caller
// adjustment, resolve the address with that image's lookup and expand inline chains into frames.
// The caller supplies `findLookup` (R2/D1 access lives outside the protocol core).

import { FaultlineError } from "../errors.ts";
import type { DebugImage, Frame, NormalizedEvent, Stacktrace } from "../protocol/types.ts";
import { NIL_DEBUG_ID, normalizeDebugId } from "./debug-id.ts";
import { applyInAppRules, isInApp } from "./in-app.ts";
import type { Lookup } from "./lookup-query.ts";
import type { SymbolicatedLocation } from "./types.ts";

export type SymbolicatorStatus =
  | "symbolicated"
  | "missing_symbol"
  | "missing"
  | "unknown_image"
  | "malformed";

/** Returns the lookup for an image's debug file, or undefined when none was uploaded. */
export type FindLookup = (image: DebugImage) => Lookup | undefined | Promise<Lookup | undefined>;

const NATIVE_IMAGE_TYPES = new Set(["elf", "macho", "symbolic", "pe", "wasm", "apple"]);

interface ImageRange {
  image: DebugImage;
  start: bigint;
  end: bigint;
}

function parseAddress(value: unknown): bigint | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (!/^(0x[0-9a-fA-F]{1,16}|[0-9]{1,20})$/.test(text)) return undefined;
  const parsed = BigInt(text);
  return parsed < 2n ** 64n ? parsed : undefined;
}

const hex = (value: bigint) => `0x${value.toString(16)}`;

/** Native images sorted by address; a missing or zero size runs up to the next image (as Symbolicator does). */
export function imageRanges(images: DebugImage[]): ImageRange[] {
  const ranges: ImageRange[] = [];
  for (const image of images) {
    if (!NATIVE_IMAGE_TYPES.has(image.type)) continue;
    const start = parseAddress(image.image_addr);
    if (start === undefined) continue;
    const size =
      typeof image.image_size === "number" && image.image_size > 0
        ? BigInt(Math.floor(image.image_size))
        : 0n;
    ranges.push({ image, start, end: start + size });
  }
  ranges.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i];
    if (range && range.end === range.start) range.end = ranges[i + 1]?.start ?? 2n ** 64n;
  }
  return ranges;
}

function findImage(ranges: ImageRange[], address: bigint): ImageRange | undefined {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const range = ranges[mid];
    if (!range) break;
    if (address < range.start) hi = mid - 1;
    else if (address >= range.end) lo = mid + 1;
    else return range;
  }
  return undefined;
}

/** Instruction alignment and how far back the calling instruction starts, per CPU family. */
function instructionStep(arch: string): { alignment: bigint; back: bigint } {
  if (arch.startsWith("arm64")) return { alignment: 4n, back: 4n };
  if (arch.startsWith("arm")) return { alignment: 2n, back: 2n };
  if (arch === "ppc64") return { alignment: 8n, back: 8n };
  if (arch === "ppc") return { alignment: 4n, back: 4n };
  if (arch.startsWith("mips")) return { alignment: 4n, back: 8n };
  if (arch === "wasm32") return { alignment: 4n, back: 4n };
  return { alignment: 1n, back: 1n }; // x86, x86_64, unknown
}

/**
 * The address to look up: callers (return addresses) step back into the call instruction; the
 * crashing frame is only aligned (symbolic's `InstructionInfo::caller_address`).
 */
export function lookupAddress(address: bigint, arch: string, adjust: boolean): bigint {
  const { alignment, back } = instructionStep(arch);
  const aligned = address - (address % alignment);
  return adjust && aligned >= back ? aligned - back : aligned;
}

/** Whether a frame gets the caller adjustment. Sentry's frames are caller-first: the crashing frame is last. */
function shouldAdjust(stacktrace: Stacktrace, frame: Frame, index: number, count: number): boolean {
  const explicit = frame.adjust_instruction_addr;
  if (typeof explicit === "boolean") return explicit;
  const mode = stacktrace.instruction_addr_adjustment ?? "auto";
  if (mode === "none") return false;
  if (mode === "all") return true;
  return index !== count - 1; // "auto" and "all_but_first"
}

/**
 * The identifiers to find an image's debug file by: `debug_id` (or sentry-rust's legacy `id`),
 * normalized; `code_id` lowercased; `code_file` (or legacy `name`). Candidates are looked up by debug
 * id first, code id only when there is no debug id (Symbolicator's order).
 */
export function imageIdentity(image: DebugImage): { debugId?: string; codeId?: string; codeFile?: string } {
  const identity: { debugId?: string; codeId?: string; codeFile?: string } = {};
  const rawDebugId =
    typeof image.debug_id === "string" ? image.debug_id : typeof image.id === "string" ? image.id : undefined;
  const debugId = rawDebugId ? normalizeDebugId(rawDebugId) : undefined;
  if (debugId && debugId !== NIL_DEBUG_ID) identity.debugId = debugId;
  if (typeof image.code_id === "string" && /^[0-9a-fA-F]+$/.test(image.code_id))
    identity.codeId = image.code_id.toLowerCase();
  const codeFile = packageOf(image);
  if (codeFile) identity.codeFile = codeFile;
  return identity;
}

function packageOf(image: DebugImage): string | undefined {
  const name = image.code_file ?? (typeof image.name === "string" ? image.name : undefined);
  return name || undefined;
}

function expandFrame(
  raw: Frame,
  image: ImageRange,
  address: bigint,
  levels: SymbolicatedLocation[],
): Frame[] {
  const pkg = packageOf(image.image);
  return levels.map((level) => {
    const frame: Frame = { instruction_addr: hex(address) };
    if (raw.platform) frame.platform = raw.platform;
    // How a stack walker found the frame (minidumps) stays with every level of it.
    if (raw.trust !== undefined) frame.trust = raw.trust;
    if (level.function !== undefined) frame.function = level.function;
    if (level.rawFunction !== undefined) {
      frame.raw_function = level.rawFunction;
      frame.symbol = level.rawFunction;
    }
    if (level.filename !== undefined) frame.filename = level.filename;
    if (level.absPath !== undefined) frame.abs_path = level.absPath;
    if (level.lineno !== undefined) frame.lineno = level.lineno;
    if (level.symbolAddr !== undefined && !level.inlined)
      frame.symbol_addr = hex(image.start + BigInt(level.symbolAddr));
    if (pkg) frame.package = pkg;
    frame.in_app = isInApp(level.function, pkg);
    frame.symbolicator_status = "symbolicated";
    return frame;
  });
}

function withStatus(raw: Frame, status: SymbolicatorStatus, image?: ImageRange): Frame {
  const frame: Frame = { ...raw, symbolicator_status: status };
  const pkg = image ? packageOf(image.image) : undefined;
  if (pkg && frame.package === undefined) frame.package = pkg;
  return frame;
}

export interface SymbolicatedStacktrace {
  /** The stack trace with symbolicated frames (inline levels expanded), still caller-first. */
  stacktrace: Stacktrace;
  /** The frames as they came in, for `raw_stacktrace`. */
  raw: Stacktrace;
  /** True when at least one frame was symbolicated. */
  changed: boolean;
}

export async function symbolicateStacktrace(
  stacktrace: Stacktrace,
  images: DebugImage[],
  findLookup: FindLookup,
): Promise<SymbolicatedStacktrace> {
  const ranges = imageRanges(images);
  const lookups = new Map<DebugImage, Promise<Lookup | undefined>>();
  const lookupFor = (image: DebugImage) => {
    let lookup = lookups.get(image);
    if (!lookup) {
      lookup = Promise.resolve(findLookup(image));
      lookups.set(image, lookup);
    }
    return lookup;
  };
  const frames: Frame[] = [];
  let changed = false;
  const count = stacktrace.frames.length;
  for (let index = 0; index < count; index++) {
    const raw = stacktrace.frames[index];
    if (!raw) continue;
    const address = parseAddress(raw.instruction_addr);
    if (address === undefined || raw.symbolicator_status !== undefined) {
      frames.push(raw);
      continue;
    }
    const relMatch = typeof raw.addr_mode === "string" ? /^rel:(\d+)$/.exec(raw.addr_mode) : null;
    let image: ImageRange | undefined;
    let absolute = address;
    if (relMatch) {
      const target = images[Number(relMatch[1])];
      image = ranges.find((r) => r.image === target);
      if (image) absolute = image.start + address;
    } else {
      image = findImage(ranges, address);
    }
    if (!image) {
      frames.push(withStatus(raw, "unknown_image"));
      continue;
    }
    let lookup: Lookup | undefined;
    try {
      lookup = await lookupFor(image.image);
    } catch (error) {
      if (!(error instanceof FaultlineError)) throw error;
      frames.push(withStatus(raw, "malformed", image));
      continue;
    }
    if (!lookup) {
      frames.push(withStatus(raw, "missing", image));
      continue;
    }
    const arch =
      typeof image.image.arch === "string" && image.image.arch ? image.image.arch : lookup.meta.arch;
    const adjusted = lookupAddress(absolute, arch, shouldAdjust(stacktrace, raw, index, count));
    let levels: SymbolicatedLocation[];
    try {
      levels = await lookup.lookup(adjusted - image.start);
    } catch (error) {
      if (!(error instanceof FaultlineError)) throw error;
      frames.push(withStatus(raw, "malformed", image));
      continue;
    }
    if (levels.length === 0) {
      frames.push(withStatus(raw, "missing_symbol", image));
      continue;
    }
    frames.push(...expandFrame(raw, image, adjusted, levels));
    changed = true;
  }
  const out: Stacktrace = { ...stacktrace, frames };
  return {
    stacktrace: out,
    raw: { ...stacktrace, frames: stacktrace.frames.map((f) => ({ ...f })) },
    changed,
  };
}

/**
 * Symbolicates every stack trace of an event (exceptions, threads, top-level) against its
 * `debug_meta.images`, keeping the originals in `raw_stacktrace`. Returns a new event.
 */
export async function symbolicateEvent(
  event: NormalizedEvent,
  findLookup: FindLookup,
): Promise<NormalizedEvent> {
  const images = event.debug_meta?.images ?? [];
  if (images.length === 0) return event;
  const result: NormalizedEvent = { ...event };
  if (event.exception) {
    const values = [];
    for (const value of event.exception.values) {
      if (!value.stacktrace) {
        values.push(value);
        continue;
      }
      const done = await symbolicateStacktrace(value.stacktrace, images, findLookup);
      values.push(
        done.changed
          ? { ...value, stacktrace: done.stacktrace, raw_stacktrace: done.raw }
          : { ...value, stacktrace: done.stacktrace },
      );
    }
    result.exception = { ...event.exception, values };
  }
  if (event.threads) {
    const values = [];
    for (const thread of event.threads.values) {
      if (!thread.stacktrace) {
        values.push(thread);
        continue;
      }
      const done = await symbolicateStacktrace(thread.stacktrace, images, findLookup);
      values.push(
        done.changed
          ? { ...thread, stacktrace: done.stacktrace, raw_stacktrace: done.raw }
          : { ...thread, stacktrace: done.stacktrace },
      );
    }
    result.threads = { ...event.threads, values };
  }
  if (event.stacktrace)
    result.stacktrace = (await symbolicateStacktrace(event.stacktrace, images, findLookup)).stacktrace;
  // Frames that kept the SDK's names now know their image (`package`): system libraries lose in-app.
  return applyInAppRules(result);
}
