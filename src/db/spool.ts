// The spool's tables in the project Durable Object's own SQLite storage (not D1): envelopes the object
// accepted and has not yet written to D1, in arrival order. An entry is the prepared batch as JSON,
// split into parts that stay under the storage's value size limit; `seq` never repeats (AUTOINCREMENT),
// so a sequence number names one entry for the spool's whole life.

/** One entry's place in the queue, without its data. */
export interface SpoolEntryHead {
  seq: number;
  units: number;
  bytes: number;
}

/** An entry with its data (the JSON text of the batch). */
export interface SpoolEntry extends SpoolEntryHead {
  text: string;
}

export function createSpoolTables(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS spool (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT,
    units INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    parts INTEGER NOT NULL
  )`);
  sql.exec("CREATE INDEX IF NOT EXISTS spool_by_event_id ON spool (event_id) WHERE event_id IS NOT NULL");
  sql.exec(`CREATE TABLE IF NOT EXISTS spool_parts (
    seq INTEGER NOT NULL,
    part INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (seq, part)
  ) WITHOUT ROWID`);
  sql.exec("CREATE TABLE IF NOT EXISTS spool_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  // R2 keys spooled envelopes point to: the blob sweep must not take them before they are in D1.
  sql.exec("CREATE TABLE IF NOT EXISTS spool_blobs (key TEXT PRIMARY KEY, seq INTEGER NOT NULL)");
  sql.exec("CREATE INDEX IF NOT EXISTS spool_blobs_by_seq ON spool_blobs (seq)");
}

/** Entries and bytes spooled, and the newest sequence number (0 when empty). */
export function spoolTotals(sql: SqlStorage): { entries: number; bytes: number; lastSeq: number } {
  const row = sql
    .exec<{ entries: number; bytes: number | null; last: number | null }>(
      "SELECT COUNT(*) AS entries, SUM(bytes) AS bytes, MAX(seq) AS last FROM spool",
    )
    .one();
  return { entries: row.entries, bytes: row.bytes ?? 0, lastSeq: row.last ?? 0 };
}

/** Appends one entry; answers its sequence number. */
export function appendSpoolEntry(
  sql: SqlStorage,
  entry: { eventId: string | null; units: number; bytes: number; parts: string[]; blobKeys: string[] },
): number {
  const { seq } = sql
    .exec<{ seq: number }>(
      "INSERT INTO spool (event_id, units, bytes, parts) VALUES (?, ?, ?, ?) RETURNING seq",
      entry.eventId,
      entry.units,
      entry.bytes,
      entry.parts.length,
    )
    .one();
  entry.parts.forEach((data, part) => {
    sql.exec("INSERT INTO spool_parts (seq, part, data) VALUES (?, ?, ?)", seq, part, data);
  });
  for (const key of entry.blobKeys)
    sql.exec("INSERT OR REPLACE INTO spool_blobs (key, seq) VALUES (?, ?)", key, seq);
  return seq;
}

/**
 * The oldest entries, in order: at most `maxEntries`, and no more than `maxUnits` of data together
 * (the first one always, whatever its size).
 */
export function spoolHead(sql: SqlStorage, maxEntries: number, maxUnits: number): SpoolEntry[] {
  const heads = sql
    .exec<{ seq: number; units: number; bytes: number }>(
      "SELECT seq, units, bytes FROM spool ORDER BY seq LIMIT ?",
      maxEntries,
    )
    .toArray();
  const taken: SpoolEntry[] = [];
  let units = 0;
  for (const head of heads) {
    if (taken.length > 0 && units + head.units > maxUnits) break;
    units += head.units;
    taken.push({ ...head, text: entryText(sql, head.seq) });
  }
  return taken;
}

function entryText(sql: SqlStorage, seq: number): string {
  const parts = sql
    .exec<{ data: string }>("SELECT data FROM spool_parts WHERE seq = ? ORDER BY part", seq)
    .toArray();
  return parts.map((p) => p.data).join("");
}

/** The data of the spooled entry that carries this event id, or null. */
export function spooledEventText(sql: SqlStorage, eventId: string): string | null {
  const row = sql
    .exec<{ seq: number }>("SELECT seq FROM spool WHERE event_id = ? ORDER BY seq LIMIT 1", eventId)
    .toArray()[0];
  return row ? entryText(sql, row.seq) : null;
}

export function isEventSpooled(sql: SqlStorage, eventId: string): boolean {
  return sql.exec("SELECT 1 FROM spool WHERE event_id = ? LIMIT 1", eventId).toArray().length > 0;
}

/** Removes the entries up to and including `seq` (they are in D1). */
export function deleteSpoolThrough(sql: SqlStorage, seq: number): void {
  sql.exec("DELETE FROM spool_blobs WHERE seq <= ?", seq);
  sql.exec("DELETE FROM spool_parts WHERE seq <= ?", seq);
  sql.exec("DELETE FROM spool WHERE seq <= ?", seq);
}

/** Which of these R2 keys spooled envelopes point to. */
export function spooledBlobKeys(sql: SqlStorage, keys: readonly string[]): string[] {
  const held: string[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    const chunk = keys.slice(i, i + 100);
    const rows = sql
      .exec<{ key: string }>(
        `SELECT key FROM spool_blobs WHERE key IN (${chunk.map(() => "?").join(",")})`,
        ...chunk,
      )
      .toArray();
    held.push(...rows.map((r) => r.key));
  }
  return held;
}

export function spoolMeta(sql: SqlStorage, key: string): string | null {
  const row = sql.exec<{ value: string }>("SELECT value FROM spool_meta WHERE key = ?", key).toArray()[0];
  return row?.value ?? null;
}

export function setSpoolMeta(sql: SqlStorage, key: string, value: string | null): void {
  if (value === null) sql.exec("DELETE FROM spool_meta WHERE key = ?", key);
  else sql.exec("INSERT OR REPLACE INTO spool_meta (key, value) VALUES (?, ?)", key, value);
}
