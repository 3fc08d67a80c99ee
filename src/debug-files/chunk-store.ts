// Upload chunks: bytes in R2 under the owning organization, one D1 row per (organization, SHA-1).
// Nothing here is shared across organizations: a chunk uploaded by org A is invisible to org B even
// when B names the same checksum.
import { and, eq, inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { fileChunks } from "../db/schema.ts";

/** D1 allows 100 bound parameters per statement; keep room for the other conditions. */
const IN_BATCH = 90;

export const chunkKey = (organizationId: number, sha1: string): string =>
  `orgs/${organizationId}/chunks/${sha1}`;

export function inBatches<T>(items: readonly T[], size = IN_BATCH): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Stores one verified chunk's bytes. Content-addressed, so a repeated upload writes the same bytes. */
export async function putChunk(bucket: R2Bucket, organizationId: number, sha1: string, bytes: Uint8Array) {
  await bucket.put(chunkKey(organizationId, sha1), bytes, { sha1 });
}

/** Records chunks whose bytes are already in R2 (after the put, so a row always has its bytes). */
export async function recordChunks(
  db: D1Database,
  organizationId: number,
  chunks: readonly { sha1: string; size: number }[],
): Promise<void> {
  if (chunks.length === 0) return;
  const orm = drizzle(db);
  const now = Date.now() / 1000;
  // 4 parameters per row: stay under D1's 100.
  const statements = inBatches(chunks, 24).map((batch) =>
    orm
      .insert(fileChunks)
      .values(batch.map((c) => ({ organizationId, sha1: c.sha1, size: c.size, createdAt: now })))
      .onConflictDoNothing(),
  );
  const [first, ...rest] = statements;
  if (first) await orm.batch([first, ...rest]);
}

/** Sizes of the given chunks that this organization owns; absent ones are missing. */
export async function ownedChunkSizes(
  db: D1Database,
  organizationId: number,
  sha1s: readonly string[],
): Promise<Map<string, number>> {
  const orm = drizzle(db);
  const sizes = new Map<string, number>();
  for (const batch of inBatches([...new Set(sha1s)])) {
    const rows = await orm
      .select({ sha1: fileChunks.sha1, size: fileChunks.size })
      .from(fileChunks)
      .where(and(eq(fileChunks.organizationId, organizationId), inArray(fileChunks.sha1, batch)));
    for (const row of rows) sizes.set(row.sha1, row.size);
  }
  return sizes;
}
