// Frame components: what one stack frame contributes to a grouping hash. Only values that are the
// same for every occurrence of the same code path are used (function, module, file basename); line
// numbers, columns and addresses never contribute, so a rebuild that shifts lines or a different
// load address keeps the group.

import { type PlatformFamily, platformFamily } from "../protocol/platform.ts";
import type { Frame, NormalizedEvent, Stacktrace } from "../protocol/types.ts";

export { type PlatformFamily, platformFamily };

/** Function names that say nothing about the code (unsymbolicated, anonymous, placeholders). */
const MEANINGLESS_FUNCTIONS = new Set([
  "",
  "?",
  "<unknown>",
  "<redacted>",
  "<anonymous>",
  "<anonymous function>",
  "anonymous function",
  "anonymous",
  "[native code]",
  // sentry-rust 0.34–0.36 parse the text of a disabled backtrace into this one bogus frame.
  "disabled backtrace",
]);

const MEANINGLESS_FILENAMES = new Set(["", "<anonymous>", "[native code]", "native", "<unknown>", "unknown"]);

const RUST_HASH = /::h[0-9a-f]{16}$/;
const ADDRESS_ONLY = /^0x[0-9a-fA-F]+$|^(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}$/;
const ADDRESS_OFFSET = /\s*\+\s*(?:0x[0-9a-fA-F]+|\d+)$/;
const HASH_RUN = /(?<![0-9a-z])[0-9a-f]{8,}(?![0-9a-z])/g;

const OPENERS: Record<string, string> = { "(": ")", "<": ">", "[": "]", "{": "}" };

/**
 * Calls `replace(inner, start)` for every top-level `open … close` span (balanced, nested spans are
 * part of `inner`) and splices in what it returns. Unbalanced input is kept as it is.
 */
function replaceTopLevel(
  text: string,
  open: string,
  close: string,
  replace: (inner: string, start: number) => string,
): string {
  if (!text.includes(open)) return text;
  let out = "";
  let depth = 0;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === open) {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === close && depth > 0) {
      depth--;
      if (depth === 0) out += replace(text.slice(start + 1, i), start);
    } else if (depth === 0) {
      out += ch;
    }
  }
  return depth === 0 ? out : text;
}

/** Splits on whitespace outside of any bracket pair. */
function splitTopLevelTokens(text: string): string[] {
  const tokens: string[] = [];
  const stack: string[] = [];
  let current = "";
  for (const ch of text) {
    const closer = OPENERS[ch];
    if (closer) stack.push(closer);
    else if (stack.length > 0 && ch === stack[stack.length - 1]) stack.pop();
    if (stack.length === 0 && /\s/.test(ch)) {
      if (current) tokens.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  if (current) tokens.push(current);
  return tokens;
}

// Characters that stand in for operator names whose brackets would confuse the balancing.
const PROTECT: [string, string][] = [
  ["operator<<", "operator\u27e8\u27e8"],
  ["operator<", "operator\u27e8"],
  ["operator()", "operator\u25ef"],
  ["operator->", "operator\u27ff"],
  [" -> ", " \u27ff "],
  ["`anonymous namespace'", "\u3014anonymousnamespace\u3015"],
];

/**
 * Reduces a demangled native (C, C++, Rust, Swift) function name to the part that identifies the
 * function: no return type, argument list, `const`/`&` trailers, clone suffixes, Rust hash or
 * symbol version; generic arguments become `<T>`, and Rust's `<A as Trait>::f` becomes `A::f`
 * (`Trait::f` for blanket impls). Lambdas and closures lose their compiler-specific numbering.
 */
export function trimNativeFunctionName(name: string): string {
  // A plain path (`crate::module::function`, optionally hashed) has nothing else to trim.
  if (PLAIN_NATIVE_NAME.test(name) && !name.includes("lambda_")) return name.replace(RUST_HASH, "");
  const known = trimmedNames.get(name);
  if (known !== undefined) return known;
  const trimmed = trimNativeFunctionNameUncached(name);
  // Grouping, culprits and titles ask for the same frames' names many times per event and across
  // events; the bound keeps a flood of distinct names from growing the isolate's memory.
  if (trimmedNames.size >= TRIMMED_NAMES_CAP) trimmedNames.clear();
  trimmedNames.set(name, trimmed);
  return trimmed;
}

const PLAIN_NATIVE_NAME = /^[A-Za-z_][A-Za-z0-9_:]*$/;
const TRIMMED_NAMES_CAP = 20_000;
const trimmedNames = new Map<string, string>();

/** trimNativeFunctionName without its cache and fast path (exported for the tests that compare them). */
export function trimNativeFunctionNameUncached(name: string): string {
  let fn = name.trim();
  if (fn.startsWith("[") || fn.startsWith("+[") || fn.startsWith("-[")) return fn; // Objective-C
  fn = fn.replace(/\s*\[clone [^\]]*\]/g, "");
  for (;;) {
    const next = fn.replace(/(?:\s+const|\s*&)$/, "");
    if (next === fn) break;
    fn = next;
  }
  for (const [from, to] of PROTECT) fn = fn.split(from).join(to);
  fn = fn
    .replace(/\{lambda\([^)]*\)#\d+\}/g, "{lambda}")
    .replace(/\blambda_[0-9a-f]{32}\b/g, "lambda")
    .replace(/\$_\d+\b/g, "lambda")
    .replace(/\{(closure|shim:[\w]+|constant|constructor)#\d+\}/g, "{$1}");
  fn = replaceTopLevel(fn, "(", ")", (inner) => {
    const value = inner.trim();
    return value === "anonymous namespace" || value === "operator" ? `(${value})` : "";
  });
  const generics = (inner: string, start: number): string => {
    if (inner === "lambda") return "<lambda>";
    if (start > 0) return "<T>";
    // A leading `<…>` is Rust's qualified path: `<Type as Trait>` or `<impl Type>`.
    const value = replaceTopLevel(inner.replace(/^[A-Z] as /, "").replace(/^impl /, ""), "<", ">", generics);
    return value.split(" as ")[0]!;
  };
  fn = replaceTopLevel(fn, "<", ">", generics);
  const tokens = splitTopLevelTokens(fn);
  const arrow = tokens.lastIndexOf("\u27ff");
  let token = arrow > 0 ? tokens[arrow - 1] : tokens[tokens.length - 1];
  if (token === "throws" && arrow > 1) token = tokens[arrow - 2];
  if (!token) return name.trim();
  fn = token;
  for (const [from, to] of PROTECT) fn = fn.split(to).join(from.trim());
  return fn
    .replace(RUST_HASH, "")
    .replace(/@@?GLIBC_[0-9.]+$/, "")
    .replace(/^@?(.*?)@\d+$/, "$1");
}

/**
 * The function name a frame groups by, or undefined when the frame has none worth using
 * (unsymbolicated `<unknown>`, anonymous functions, bare addresses).
 */
export function groupingFunctionName(frame: Frame, family: PlatformFamily): string | undefined {
  let fn = (frame.function ?? frame.raw_function ?? "").trim();
  if (MEANINGLESS_FUNCTIONS.has(fn.toLowerCase())) return undefined;
  fn = fn.replace(ADDRESS_OFFSET, "");
  if (ADDRESS_ONLY.test(fn)) return undefined;
  if (family === "native") {
    fn = trimNativeFunctionName(fn);
  } else if (family === "javascript") {
    // `Object.loadOrder`, `async loadOrder` and `new Order` name the same code in different engines.
    fn = fn.replace(/^(?:async|new)\s+/, "");
    fn = fn.slice(fn.lastIndexOf(".") + 1);
    if (fn.endsWith("/<")) return undefined;
  }
  fn = fn.replace(RUST_HASH, "");
  return MEANINGLESS_FUNCTIONS.has(fn.toLowerCase()) ? undefined : fn;
}

/** The function name as shown in titles, culprits and metadata. */
export function displayFunctionName(frame: Frame, family: PlatformFamily): string | undefined {
  const fn = frame.function ?? frame.raw_function;
  if (!fn || MEANINGLESS_FUNCTIONS.has(fn.trim().toLowerCase())) return undefined;
  return family === "native" ? trimNativeFunctionName(fn) : fn.replace(RUST_HASH, "");
}

function stripHashes(text: string): string {
  return text.replace(HASH_RUN, (run) => (/\d/.test(run) ? "<hash>" : run));
}

function isUrl(path: string | undefined): boolean {
  return path !== undefined && /^(?:https?|blob|webpack|chrome-extension|moz-extension):/i.test(path);
}

function groupingModule(frame: Frame, family: PlatformFamily): string | undefined {
  const module = frame.module?.trim();
  if (!module) return undefined;
  // Browser SDKs sometimes derive the module from the path; then it is not a module at all.
  if (family === "javascript" && module.includes("/") && frame.abs_path?.endsWith(module)) return undefined;
  return stripHashes(module);
}

function groupingFilename(frame: Frame): string | undefined {
  const path = frame.filename ?? frame.abs_path;
  if (!path || isUrl(path) || isUrl(frame.abs_path)) return undefined;
  let base = path.split(/[/\\]/).pop() ?? "";
  base = base
    .replace(/[?#].*$/, "")
    .replace(/(?::\d+){1,2}$/, "")
    .trim()
    .toLowerCase();
  if (MEANINGLESS_FILENAMES.has(base)) return undefined;
  return stripHashes(base);
}

/**
 * What one frame contributes: its function (with the module when there is one), else its module,
 * else its file's basename. Empty when the frame has none of them; addresses never contribute.
 */
export function frameValues(frame: Frame, eventPlatform: string): string[] {
  const family = platformFamily(frame.platform ?? eventPlatform);
  const fn = groupingFunctionName(frame, family);
  const module = groupingModule(frame, family);
  if (fn !== undefined)
    return module !== undefined ? [`module:${module}`, `function:${fn}`] : [`function:${fn}`];
  if (module !== undefined) return [`module:${module}`];
  const filename = groupingFilename(frame);
  return filename !== undefined ? [`filename:${filename}`] : [];
}

// Native frames that are error-reporting machinery rather than the program: from the first of these
// (counting from the caller side) to the crashing end, nothing groups or names the issue — that
// includes whatever the machinery called, such as the application's own panic hook. This keeps the
// hash the same whichever SDK version trims (or does not trim) its panic and backtrace-capture frames.
const MACHINERY_PREFIXES = [
  "core::panicking::",
  "std::panicking::begin_panic",
  "std::panicking::rust_panic",
  "std::panicking::panic_with_hook",
  "std::panicking::panic_handler",
  "std::panicking::default_hook",
  "std::panic::panic_any",
  "rust_begin_unwind",
  "__rustc::rust_begin_unwind",
  "std::backtrace::Backtrace::",
  "std::backtrace_rs::",
  "backtrace::backtrace::",
  "backtrace::capture::",
  "sentry_backtrace::",
  "sentry_panic::",
  "failure::backtrace::Backtrace::new",
  "error_chain::make_backtrace",
];
const NEVER_GROUP_PREFIXES = ["google_breakpad::"];

function isNativeFrame(frame: Frame, eventPlatform: string): boolean {
  return platformFamily(frame.platform ?? eventPlatform) === "native";
}

// Every machinery prefix holds one of these words, and trimming a name never adds letters: a name
// without them is not machinery, whatever its trimmed form (most frames, answered without trimming).
const MACHINERY_WORDS = /panic|backtrace|unwind|error_chain/;

function isMachinery(fn: string): boolean {
  if (!MACHINERY_WORDS.test(fn)) return false;
  // Matched as sent and as shown: `<std::backtrace::Backtrace>::capture` is `std::backtrace::Backtrace::capture`.
  const names = [fn, trimNativeFunctionName(fn)];
  return names.some((name) => MACHINERY_PREFIXES.some((prefix) => name.startsWith(prefix)));
}

function machineryStart(frames: Frame[], eventPlatform: string): number {
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i]!;
    if (!isNativeFrame(frame, eventPlatform)) continue;
    const fn = frame.function;
    if (fn && isMachinery(fn)) return i;
  }
  return frames.length;
}

/**
 * Where the frames of the code that raised end (exclusive): before the panic or backtrace machinery,
 * and before anyhow's own frames that build the error (`Context::context`, `ext_context`,
 * `Error::construct`, …) when only library frames lie between them and the application's code. So a
 * different anyhow version's internals neither split the issue nor become its culprit.
 */
export function raisingFramesEnd(frames: Frame[], eventPlatform: string): number {
  let end = machineryStart(frames, eventPlatform);
  for (let i = end - 1; i >= 0; i--) {
    const frame = frames[i]!;
    if (isNativeFrame(frame, eventPlatform) && frame.function?.includes("anyhow::")) {
      end = i;
      continue;
    }
    if (frame.in_app === true) break;
  }
  return end;
}

const RECURSION_FIELDS = [
  "abs_path",
  "package",
  "module",
  "filename",
  "function",
  "lineno",
  "colno",
] as const;

function isRecursion(frame: Frame, previous: Frame | undefined): boolean {
  return previous !== undefined && RECURSION_FIELDS.every((field) => frame[field] === previous[field]);
}

export type StacktraceMode = "app" | "system";

/**
 * The values a stack trace contributes: in `app` mode only frames marked `in_app: true` (frames
 * with `in_app` unset are not the application's), in `system` mode every frame. Directly
 * recursive frames count once. Each contributing frame starts with a `frame` marker.
 */
export function stacktraceValues(
  stacktrace: Stacktrace | undefined,
  eventPlatform: string,
  mode: StacktraceMode,
): string[] {
  const frames = stacktrace?.frames ?? [];
  const end = raisingFramesEnd(frames, eventPlatform);
  const out: string[] = [];
  let previous: Frame | undefined;
  for (let i = 0; i < end; i++) {
    const frame = frames[i]!;
    const recursive = isRecursion(frame, previous);
    previous = frame;
    if (recursive) continue;
    if (mode === "app" && frame.in_app !== true) continue;
    const fn = frame.function;
    if (fn && NEVER_GROUP_PREFIXES.some((prefix) => fn.startsWith(prefix))) continue;
    const values = frameValues(frame, eventPlatform);
    if (values.length > 0) out.push("frame", ...values);
  }
  return out;
}

export function hasInAppFrame(stacktraces: (Stacktrace | undefined)[]): boolean {
  return stacktraces.some((st) => st?.frames.some((frame) => frame.in_app === true) ?? false);
}

/**
 * The stack trace the event is "about" when it has no exception: the crashed thread's, else the
 * current thread's, else the only thread's, else the legacy top-level `stacktrace`.
 */
export function threadStacktrace(event: NormalizedEvent): Stacktrace | undefined {
  const threads = (event.threads?.values ?? []).filter(
    (thread) => (thread.stacktrace?.frames.length ?? 0) > 0,
  );
  const thread =
    threads.find((t) => t.crashed === true) ??
    threads.find((t) => t.current === true) ??
    (threads.length === 1 ? threads[0] : undefined);
  return thread?.stacktrace ?? (event.stacktrace?.frames.length ? event.stacktrace : undefined);
}

/** The stack trace that describes where the event happened (last exception's, else a thread's). */
export function primaryStacktrace(event: NormalizedEvent): Stacktrace | undefined {
  const exceptions = event.exception?.values ?? [];
  for (let i = exceptions.length - 1; i >= 0; i--) {
    const stacktrace = exceptions[i]!.stacktrace;
    if (stacktrace && stacktrace.frames.length > 0) return stacktrace;
  }
  return threadStacktrace(event);
}

/**
 * The crash frame: the most recent in-app frame with a usable function name, else the most recent
 * frame with one (Sentry's crash location for titles, culprits and metadata), among the frames of the
 * code that raised (see raisingFramesEnd); all frames when none of those has a name.
 */
export function crashFrame(event: NormalizedEvent): Frame | undefined {
  const all = primaryStacktrace(event)?.frames ?? [];
  const raising = all.slice(0, raisingFramesEnd(all, event.platform));
  return lastNamedFrame(event, raising) ?? lastNamedFrame(event, all);
}

function lastNamedFrame(event: NormalizedEvent, frames: Frame[]): Frame | undefined {
  const named = (frame: Frame) =>
    displayFunctionName(frame, platformFamily(frame.platform ?? event.platform)) !== undefined;
  for (let i = frames.length - 1; i >= 0; i--) {
    const frame = frames[i]!;
    if (frame.in_app === true && named(frame)) return frame;
  }
  for (let i = frames.length - 1; i >= 0; i--) {
    const frame = frames[i]!;
    if (named(frame)) return frame;
  }
  return undefined;
}
