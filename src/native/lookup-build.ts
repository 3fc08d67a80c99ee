// Builds a debug file's symbol lookup once, when its upload is assembled: the file is read from R2
// with ranged GETs (small DWARF sections whole, .debug_info and .debug_line a unit at a time), the
// paged lookup is streamed next to it as it is built, and the outcome is recorded. A file we cannot
// build a lookup for stays a valid upload; its lookup row says why, and frames that need it get
// status `malformed`.
import { r2ByteSource } from "../debug-files/r2-byte-source.ts";
import { FaultlineError } from "../errors.ts";
import { writeLookupFromObject } from "../symbolication/lookup-build.ts";
import { loadObject } from "../symbolication/object-loader.ts";
import { ensureDemangler } from "./demangler.ts";
import { debugFileLookupKey, type LookupRecord, recordLookup } from "./lookup-store.ts";
import { lookupUpload } from "./lookup-upload.ts";

/**
 * What a lookup build inside a Worker may take on. The build keeps its memory bounded: it reads
 * .debug_info and .debug_line a unit at a time, .debug_str, .debug_line_str and range lists through
 * block caches (~11 MiB at most), and holds one address window's tables, so memory grows with what
 * it must hold whole and with the largest unit, not with the file (bench/symbolication.mjs: a Rust
 * release build with 50 MiB of DWARF, 19 MiB of it strings, builds with ~46 MB live; one with a
 * single 17.7 MiB unit, as codegen-units = 1 or fat LTO make, with ~105 MB live):
 *   - HELD: sections read whole (compressed ones decompressed: they cannot be read in pieces;
 *     abbreviations, address and string-offset tables) plus the block caches and the symbol and
 *     string tables;
 *   - UNIT: the largest compilation unit's .debug_info (held with its function records in columns,
 *     ~3.5x its size in all);
 *   - DWARF: all DWARF, which bounds CPU time instead (~0.11-0.16 s per MiB in the bench, so
 *     ~14-20 s at the limit, under the 30 s a request's background work gets by default).
 * Files beyond these get a lookup `error` instead of taking the isolate down mid-build.
 */
export const MAX_WORKER_LOOKUP_HELD_BYTES = 32 * 1024 * 1024;
export const MAX_WORKER_LOOKUP_UNIT_BYTES = 16 * 1024 * 1024;
export const MAX_WORKER_LOOKUP_DWARF_BYTES = 128 * 1024 * 1024;

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
    (target.symbolType === "elf" || target.symbolType === "macho") &&
    (target.features.includes("debug") || target.features.includes("symtab"))
  );
}

/**
 * Builds, stores and records the lookup; returns the record (state `error` with a detail for files
 * that are too large or malformed). Storage failures propagate so the assembly run is retried.
 */
export async function buildAndStoreLookup(
  db: D1Database,
  bucket: R2Bucket,
  target: BuildTarget,
  nowMs: number,
): Promise<LookupRecord> {
  await ensureDemangler();
  const started = Date.now();
  const record: LookupRecord = {
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
