// Client IP addresses against a project's blocked addresses and CIDR ranges (IPv4 and IPv6), for the
// `filters:blacklisted_ips` inbound filter.

/** An address as a 128-bit number (IPv4 mapped into ::ffff:0:0/96), or undefined when unreadable. */
export function parseIp(text: string): bigint | undefined {
  const value = text.trim();
  const v4 = parseIpv4(value);
  if (v4 !== undefined) return (0xffffn << 32n) | v4;
  if (!value.includes(":")) return undefined;
  const [head, tail, extra] = value.split("::");
  if (extra !== undefined) return undefined;
  const groups = (part: string | undefined) => (part ? part.split(":") : []);
  const left = groups(head);
  let right = groups(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const last = right.length > 0 ? right[right.length - 1] : left[left.length - 1];
  let v4tail: bigint | undefined;
  if (last?.includes(".")) {
    v4tail = parseIpv4(last);
    if (v4tail === undefined) return undefined;
    if (right.length > 0) right = right.slice(0, -1);
    else left.pop();
  }
  const fixed = left.length + right.length + (v4tail === undefined ? 0 : 2);
  if (tail === undefined ? fixed !== 8 : fixed > 7) return undefined;
  const all = [...left, ...Array(8 - fixed).fill("0"), ...right];
  let n = 0n;
  for (const group of all.slice(0, v4tail === undefined ? 8 : 6)) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined;
    n = (n << 16n) | BigInt(Number.parseInt(group, 16));
  }
  return v4tail === undefined ? n : (n << 32n) | v4tail;
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    n = (n << 8n) | BigInt(Number(part));
  }
  return n;
}

/** `10.0.0.0/8`, `2001:db8::/32` or a single address; undefined when unreadable. */
export function parseRange(text: string): { base: bigint; bits: number } | undefined {
  const [address, prefix] = text.trim().split("/");
  if (address === undefined) return undefined;
  const base = parseIp(address);
  if (base === undefined) return undefined;
  const isV4 = parseIpv4(address.trim()) !== undefined;
  const width = isV4 ? 32 : 128;
  const bits = prefix === undefined ? width : Number(prefix);
  if (!Number.isInteger(bits) || bits < 0 || bits > width) return undefined;
  return { base, bits: isV4 ? bits + 96 : bits };
}

export function ipInRanges(ip: string, ranges: readonly string[]): boolean {
  const address = parseIp(ip);
  if (address === undefined) return false;
  for (const text of ranges) {
    const range = parseRange(text);
    if (!range) continue;
    const shift = BigInt(128 - range.bits);
    if (address >> shift === range.base >> shift) return true;
  }
  return false;
}
