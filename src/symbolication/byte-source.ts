// Random access to the bytes of a debug file. Parsers only ever ask for the ranges they need, so a
// debug file can stay in R2 and be read with ranged GETs; tests and small files use memory.
import { malformedFile } from "./errors.ts";

export interface ByteSource {
  /** Total size of the file in bytes. */
  readonly size: number;
  /** Exactly `length` bytes starting at `offset`; callers never ask beyond `size`. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Throws unless `[offset, offset + length)` lies inside a file of `size` bytes. */
export function checkRange(size: number, offset: number, length: number, what: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw malformedFile(`${what} has an invalid offset or size`);
  }
  if (offset + length > size) {
    throw malformedFile(`${what} extends past the end of the file (${offset}+${length} > ${size})`);
  }
}

/** A ByteSource over bytes already in memory (no copies: reads are views). */
export function memorySource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.byteLength,
    read(offset: number, length: number): Promise<Uint8Array> {
      checkRange(bytes.byteLength, offset, length, "read");
      return Promise.resolve(bytes.subarray(offset, offset + length));
    },
  };
}

/** A ByteSource that serves a slice `[start, start + size)` of another source (a fat Mach-O member). */
export function sliceSource(source: ByteSource, start: number, size: number): ByteSource {
  checkRange(source.size, start, size, "slice");
  return {
    size,
    read(offset: number, length: number): Promise<Uint8Array> {
      checkRange(size, offset, length, "read");
      return source.read(start + offset, length);
    },
  };
}
