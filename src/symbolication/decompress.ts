// Decompression of debug sections: ELF SHF_COMPRESSED (zlib or zstd) and GNU `.zdebug_*` ("ZLIB" +
// big-endian size). node:zlib is available in workerd under nodejs_compat; zstd only where the
// runtime provides zstdDecompressSync (workerd does; Node ≥ 22.15 does).
import * as zlib from "node:zlib";
import { tooLarge } from "../errors.ts";
import { MAX_DEBUG_SECTION_BYTES } from "../limits.ts";
import { ByteReader } from "./byte-reader.ts";
import { malformedFile, unsupportedFile } from "./errors.ts";

const ELFCOMPRESS_ZLIB = 1;
const ELFCOMPRESS_ZSTD = 2;

type ZstdDecompress = (data: Uint8Array, options?: { maxOutputLength?: number }) => Uint8Array;

function zstdDecompressor(): ZstdDecompress | undefined {
  const candidate: unknown = (zlib as unknown as Record<string, unknown>).zstdDecompressSync;
  return typeof candidate === "function" ? (candidate as ZstdDecompress) : undefined;
}

export function canDecompressZstd(): boolean {
  return zstdDecompressor() !== undefined;
}

function checkSize(size: number, what: string): void {
  if (!Number.isSafeInteger(size) || size < 0)
    throw malformedFile(`${what} has an invalid uncompressed size`);
  if (size > MAX_DEBUG_SECTION_BYTES) {
    throw tooLarge(`${what} is ${size} bytes uncompressed (limit ${MAX_DEBUG_SECTION_BYTES})`);
  }
}

function inflate(data: Uint8Array, size: number, what: string): Uint8Array {
  let out: Uint8Array;
  try {
    out = zlib.inflateSync(data, { maxOutputLength: Math.max(size, 1) });
  } catch {
    throw malformedFile(`${what} does not inflate`);
  }
  if (out.byteLength !== size)
    throw malformedFile(`${what} inflates to ${out.byteLength} bytes, not ${size}`);
  return out;
}

/** Decompresses an SHF_COMPRESSED section (Elf32_Chdr / Elf64_Chdr header + stream). */
export function decompressElfSection(
  data: Uint8Array,
  is64: boolean,
  littleEndian: boolean,
  what: string,
): Uint8Array {
  const headerSize = is64 ? 24 : 12;
  if (data.byteLength < headerSize) throw malformedFile(`${what} compression header is truncated`);
  const r = new ByteReader(data, littleEndian);
  const type = r.u32();
  if (is64) r.skip(4);
  const size = is64 ? r.u64() : r.u32();
  checkSize(size, what);
  const stream = data.subarray(headerSize);
  if (type === ELFCOMPRESS_ZLIB) return inflate(stream, size, what);
  if (type === ELFCOMPRESS_ZSTD) {
    const zstd = zstdDecompressor();
    if (!zstd) throw unsupportedFile(`${what} is zstd-compressed and this runtime has no zstd decoder`);
    let out: Uint8Array;
    try {
      out = zstd(stream, { maxOutputLength: Math.max(size, 1) });
    } catch {
      throw malformedFile(`${what} does not decompress (zstd)`);
    }
    if (out.byteLength !== size)
      throw malformedFile(`${what} decompresses to ${out.byteLength} bytes, not ${size}`);
    return out;
  }
  throw unsupportedFile(`${what} uses unknown compression type ${type}`);
}

/** Decompresses a GNU `.zdebug_*` section ("ZLIB", u64 big-endian size, zlib stream). */
export function decompressGnuSection(data: Uint8Array, what: string): Uint8Array {
  if (data.byteLength < 12 || String.fromCharCode(...data.subarray(0, 4)) !== "ZLIB") {
    // Producers leave small sections uncompressed under the .zdebug name.
    return data;
  }
  const size = new ByteReader(data, false, 4).u64();
  checkSize(size, what);
  return inflate(data.subarray(12), size, what);
}
