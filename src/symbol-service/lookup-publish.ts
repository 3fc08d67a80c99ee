// Builds a debug file's symbol lookup once, when its upload is assembled, and publishes it: the file
// is read from R2 with ranged GETs (small DWARF sections whole, .debug_info and .debug_line a unit at
// a time), the paged lookup is streamed next to it as it is built, and the outcome is recorded. A file
// we cannot build a lookup for stays a valid upload; its lookup row says why, and frames that need it
// get status `malformed`. The size limits are MAX_WORKER_LOOKUP_* in src/limits.ts.
// The demangler's WebAssembly module is bundled with the Worker (a `.wasm` import is a compiled
// WebAssembly.Module under wrangler); names are demangled when a lookup is built, so only this path needs it.
import demanglerWasm from "gecko-profiler-demangle/index_bg.wasm";
import type { BlobBucket } from "../blobs/bucket.ts";
import { lookupUpload } from "../blobs/lookup-upload.ts";
import { debugFileLookupKey } from "../blobs/lookups.ts";
import { r2ByteSource } from "../blobs/r2-byte-source.ts";
import { type LookupRow, recordLookup } from "../db/lookups.ts";
import { FaultlineError } from "../errors.ts";
import {
  MAX_WORKER_LOOKUP_DWARF_BYTES,
  MAX_WORKER_LOOKUP_HELD_BYTES,
  MAX_WORKER_LOOKUP_UNIT_BYTES,
  SYMBOL_LOOKUP_PAGE_BYTES,
} from "../limits.ts";
import { writeBreakpadLookup } from "../symbolication/breakpad-sym.ts";
import { initDemangler } from "../symbolication/demangle.ts";
import { writeLookupFromObject } from "../symbolication/lookup-build.ts";
import { loadObject } from "../symbolication/object-loader.ts";

export interface BuildTarget {
  projectId: number;
  checksum: string;
  debugId: string;
  symbolType: string;
  features: readonly string[];
  /** R2 key and size of the assembled debug file. */
  key: string;
  size: number;
}

/** Whether a file can carry symbols: ELF/Mach-O with DWARF or a symbol table. */
export function wantsLookup(target: Pick<BuildTarget, "symbolType" | "features">): boolean {
  return (
    (target.symbolType === "elf" || target.symbolType === "macho" || target.symbolType === "breakpad") &&
    (target.features.includes("debug") || target.features.includes("symtab"))
  );
}

/**
 * Builds, stores and records the lookup; returns the record (state `error` with a detail for files
 * that are too large or malformed). Storage failures propagate so the assembly run is retried.
 */
export async function buildAndStoreLookup(
  db: D1Database,
  bucket: BlobBucket,
  target: BuildTarget,
  nowMs: number,
): Promise<LookupRow> {
  await initDemangler(demanglerWasm);
  const started = Date.now();
  const record: LookupRow = {
    projectId: target.projectId,
    checksum: target.checksum,
    debugId: target.debugId,
    state: "ok",
    detail: null,
    blobKey: null,
    size: null,
    fileSize: target.size,
    buildMs: 0,
    createdAt: nowMs / 1000,
  };
  try {
    if (target.symbolType === "breakpad") {
      const key = debugFileLookupKey(target.projectId, target.checksum);
      const upload = lookupUpload(bucket, key);
      try {
        const text = await readBreakpadText(bucket, target);
        await writeBreakpadLookup(text, upload.write, SYMBOL_LOOKUP_PAGE_BYTES);
        record.size = await upload.finish();
      } catch (error) {
        await upload.abort();
        throw error;
      }
      record.blobKey = key;
      record.buildMs = Date.now() - started;
      await recordLookup(db, record);
      return record;
    }
    const object = await loadObject(r2ByteSource(bucket, target.key, target.size), 0, { lazyDwarf: true });
    if (object.dwarfBytes > MAX_WORKER_LOOKUP_DWARF_BYTES) {
      throw new FaultlineError(
        413,
        `${object.dwarfBytes} bytes of DWARF are more than a Worker can index (limit ${MAX_WORKER_LOOKUP_DWARF_BYTES})`,
      );
    }
    const held = object.heldDwarfBytes + object.cachedDwarfBytes + object.symbols.heldBytes;
    if (held > MAX_WORKER_LOOKUP_HELD_BYTES) {
      throw new FaultlineError(
        413,
        `${held} bytes of compressed DWARF sections, DWARF block caches and symbols are more than a Worker can hold while indexing (limit ${MAX_WORKER_LOOKUP_HELD_BYTES})`,
      );
    }
    const key = debugFileLookupKey(target.projectId, target.checksum);
    const upload = lookupUpload(bucket, key);
    try {
      await writeLookupFromObject(object, upload.write, { maxUnitBytes: MAX_WORKER_LOOKUP_UNIT_BYTES });
      record.size = await upload.finish();
    } catch (error) {
      await upload.abort();
      throw error;
    }
    record.blobKey = key;
  } catch (error) {
    if (!(error instanceof FaultlineError) || error.status >= 500) throw error;
    record.state = "error";
    record.detail = error.detail;
  }
  record.buildMs = Date.now() - started;
  await recordLookup(db, record);
  return record;
}

/** A Breakpad .sym file's text (its size was bounded when it was identified). */
export async function readBreakpadText(
  bucket: BlobBucket,
  target: Pick<BuildTarget, "key" | "size">,
): Promise<string> {
  const bytes = await r2ByteSource(bucket, target.key, target.size).read(0, target.size);
  return new TextDecoder().decode(bytes);
}
