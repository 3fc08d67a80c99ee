// Debug identifiers as Sentry writes them: a GUID in lowercase hyphenated form, optionally followed by
// `-<age hex>` (the appendix; always 0 for ELF and Mach-O and then omitted).

export const NIL_DEBUG_ID = "00000000-0000-0000-0000-000000000000";

export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** Formats 16 bytes (already in GUID byte order) as a debug id. */
export function formatDebugId(guid: Uint8Array, appendix = 0): string {
  const hex = toHex(guid.subarray(0, 16)).padEnd(32, "0");
  const base = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return appendix === 0 ? base : `${base}-${appendix.toString(16)}`;
}

/**
 * ELF debug id from a build id (or a .text hash): the first 16 bytes, zero padded; on little-endian
 * objects the first three GUID fields (4, 2, 2 bytes) are byte-reversed, as Breakpad and symbolic do.
 */
export function elfDebugId(identifier: Uint8Array, littleEndian: boolean): string {
  const guid = new Uint8Array(16);
  guid.set(identifier.subarray(0, 16));
  if (littleEndian) {
    guid.subarray(0, 4).reverse();
    guid.subarray(4, 6).reverse();
    guid.subarray(6, 8).reverse();
  }
  return formatDebugId(guid);
}

/** XOR of the first 4096 bytes into 16 (symbolic's fallback when an ELF has no build id). */
export function textPageHash(page: Uint8Array): Uint8Array {
  const hash = new Uint8Array(16);
  const end = Math.min(page.byteLength, 4096);
  for (let i = 0; i < end; i++) hash[i & 15] = (hash[i & 15] ?? 0) ^ (page[i] ?? 0);
  return hash;
}

/**
 * Normalizes any accepted spelling of a debug id (hyphenated or not, any case, braces, Breakpad's
 * 33+ hex form with the age appended) to the canonical form; undefined when it is not a debug id.
 */
export function normalizeDebugId(text: string): string | undefined {
  const trimmed = text.trim().replace(/^\{/, "").replace(/\}$/, "");
  const hyphenated =
    /^([0-9a-fA-F]{8})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{4})-?([0-9a-fA-F]{12})(?:[-.]?([0-9a-fA-F]{1,8}))?$/;
  const match = hyphenated.exec(trimmed);
  if (!match) return undefined;
  const guid = `${match[1]}-${match[2]}-${match[3]}-${match[4]}-${match[5]}`.toLowerCase();
  const appendix = match[6] ? Number.parseInt(match[6], 16) : 0;
  return appendix === 0 ? guid : `${guid}-${appendix.toString(16)}`;
}
