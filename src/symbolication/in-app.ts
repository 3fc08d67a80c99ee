// Whether a native frame is the application's own code, decided by the server for every native frame
// (as Sentry's built-in native rules do), not only for frames Faultline symbolicated: an SDK that
// resolves no symbol marks every frame in-app, and system-library frames it symbolicated itself (libc's
// `__libc_start_main_impl`, `start_thread`, `clone3`) arrive marked in-app too. The rules only ever
// take in-app away; a frame no rule matches keeps what the SDK said (or in-app, for frames Faultline
// symbolicated).

import { platformFamily } from "../protocol/platform.ts";
import type { Frame, NormalizedEvent, Stacktrace } from "../protocol/types.ts";

/** Crates and symbol prefixes of the Rust runtime, error-reporting and async machinery. */
const LIBRARY_PATTERNS: RegExp[] = [
  /^(?:std|core|alloc|backtrace|anyhow|log|tokio)::/,
  /^sentry[a-z0-9_]*::/,
  /^tracing[a-z0-9_]*::/,
  /^futures[a-z0-9_]*::/,
  /^__rust/,
  /^rust_begin_unwind$/,
  /^rust_panic/,
  /^_start$/,
  /^__libc_start/,
  /^__GI_/,
];

/** Where system libraries live (a frame's `package` is its image's path). */
const SYSTEM_PATHS = [
  "/lib/",
  "/lib32/",
  "/lib64/",
  "/usr/lib/",
  "/usr/lib32/",
  "/usr/lib64/",
  "/usr/local/lib/",
  "/System/Library/",
  "/usr/lib/system/",
];
/** The kernel's virtual shared objects, listed among the images under these names. */
const VDSO = /(?:^|\/)(?:linux-vdso|linux-gate)\.so(?:\.\d+)?$|^\[vdso\]$/;
/** Sources of std (rustc's remapped prefix) and of third-party crates. */
const LIBRARY_SOURCE = /^(?:at )?\/rustc\/|\/\.cargo\/(?:registry|git)\//;

function isSystemPackage(pkg: string): boolean {
  return VDSO.test(pkg) || SYSTEM_PATHS.some((prefix) => pkg.startsWith(prefix));
}

/** Splits `A as B` at the top-level ` as ` (not one nested inside generic arguments). */
function splitQualified(inner: string): [string, string | undefined] {
  let depth = 0;
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i];
    if (ch === "<" || ch === "(" || ch === "[") depth++;
    else if (ch === ">" || ch === ")" || ch === "]") depth--;
    else if (depth === 0 && inner.startsWith(" as ", i)) return [inner.slice(0, i), inner.slice(i + 4)];
  }
  return [inner, undefined];
}

/** The end of the `<…>` group that opens the name, or -1. */
function closingBracket(name: string): number {
  let depth = 0;
  for (let i = 0; i < name.length; i++) {
    if (name[i] === "<") depth++;
    else if (name[i] === ">" && --depth === 0) return i;
  }
  return -1;
}

/**
 * The path a Rust function name belongs to, for matching crate prefixes: `<T as Trait>::f` and
 * `<T>::f` belong to `T` (references, pointers, `dyn`/`impl` dropped), or to `Trait` when `T` is a
 * bare generic parameter or primitive (`<E as anyhow::context::ext::StdError>::ext_context`).
 */
export function owningPath(fn: string): string {
  const name = fn.trim();
  if (!name.startsWith("<")) return name;
  const close = closingBracket(name);
  if (close < 0) return name.slice(1);
  const [self, trait] = splitQualified(name.slice(1, close));
  const type = self
    .trim()
    .replace(/^(?:&(?:mut )?|\*(?:const|mut) |dyn |impl )+/, "")
    .replace(/^\(?(?:dyn )?/, "");
  if (!type.includes("::") && trait) return trait.trim();
  return type;
}

/** True when one of the rules says the frame is not the application's (by name, source or image). */
export function isLibraryFrame(
  frame: Pick<Frame, "function" | "package" | "abs_path" | "filename">,
): boolean {
  if (frame.package && isSystemPackage(frame.package)) return true;
  const path = frame.abs_path ?? frame.filename;
  if (path && LIBRARY_SOURCE.test(path)) return true;
  const fn = frame.function?.trim();
  if (!fn) return false;
  if (LIBRARY_SOURCE.test(fn)) return true;
  const owner = owningPath(fn);
  return LIBRARY_PATTERNS.some((pattern) => pattern.test(owner));
}

/** In-app flag of a frame Faultline symbolicated: in-app unless a rule says otherwise. */
export function isInApp(fn: string | undefined, pkg: string | undefined): boolean {
  return !isLibraryFrame({ function: fn, package: pkg });
}

function applyToStacktrace(stacktrace: Stacktrace | undefined, eventPlatform: string): void {
  for (const frame of stacktrace?.frames ?? []) {
    if (frame.in_app === false) continue;
    if (platformFamily(frame.platform ?? eventPlatform) !== "native") continue;
    if (isLibraryFrame(frame)) frame.in_app = false;
  }
}

/**
 * Applies the rules to every native frame of the event's stack traces (exceptions, threads, top-level),
 * in place: the event is the one this request just normalized or symbolicated. `raw_stacktrace`
 * stays as the SDK sent it.
 */
export function applyInAppRules<T extends NormalizedEvent>(event: T): T {
  for (const value of event.exception?.values ?? []) applyToStacktrace(value.stacktrace, event.platform);
  for (const thread of event.threads?.values ?? []) applyToStacktrace(thread.stacktrace, event.platform);
  applyToStacktrace(event.stacktrace, event.platform);
  return event;
}
