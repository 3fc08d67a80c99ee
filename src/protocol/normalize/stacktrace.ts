// Stack traces, frames and threads. Frames stay in the order Sentry sends them (caller first, crashing
// frame last). Addresses become lower-case `0x` hex strings; line numbers must be non-negative
// integers; sentry-rust's fake "disabled backtrace" frame is removed; long traces keep both ends.
import { MAX_FRAMES, MAX_SHORT_STRING_CHARS } from "../../limits.ts";
import type { Frame, JsonObject, JsonValue, Stacktrace, Thread } from "../types.ts";
import { databagObject } from "./databag.ts";
import { asObject, isAbsent, put, readBoolean, readString, readUint, readValues } from "./fields.ts";
import type { Notes } from "./notes.ts";

const MAX_ADDRESS = 2n ** 64n;
const CANONICAL_ADDRESS = /^0x(?:0|[1-9a-f][0-9a-f]{0,15})$/;

/**
 * An address as Sentry writes it: `0x` + lower-case hex without leading zeros. Accepts `0x` hex
 * strings (any case), decimal strings and non-negative integers; undefined for anything else or for
 * values beyond 64 bits.
 */
export function normalizeAddress(value: unknown): string | undefined {
  let parsed: bigint;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) return undefined;
    parsed = BigInt(value);
  } else if (typeof value === "string") {
    const text = value.trim();
    // Already as Sentry writes it (what SDKs send): lower-case, no leading zero, at most 64 bits.
    if (CANONICAL_ADDRESS.test(text)) return text;
    if (/^0[xX][0-9a-fA-F]{1,32}$/.test(text)) parsed = BigInt(`0x${text.slice(2)}`);
    else if (/^[0-9]{1,20}$/.test(text)) parsed = BigInt(text);
    else return undefined;
  } else {
    return undefined;
  }
  return parsed < MAX_ADDRESS ? `0x${parsed.toString(16)}` : undefined;
}

/** An address field: absent stays absent, an unreadable one is dropped with a note. */
export function readAddress(value: unknown, notes: Notes, path: string): string | undefined {
  if (isAbsent(value)) return undefined;
  const address = normalizeAddress(value);
  if (address === undefined) notes.add("invalid_data", path, value);
  return address;
}

/** The frame sentry-rust 0.34–0.36 makes from the text of a disabled anyhow backtrace. */
export function isDisabledBacktraceFrame(frame: Frame): boolean {
  return frame.function === "disabled backtrace" && frame.instruction_addr === undefined;
}

const FRAME_STRINGS = [
  "function",
  "raw_function",
  "symbol",
  "module",
  "package",
  "filename",
  "abs_path",
  "platform",
  "context_line",
  "addr_mode",
  "trust",
  "symbolicator_status",
] as const;
const FRAME_ADDRESSES = ["instruction_addr", "symbol_addr", "image_addr", "function_id"] as const;
const FRAME_BOOLEANS = ["in_app", "stack_start", "adjust_instruction_addr"] as const;
const FRAME_BAGS = ["vars", "data", "lock"] as const;
const ADJUSTMENTS = new Set(["auto", "all", "all_but_first", "none"]);

/** One frame; undefined when the value is not an object. */
export function normalizeFrame(raw: unknown, notes: Notes, path: string): Frame | undefined {
  const object = asObject(raw);
  if (!object) {
    notes.add("invalid_data", path, raw);
    return undefined;
  }
  // Absent fields are skipped before their note path is built: a frame sends a few of these keys,
  // and a trace has many frames. Every reader answers undefined, with no note, for an absent value.
  const frame: Frame = {};
  for (const key of FRAME_STRINGS) {
    const value = object[key];
    if (!isAbsent(value)) put(frame, key, readString(value, MAX_SHORT_STRING_CHARS, notes, `${path}.${key}`));
  }
  if (!isAbsent(object.lineno)) put(frame, "lineno", readUint(object.lineno, notes, `${path}.lineno`));
  if (!isAbsent(object.colno)) put(frame, "colno", readUint(object.colno, notes, `${path}.colno`));
  for (const key of FRAME_ADDRESSES) {
    const value = object[key];
    if (!isAbsent(value)) put(frame, key, readAddress(value, notes, `${path}.${key}`));
  }
  for (const key of FRAME_BOOLEANS) {
    const value = object[key];
    if (!isAbsent(value)) put(frame, key, readBoolean(value, notes, `${path}.${key}`));
  }
  for (const key of FRAME_BAGS) {
    const value = object[key];
    if (!isAbsent(value)) put(frame, key, databagObject(value, notes, `${path}.${key}`));
  }
  if (!isAbsent(object.pre_context)) {
    put(frame, "pre_context", readContextLines(object.pre_context, notes, `${path}.pre_context`));
  }
  if (!isAbsent(object.post_context)) {
    put(frame, "post_context", readContextLines(object.post_context, notes, `${path}.post_context`));
  }
  return frame;
}

/** Source lines around a frame: a list of strings; `null` entries (unknown lines) become "". */
function readContextLines(value: unknown, notes: Notes, path: string): string[] | undefined {
  if (isAbsent(value)) return undefined;
  if (!Array.isArray(value)) {
    notes.add("invalid_data", path, value);
    return undefined;
  }
  return value.map((line, i) =>
    typeof line === "string" ? (readString(line, MAX_SHORT_STRING_CHARS, notes, `${path}.${i}`) ?? "") : "",
  );
}

/**
 * A stack trace with at least one frame, or undefined. More than MAX_FRAMES frames keep the first and
 * last halves (the outermost callers and the crash site), recording the cut in `frames_omitted`.
 */
export function normalizeStacktrace(raw: unknown, notes: Notes, path: string): Stacktrace | undefined {
  if (isAbsent(raw)) return undefined;
  const object = asObject(raw);
  if (!object) {
    notes.add("invalid_data", path, raw);
    return undefined;
  }
  const rawFrames = object.frames;
  if (!Array.isArray(rawFrames)) {
    if (!isAbsent(rawFrames)) notes.add("invalid_data", `${path}.frames`, rawFrames);
    return undefined;
  }
  let frames: Frame[] = [];
  rawFrames.forEach((rawFrame, i) => {
    const frame = normalizeFrame(rawFrame, notes, `${path}.frames.${i}`);
    if (!frame) return;
    if (isDisabledBacktraceFrame(frame)) {
      notes.add("invalid_data", `${path}.frames.${i}`, "disabled backtrace");
      return;
    }
    frames.push(frame);
  });
  if (frames.length === 0) return undefined;

  const stacktrace: Stacktrace = { frames };
  if (frames.length > MAX_FRAMES) {
    const head = Math.floor(MAX_FRAMES / 2);
    const tail = MAX_FRAMES - head;
    notes.add("too_many_values", `${path}.frames`, frames.length);
    stacktrace.frames_omitted = [head, frames.length - tail];
    frames = [...frames.slice(0, head), ...frames.slice(frames.length - tail)];
    stacktrace.frames = frames;
  } else {
    const omitted = readFramesOmitted(object.frames_omitted);
    if (omitted) stacktrace.frames_omitted = omitted;
  }
  put(stacktrace, "registers", readRegisters(object.registers, notes, `${path}.registers`));
  const adjustment = object.instruction_addr_adjustment;
  if (typeof adjustment === "string" && ADJUSTMENTS.has(adjustment)) {
    stacktrace.instruction_addr_adjustment = adjustment;
  } else if (!isAbsent(adjustment)) {
    notes.add("invalid_data", `${path}.instruction_addr_adjustment`, adjustment);
  }
  return stacktrace;
}

function readFramesOmitted(value: unknown): JsonValue | undefined {
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [start, end] = value;
  return typeof start === "number" && typeof end === "number" && Number.isSafeInteger(start)
    ? [start, end]
    : undefined;
}

/** CPU registers: names to addresses; unreadable values are dropped. */
function readRegisters(value: unknown, notes: Notes, path: string): JsonObject | undefined {
  if (isAbsent(value)) return undefined;
  const object = asObject(value);
  if (!object) {
    notes.add("invalid_data", path, value);
    return undefined;
  }
  const registers: JsonObject = {};
  for (const [name, raw] of Object.entries(object)) {
    if (name === "__proto__") continue;
    const address = readAddress(raw, notes, `${path}.${name}`);
    if (address !== undefined) registers[name.slice(0, MAX_SHORT_STRING_CHARS)] = address;
  }
  return registers;
}

/** `threads`: `{values: [...]}` or a list; each with an optional stack trace. */
export function normalizeThreads(raw: unknown, notes: Notes): { values: Thread[] } | undefined {
  const list = readValues(raw, notes, "threads", false);
  if (!list) return undefined;
  const values: Thread[] = [];
  list.forEach((rawThread, i) => {
    const thread = normalizeThread(rawThread, notes, `threads.values.${i}`);
    if (thread) values.push(thread);
  });
  return values.length > 0 ? { values } : undefined;
}

function normalizeThread(raw: unknown, notes: Notes, path: string): Thread | undefined {
  const object = asObject(raw);
  if (!object) {
    notes.add("invalid_data", path, raw);
    return undefined;
  }
  const thread: Thread = {};
  put(thread, "id", readThreadId(object.id, notes, `${path}.id`));
  put(thread, "name", readString(object.name, MAX_SHORT_STRING_CHARS, notes, `${path}.name`));
  put(thread, "crashed", readBoolean(object.crashed, notes, `${path}.crashed`));
  put(thread, "current", readBoolean(object.current, notes, `${path}.current`));
  put(thread, "main", readBoolean(object.main, notes, `${path}.main`));
  put(thread, "state", readString(object.state, MAX_SHORT_STRING_CHARS, notes, `${path}.state`));
  put(thread, "stacktrace", normalizeStacktrace(object.stacktrace, notes, `${path}.stacktrace`));
  put(thread, "raw_stacktrace", normalizeStacktrace(object.raw_stacktrace, notes, `${path}.raw_stacktrace`));
  return Object.keys(thread).length > 0 ? thread : undefined;
}

/** A thread id: a non-negative integer or a short string. */
export function readThreadId(value: unknown, notes: Notes, path: string): string | number | undefined {
  if (typeof value === "number") return readUint(value, notes, path);
  return readString(value, MAX_SHORT_STRING_CHARS, notes, path);
}
