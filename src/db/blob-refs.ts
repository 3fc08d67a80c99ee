// Which R2 keys of ingested bytes D1 rows still reference (events.payload_key, attachments.blob_key,
// raw_items.blob_key), for the clean-up after a request and the sweep of unreferenced objects.

/** Keys per statement: D1 binds at most 100 parameters. */
const KEYS_PER_STATEMENT = 90;

/** The subset of `keys` that some row references. */
export async function referencedBlobKeys(db: D1Database, keys: readonly string[]): Promise<Set<string>> {
  const referenced = new Set<string>();
  if (keys.length === 0) return referenced;
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < keys.length; i += KEYS_PER_STATEMENT) {
    const part = keys.slice(i, i + KEYS_PER_STATEMENT);
    const marks = part.map(() => "?").join(",");
    statements.push(
      db.prepare(`SELECT payload_key AS k FROM events WHERE payload_key IN (${marks})`).bind(...part),
      db.prepare(`SELECT blob_key AS k FROM attachments WHERE blob_key IN (${marks})`).bind(...part),
      db.prepare(`SELECT blob_key AS k FROM raw_items WHERE blob_key IN (${marks})`).bind(...part),
    );
  }
  for (const result of await db.batch<{ k: string }>(statements))
    for (const row of result.results) referenced.add(row.k);
  return referenced;
}

/** The R2 key after which the next sweep run continues ("" = from the start). */
export async function sweepPosition(db: D1Database): Promise<string> {
  const row = await db
    .prepare("SELECT after_key FROM blob_sweep_state WHERE id = 1")
    .first<{ after_key: string }>();
  return row?.after_key ?? "";
}

export async function saveSweepPosition(db: D1Database, afterKey: string, now: number): Promise<void> {
  await db
    .prepare(
      `INSERT INTO blob_sweep_state (id, after_key, updated_at) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET after_key = excluded.after_key, updated_at = excluded.updated_at`,
    )
    .bind(afterKey, now)
    .run();
}
