// A cursor over a byte buffer with the object file's endianness: fixed-size integers, LEB128 and
// C strings. Integers wider than 32 bits are returned as numbers: exact below 2^53, which covers every
// user-space address and file offset; larger values (DWARF tombstones such as -1) stay > 2^53 and
// callers treat them as invalid.
//
// A reader may cover only a piece of a section: `base` is the section offset of bytes[0], and
// positions stay section offsets, so a parser reads a unit loaded on its own exactly as it reads the
// whole section.
import { malformedFile } from "./errors.ts";

const TWO_32 = 4294967296;
const utf8 = new TextDecoder("utf-8");

export class ByteReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly littleEndian: boolean;
  /** Section offset of bytes[0]. */
  readonly base: number;
  pos: number;

  constructor(bytes: Uint8Array, littleEndian: boolean, pos = 0, base = 0) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.littleEndian = littleEndian;
    this.base = base;
    this.pos = pos;
  }

  /** Offset just past the last readable byte. */
  get length(): number {
    return this.base + this.bytes.byteLength;
  }

  get remaining(): number {
    return this.base + this.bytes.byteLength - this.pos;
  }

  /** Throws unless `count` more bytes can be read. */
  need(count: number, what: string): void {
    if (count < 0 || this.pos < this.base || this.pos + count > this.base + this.bytes.byteLength) {
      throw malformedFile(`${what} is truncated`);
    }
  }

  u8(): number {
    const value = this.view.getUint8(this.pos - this.base);
    this.pos += 1;
    return value;
  }

  u16(): number {
    const value = this.view.getUint16(this.pos - this.base, this.littleEndian);
    this.pos += 2;
    return value;
  }

  u32(): number {
    const value = this.view.getUint32(this.pos - this.base, this.littleEndian);
    this.pos += 4;
    return value;
  }

  u64(): number {
    const a = this.view.getUint32(this.pos - this.base, this.littleEndian);
    const b = this.view.getUint32(this.pos - this.base + 4, this.littleEndian);
    this.pos += 8;
    return this.littleEndian ? b * TWO_32 + a : a * TWO_32 + b;
  }

  /** An unsigned integer of 1, 2, 4 or 8 bytes (DWARF addresses and offsets). */
  uint(size: number): number {
    switch (size) {
      case 1:
        return this.u8();
      case 2:
        return this.u16();
      case 4:
        return this.u32();
      case 8:
        return this.u64();
      default:
        throw malformedFile(`unsupported integer size ${size}`);
    }
  }

  uleb(): number {
    const bytes = this.bytes;
    const base = this.base;
    let pos = this.pos - base;
    let byte = bytes[pos++];
    if (byte === undefined) throw malformedFile("LEB128 value is truncated");
    if (byte < 0x80) {
      this.pos = pos + base;
      return byte;
    }
    let value = byte & 0x7f;
    let scale = 0x80;
    for (;;) {
      byte = bytes[pos++];
      if (byte === undefined) throw malformedFile("LEB128 value is truncated");
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 0x80;
    }
    this.pos = pos + base;
    return value;
  }

  sleb(): number {
    const bytes = this.bytes;
    const base = this.base;
    let pos = this.pos - base;
    let value = 0;
    let scale = 1;
    let byte: number | undefined;
    do {
      byte = bytes[pos++];
      if (byte === undefined) throw malformedFile("LEB128 value is truncated");
      value += (byte & 0x7f) * scale;
      scale *= 0x80;
    } while (byte >= 0x80);
    if (byte & 0x40) value -= scale;
    this.pos = pos + base;
    return value;
  }

  skip(count: number): void {
    this.need(count, "skipped data");
    this.pos += count;
  }

  /** Skips a NUL-terminated string and returns its start offset. */
  skipCString(): number {
    const start = this.pos;
    if (start < this.base) throw malformedFile("string is out of range");
    const end = this.bytes.indexOf(0, start - this.base);
    if (end < 0) throw malformedFile("string is not terminated");
    this.pos = end + 1 + this.base;
    return start;
  }

  cstring(): string {
    const start = this.skipCString();
    return decodeUtf8(this.bytes, start - this.base, this.pos - 1 - this.base);
  }
}

/** Decodes bytes[start, end) as UTF-8, with a fast path for ASCII. */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 64) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if ((bytes[i] ?? 0) >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, Array.from(bytes.subarray(start, end)));
  }
  return utf8.decode(bytes.subarray(start, end));
}

/** The NUL-terminated string at `offset` of a string table, or undefined when out of range. */
export function cstringAt(table: Uint8Array, offset: number): string | undefined {
  if (offset < 0 || offset >= table.byteLength) return undefined;
  let end = table.indexOf(0, offset);
  if (end < 0) end = table.byteLength;
  return decodeUtf8(table, offset, end);
}
