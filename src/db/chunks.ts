// Upload chunks (`file_chunks`): one row per (organization, SHA-1) whose bytes are in R2
// (src/blobs/chunks.ts). Nothing here is shared across organizations.
import { inBatches, placeholders } from "./in-batches.ts";
import type { fileChunks } from "./schema.ts";

type ChunkRow = typeof fileChunks.$inferSelect;

/** Records chunks whose bytes are already in R2 (after the put, so a row always has its bytes). */
export async function recordChunks(
  db: D1Database,
  organizationId: number,
  chunks: readonly Pick<ChunkRow, "sha1" | "size">[],
): Promise<void> {
  if (chunks.length === 0) return;
  const now = Date.now() / 1000;
  // 4 parameters per row: stay under D1's 100.
  const statements = inBatches(chunks, 24).map((batch) =>
    db
      .prepare(
        `INSERT INTO file_chunks (organization_id, sha1, size, created_at)
         VALUES ${batch.map(() => "(?, ?, ?, ?)").join(", ")} ON CONFLICT DO NOTHING`,
      )
      .bind(...batch.flatMap((c) => [organizationId, c.sha1, c.size, now])),
  );
  await db.batch(statements);
}

/** Sizes of the given chunks that this organization owns; absent ones are missing. */
export async function ownedChunkSizes(
  db: D1Database,
  organizationId: number,
  sha1s: readonly string[],
): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const batch of inBatches([...new Set(sha1s)])) {
    const { results } = await db
      .prepare(
        `SELECT sha1, size FROM file_chunks WHERE organization_id = ? AND sha1 IN (${placeholders(batch)})`,
      )
      .bind(organizationId, ...batch)
      .all<Pick<ChunkRow, "sha1" | "size">>();
    for (const row of results) sizes.set(row.sha1, row.size);
  }
  return sizes;
}
