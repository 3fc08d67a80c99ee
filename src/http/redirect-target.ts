// Where a redirect may point: only a path on this site. Every `Location` the Worker sends goes through
// `redirectTarget` (the sign-in `next`, the trailing-slash redirect, the UI's redirects after a form),
// so no crafted URL can send a browser elsewhere. Pure: no Workers APIs.

/** Raw control characters and backslashes are never part of a path we send (browsers drop tabs and
 * newlines and read `\` as `/`, which turns `/\t/evil.example` or `/\evil.example` into `//evil.example`). */
function hasUnsafeRaw(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x5c) return true;
  }
  return false;
}

/** A path with runs of `/` collapsed to one, so `//api/0/` is `/api/0/` and `//host` is a path, not a host. */
export const collapseSlashes = (pathname: string): string => pathname.replace(/\/{2,}/g, "/");

/**
 * The same-origin path (with query and fragment) that `target` names when resolved against `origin`,
 * or null when it names another origin, another scheme, or carries characters a browser would reinterpret.
 */
export function redirectTarget(target: string, origin: string): string | null {
  if (target === "" || hasUnsafeRaw(target)) return null;
  let base: URL;
  let resolved: URL;
  try {
    base = new URL(origin);
    resolved = new URL(target, base);
  } catch {
    return null;
  }
  if (resolved.origin !== base.origin || resolved.username !== "" || resolved.password !== "") return null;
  const path = `${collapseSlashes(resolved.pathname)}${resolved.search}${resolved.hash}`;
  // The serialized URL is percent-encoded, so this holds by construction; checked because it is the point.
  if (!path.startsWith("/") || path.startsWith("//") || hasUnsafeRaw(path)) return null;
  return path;
}
