// Which URLs a delivery may call: http(s) only, and in production never a loopback, private,
// link-local or otherwise internal address (a webhook URL must not reach the operator's own network).
// A project setting allows them for local development. Host names are judged as written: Workers
// cannot resolve DNS before fetch, and Cloudflare's egress does not reach private networks anyway.

/** Why the URL may not be called, or null when it may. */
export function blockedReason(raw: string, allowPrivate: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `scheme ${url.protocol} is not allowed`;
  if (url.username || url.password) return "credentials in the URL are not allowed";
  if (allowPrivate) return null;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host.endsWith(".local") ||
    host.endsWith(".internal")
  )
    return `${host} is a local name`;
  if (isPrivateIPv4(host) || isPrivateIPv6(host)) return `${host} is a private or loopback address`;
  return null;
}

function isPrivateIPv4(host: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

function isPrivateIPv6(host: string): boolean {
  if (!host.includes(":")) return false;
  if (host === "::" || host === "::1") return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  if (mapped?.[1]) return isPrivateIPv4(mapped[1]);
  // The URL parser writes an IPv4-mapped address in hex (::ffff:7f00:1): all of ::ffff:0:0/96 is refused.
  if (host.startsWith("::ffff:")) return true;
  return /^(fc|fd|fe8|fe9|fea|feb|ff)/.test(host);
}
