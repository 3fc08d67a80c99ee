// Grouping hashes: MD5 (32 lowercase hex) of the contributing values, as Sentry does. The values
// are hashed as one JSON array so that ["ab", "c"] and ["a", "bc"] differ; no values at all
// hash the empty string (Sentry's fallback hash).
//
// MD5 itself (RFC 1321) is done here in plain JavaScript: an event hashes a few hundred bytes, two or
// three times, and under workerd node:crypto's compatibility layer spent more on setting up each hash
// object and converting the text than on hashing it.

const encoder = new TextEncoder();

/** Per-round left rotations, four per round of sixteen steps. */
const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
/** The sine table: floor(|sin(i + 1)| × 2^32), as 32-bit integers. */
const SINES = Int32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/** The message as little-endian 32-bit words, padded with 0x80, zeros and its bit length. */
function paddedWords(bytes: Uint8Array): Int32Array {
  const n = bytes.length;
  const words = new Int32Array((((n + 8) >>> 6) + 1) * 16);
  for (let i = 0; i < n; i++) words[i >> 2]! |= bytes[i]! << ((i & 3) << 3);
  words[n >> 2]! |= 0x80 << ((n & 3) << 3);
  const bits = n * 8;
  words[words.length - 2] = bits | 0;
  words[words.length - 1] = Math.floor(bits / 2 ** 32) | 0;
  return words;
}

export function md5Hex(text: string): string {
  const words = paddedWords(encoder.encode(text));
  let h0 = 0x67452301;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476;
  for (let block = 0; block < words.length; block += 16) {
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const sum = (a + f + SINES[i]! + words[block + g]!) | 0;
      const shift = SHIFTS[((i >> 4) << 2) | (i & 3)]!;
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << shift) | (sum >>> (32 - shift)))) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
  }
  let out = "";
  for (const h of [h0, h1, h2, h3]) {
    out += HEX[h & 0xff]! + HEX[(h >>> 8) & 0xff]! + HEX[(h >>> 16) & 0xff]! + HEX[(h >>> 24) & 0xff]!;
  }
  return out;
}

export function hashValues(values: readonly string[]): string {
  return md5Hex(values.length === 0 ? "" : JSON.stringify(values));
}
