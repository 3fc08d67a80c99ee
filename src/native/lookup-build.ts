// Builds a debug file's symbol lookup once, when its upload is assembled: the file is read from R2
// with ranged GETs (one DWARF section at a time, capped by MAX_DEBUG_SECTION_BYTES), the paged lookup
// is written next to it, and the outcome is recorded. A file we cannot build a lookup for stays a
// valid upload; its lookup row says why, and frames that need it get status `malformed`.
import { r2ByteSource } from "../debug-files/r2-byte-source.ts";
import { FaultlineError } from "../errors.ts";
import { writeLookupFromObject } from "../symbolication/lookup-build.ts";
import { loadObject } from "../symbolication/object-loader.ts";
import { ensureDemangler } from "./demangler.ts";
import { debugFileLookupKey, type LookupRecord, recordLookup } from "./lookup-store.ts";
import { lookupUpload } from "./lookup-upload.ts";

/**
 * Bytes of DWARF (the sections a build loads, decompressed) indexed inside a Worker. The builder's
 * tables take ~15–22× the DWARF size (bench/symbolication.mjs: a 3.7 MiB-DWARF Rust fixture builds
 * under a 64 MB heap; 60 MiB of DWARF peaks at 1.3 GB), so beyond this a 128 MB isolate would be
 * killed mid-build and take the upload down with it; such files get a lookup `error` instead.
 */
export const MAX_WORKER_LOOKUP_DWARF_BYTES = 6 * 1024 * 1024;

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
    const object = await loadObject(r2ByteSource(bucket, target.key, target.size));
    const d = object.dwarf;
    const dwarfBytes = d
      ? d.info.byteLength +
        d.abbrev.byteLength +
        d.line.byteLength +
        d.str.byteLength +
        d.lineStr.byteLength +
        d.strOffsets.byteLength +
        d.addr.byteLength +
        d.ranges.byteLength +
        d.rnglists.byteLength
      : 0;
    if (dwarfBytes > MAX_WORKER_LOOKUP_DWARF_BYTES) {
      throw new FaultlineError(
        413,
        `${dwarfBytes} bytes of DWARF are more than a Worker can index (limit ${MAX_WORKER_LOOKUP_DWARF_BYTES})`,
      );
    }
    const key = debugFileLookupKey(target.projectId, target.checksum);
    const upload = lookupUpload(bucket, key);
    try {
      await writeLookupFromObject(object, upload.write);
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
