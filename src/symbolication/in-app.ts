// Whether a symbolicated native frame is the application's own code. Mirrors Sentry's built-in
// native rules (std/core/alloc, panic machinery, system library paths) plus the runtime crates
// sentry-rust marks as not in-app (tokio, sentry, backtrace).

const NOT_IN_APP_PREFIXES = [
  "std::",
  "core::",
  "alloc::",
  "tokio::",
  "sentry::",
  "sentry_",
  "backtrace::",
  "__rust",
  "rust_begin_unwind",
  "rust_panic",
  "_start",
  "__libc_start",
  "__GI_",
];
const SYSTEM_PATHS = ["/lib/", "/usr/lib/", "/usr/local/lib/", "/lib64/", "/usr/lib64/", "/System/Library/"];

export function isInApp(fn: string | undefined, pkg: string | undefined): boolean {
  if (pkg && SYSTEM_PATHS.some((p) => pkg.startsWith(p))) return false;
  if (!fn) return true;
  // `<alloc::sync::Arc<T> as core::ops::drop::Drop>::drop` belongs to alloc.
  const name = fn.startsWith("<") ? fn.slice(1) : fn;
  return !NOT_IN_APP_PREFIXES.some((prefix) => name.startsWith(prefix));
}
