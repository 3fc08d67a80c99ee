// Source bundles (`sentry-cli debug-files upload --include-sources`, `bundle-sources`): the magic `SYSB`,
// a u32 version, then a ZIP whose `manifest.json` carries the object's `debug_id`, `code_id`,
// `object_name` and `arch` next to the file list. Only the ZIP directory and the manifest are read,
// with ranged reads, so the bundle can stay in R2.
import { inflateRawSync } from "node:zlib";
import type { ByteSource } from "./byte-source.ts";
import { normalizeDebugId } from "./debug-id.ts";

export const SOURCE_BUNDLE_MAGIC = [0x53, 0x59, 0x53, 0x42]; // "SYSB"
const HEADER_BYTES = 8;
const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_MIN_BYTES = 22;
const MAX_COMMENT_BYTES = 0xffff;
const MAX_CENTRAL_DIRECTORY_BYTES = 16 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;

export interface SourceBundleInfo {
  debugId: string | null;
  codeId: string | null;
  objectName: string | null;
  arch: string | null;
  fileCount: number;
}

/** Thrown for a file that starts like a source bundle but cannot be read as one. */
export class SourceBundleError extends Error {}

export function isSourceBundle(prefix: Uint8Array): boolean {
  return SOURCE_BUNDLE_MAGIC.every((byte, i) => prefix[i] === byte);
}

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

async function readEndOfCentralDirectory(source: ByteSource) {
  const tailLength = Math.min(source.size - HEADER_BYTES, EOCD_MIN_BYTES + MAX_COMMENT_BYTES);
  if (tailLength < EOCD_MIN_BYTES) throw new SourceBundleError("source bundle is too small to hold a ZIP");
  const tailStart = source.size - tailLength;
  const tail = await source.read(tailStart, tailLength);
  const data = view(tail);
  for (let at = tail.byteLength - EOCD_MIN_BYTES; at >= 0; at--) {
    if (data.getUint32(at, true) !== EOCD_SIGNATURE) continue;
    const entries = data.getUint16(at + 10, true);
    const size = data.getUint32(at + 12, true);
    const offset = data.getUint32(at + 16, true);
    if (entries === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
      throw new SourceBundleError("ZIP64 source bundles are not supported");
    }
    // Offsets may be relative to the ZIP (after the SYSB header) or to the file; the directory ends
    // right before the EOCD record either way, which tells us the base.
    const eocdPosition = tailStart + at;
    const base = eocdPosition - size - offset;
    if (base < 0 || size > MAX_CENTRAL_DIRECTORY_BYTES) {
      throw new SourceBundleError("source bundle ZIP directory is inconsistent");
    }
    return { entries, size, start: base + offset, base };
  }
  throw new SourceBundleError("source bundle has no ZIP directory");
}

function parseCentralDirectory(bytes: Uint8Array, entries: number): ZipEntry[] {
  const data = view(bytes);
  const decoder = new TextDecoder();
  const out: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < entries; i++) {
    if (at + 46 > bytes.byteLength || data.getUint32(at, true) !== CENTRAL_SIGNATURE) {
      throw new SourceBundleError("source bundle ZIP directory is truncated");
    }
    const nameLength = data.getUint16(at + 28, true);
    const extraLength = data.getUint16(at + 30, true);
    const commentLength = data.getUint16(at + 32, true);
    out.push({
      method: data.getUint16(at + 10, true),
      compressedSize: data.getUint32(at + 20, true),
      uncompressedSize: data.getUint32(at + 24, true),
      localHeaderOffset: data.getUint32(at + 42, true),
      name: decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength)),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}

async function readEntry(source: ByteSource, base: number, entry: ZipEntry): Promise<Uint8Array> {
  if (entry.uncompressedSize > MAX_MANIFEST_BYTES || entry.compressedSize > MAX_MANIFEST_BYTES) {
    throw new SourceBundleError(`${entry.name} is too large`);
  }
  const headerAt = base + entry.localHeaderOffset;
  if (headerAt + 30 > source.size) throw new SourceBundleError(`${entry.name} lies outside the file`);
  const header = view(await source.read(headerAt, 30));
  if (header.getUint32(0, true) !== LOCAL_SIGNATURE) {
    throw new SourceBundleError(`${entry.name} has no local header`);
  }
  const dataAt = headerAt + 30 + header.getUint16(26, true) + header.getUint16(28, true);
  if (dataAt + entry.compressedSize > source.size) {
    throw new SourceBundleError(`${entry.name} extends past the end of the file`);
  }
  const raw = await source.read(dataAt, entry.compressedSize);
  if (entry.method === 0) return raw;
  if (entry.method !== 8) throw new SourceBundleError(`${entry.name} uses ZIP method ${entry.method}`);
  try {
    return inflateRawSync(raw, { maxOutputLength: MAX_MANIFEST_BYTES });
  } catch {
    throw new SourceBundleError(`${entry.name} is not valid deflate data`);
  }
}

const stringAttribute = (manifest: Record<string, unknown>, key: string): string | null => {
  const value = manifest[key];
  return typeof value === "string" && value.length > 0 ? value : null;
};

/** The identity a source bundle's manifest declares. */
export async function readSourceBundle(source: ByteSource): Promise<SourceBundleInfo> {
  if (source.size < HEADER_BYTES || !isSourceBundle(await source.read(0, 4))) {
    throw new SourceBundleError("not a source bundle");
  }
  const directory = await readEndOfCentralDirectory(source);
  if (directory.start + directory.size > source.size) {
    throw new SourceBundleError("source bundle ZIP directory lies outside the file");
  }
  const entries = parseCentralDirectory(
    await source.read(directory.start, directory.size),
    directory.entries,
  );
  const manifestEntry = entries.find((entry) => entry.name === "manifest.json");
  if (!manifestEntry) throw new SourceBundleError("source bundle has no manifest.json");
  let manifest: unknown;
  try {
    manifest = JSON.parse(new TextDecoder().decode(await readEntry(source, directory.base, manifestEntry)));
  } catch (error) {
    if (error instanceof SourceBundleError) throw error;
    throw new SourceBundleError("source bundle manifest.json is not JSON");
  }
  if (typeof manifest !== "object" || manifest === null || Array.isArray(manifest)) {
    throw new SourceBundleError("source bundle manifest.json is not an object");
  }
  const record = manifest as Record<string, unknown>;
  const files = record.files;
  const debugId = stringAttribute(record, "debug_id");
  return {
    debugId: debugId === null ? null : (normalizeDebugId(debugId) ?? null),
    codeId: stringAttribute(record, "code_id")?.toLowerCase() ?? null,
    objectName: stringAttribute(record, "object_name"),
    arch: stringAttribute(record, "arch"),
    fileCount: typeof files === "object" && files !== null ? Object.keys(files).length : 0,
  };
}
