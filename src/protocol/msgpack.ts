// MessagePack decoding, for what sentry-native's Crashpad backend uploads beside a minidump: the
// event (`__sentry-event`) and two breadcrumb ring buffers (`__sentry-breadcrumb1`, `…2`), each a
// sequence of MessagePack values. Pure, bounded (depth, count), total: a malformed buffer gives the
// values read before it. Binary and extension values become undefined (JSON has no place for them).
import type { JsonValue } from "./types.ts";

const MAX_DEPTH = 32;
const utf8 = new TextDecoder();

class Decoder {
  pos = 0;
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number): void {
    if (this.pos + n > this.bytes.byteLength) throw new RangeError("truncated");
  }
  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }
  take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  uint(size: 1 | 2 | 4 | 8): number {
    this.need(size);
    const v = this.view;
    const at = this.pos;
    this.pos += size;
    if (size === 1) return v.getUint8(at);
    if (size === 2) return v.getUint16(at);
    if (size === 4) return v.getUint32(at);
    return v.getUint32(at) * 2 ** 32 + v.getUint32(at + 4);
  }
  int(size: 1 | 2 | 4 | 8): number {
    this.need(size);
    const v = this.view;
    const at = this.pos;
    this.pos += size;
    if (size === 1) return v.getInt8(at);
    if (size === 2) return v.getInt16(at);
    if (size === 4) return v.getInt32(at);
    return Number(v.getBigInt64(at));
  }
  value(depth: number): JsonValue | undefined {
    if (depth > MAX_DEPTH) throw new RangeError("too deep");
    const b = this.u8();
    if (b <= 0x7f) return b;
    if (b >= 0xe0) return b - 0x100;
    if ((b & 0xf0) === 0x80) return this.map(b & 0x0f, depth);
    if ((b & 0xf0) === 0x90) return this.array(b & 0x0f, depth);
    if ((b & 0xe0) === 0xa0) return utf8.decode(this.take(b & 0x1f));
    switch (b) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
      case 0xc5:
      case 0xc6:
        this.take(this.uint(b === 0xc4 ? 1 : b === 0xc5 ? 2 : 4));
        return undefined;
      case 0xc7:
      case 0xc8:
      case 0xc9: {
        const n = this.uint(b === 0xc7 ? 1 : b === 0xc8 ? 2 : 4);
        this.take(n + 1);
        return undefined;
      }
      case 0xca:
        this.need(4);
        this.pos += 4;
        return this.view.getFloat32(this.pos - 4);
      case 0xcb:
        this.need(8);
        this.pos += 8;
        return this.view.getFloat64(this.pos - 8);
      case 0xcc:
        return this.uint(1);
      case 0xcd:
        return this.uint(2);
      case 0xce:
        return this.uint(4);
      case 0xcf:
        return this.uint(8);
      case 0xd0:
        return this.int(1);
      case 0xd1:
        return this.int(2);
      case 0xd2:
        return this.int(4);
      case 0xd3:
        return this.int(8);
      case 0xd4:
      case 0xd5:
      case 0xd6:
      case 0xd7:
      case 0xd8:
        this.take(1 + ([1, 2, 4, 8, 16][b - 0xd4] ?? 0));
        return undefined;
      case 0xd9:
        return utf8.decode(this.take(this.uint(1)));
      case 0xda:
        return utf8.decode(this.take(this.uint(2)));
      case 0xdb:
        return utf8.decode(this.take(this.uint(4)));
      case 0xdc:
        return this.array(this.uint(2), depth);
      case 0xdd:
        return this.array(this.uint(4), depth);
      case 0xde:
        return this.map(this.uint(2), depth);
      case 0xdf:
        return this.map(this.uint(4), depth);
      default:
        throw new RangeError(`unknown byte 0x${b.toString(16)}`);
    }
  }
  array(n: number, depth: number): JsonValue[] {
    if (n > this.bytes.byteLength - this.pos) throw new RangeError("array longer than the buffer");
    const out: JsonValue[] = [];
    for (let i = 0; i < n; i++) {
      const v = this.value(depth + 1);
      if (v !== undefined) out.push(v);
    }
    return out;
  }
  map(n: number, depth: number): { [key: string]: JsonValue } {
    if (n > this.bytes.byteLength - this.pos) throw new RangeError("map longer than the buffer");
    const out: { [key: string]: JsonValue } = {};
    for (let i = 0; i < n; i++) {
      const key = this.value(depth + 1);
      const v = this.value(depth + 1);
      if (typeof key === "string" && v !== undefined && key !== "__proto__") out[key] = v;
    }
    return out;
  }
}

/** Every top-level value of a buffer of concatenated MessagePack values, up to the first malformed one. */
export function decodeMsgpackSequence(bytes: Uint8Array, maxValues = 1000): JsonValue[] {
  const decoder = new Decoder(bytes);
  const out: JsonValue[] = [];
  try {
    while (decoder.pos < bytes.byteLength && out.length < maxValues) {
      const v = decoder.value(0);
      if (v !== undefined) out.push(v);
    }
  } catch {
    // keep what was read
  }
  return out;
}
