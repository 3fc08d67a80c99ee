// Builds a debug file's unwind table once, when its upload is assembled, and stores it next to the
// file in R2, so the minidump walker reads one small object per module instead of the ELF. A file we
// cannot read unwind info from simply has no table (its modules unwind by frame pointer/scanning).
import type { BlobBucket } from "../blobs/bucket.ts";
import { debugFileCfiKey, putCfiTable } from "../blobs/cfi-tables.ts";
import { r2ByteSource } from "../blobs/r2-byte-source.ts";
import { FaultlineError } from "../errors.ts";
import { MAX_CFI_SECTION_BYTES } from "../limits.ts";
import { breakpadCfiTable } from "../symbolication/breakpad-sym.ts";
import { buildElfCfiTable } from "../symbolication/minidump/index.ts";
import { readBreakpadText } from "./lookup-publish.ts";

export interface CfiTarget {
  projectId: number;
  checksum: string;
  symbolType: string;
  features: readonly string[];
  key: string;
  size: number;
}

export function wantsCfi(target: Pick<CfiTarget, "symbolType" | "features">): boolean {
  return (
    (target.symbolType === "elf" || target.symbolType === "breakpad") && target.features.includes("unwind")
  );
}

/** Builds and stores the table; returns its size in bytes, or undefined when the file has none. */
export async function buildAndStoreCfi(bucket: BlobBucket, target: CfiTarget): Promise<number | undefined> {
  try {
    const table =
      target.symbolType === "breakpad"
        ? breakpadCfiTable(await readBreakpadText(bucket, target))
        : await buildElfCfiTable(r2ByteSource(bucket, target.key, target.size), MAX_CFI_SECTION_BYTES);
    if (!table) return undefined;
    return await putCfiTable(
      bucket,
      debugFileCfiKey(target.projectId, target.checksum),
      JSON.stringify(table),
    );
  } catch (error) {
    if (error instanceof FaultlineError && error.status < 500) return undefined;
    throw error;
  }
}
