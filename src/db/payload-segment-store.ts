// Payload segments not yet in R2, in the project Durable Object's own SQLite storage (not D1): the open
// segment new payloads are appended to, and closed ones waiting for their R2 write. A part is one
// payload's compressed bytes at its offset; a segment leaves this storage only once its R2 object is
// written (src/project/payload-segments.ts).

/** A segment kept here: open (taking payloads) or closed (to be sealed into R2). */
export interface StoredSegment {
  id: string;
  projectId: number;
  openedAt: number;
  closed: boolean;
  events: number;
  bytes: number;
}

type SegmentRow = {
  id: string;
  project_id: number;
  opened_at: number;
  closed: number;
  events: number;
  bytes: number;
};

const toSegment = (r: SegmentRow): StoredSegment => ({
  id: r.id,
  projectId: r.project_id,
  openedAt: r.opened_at,
  closed: r.closed === 1,
  events: r.events,
  bytes: r.bytes,
});

export function createPayloadSegmentTables(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS payload_segments (
    id TEXT PRIMARY KEY,
    project_id INTEGER NOT NULL,
    opened_at INTEGER NOT NULL,
    closed INTEGER NOT NULL DEFAULT 0,
    events INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0
  )`);
  sql.exec(`CREATE TABLE IF NOT EXISTS payload_segment_parts (
    segment_id TEXT NOT NULL,
    offset INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (segment_id, offset)
  ) WITHOUT ROWID`);
}

/** Every segment kept here, oldest first. */
export function storedSegments(sql: SqlStorage): StoredSegment[] {
  return sql
    .exec<SegmentRow>(
      "SELECT id, project_id, opened_at, closed, events, bytes FROM payload_segments ORDER BY opened_at, id",
    )
    .toArray()
    .map(toSegment);
}

export function insertSegment(sql: SqlStorage, id: string, projectId: number, openedAt: number): void {
  sql.exec(
    "INSERT INTO payload_segments (id, project_id, opened_at) VALUES (?, ?, ?)",
    id,
    projectId,
    openedAt,
  );
}

/** Appends one payload's bytes at `offset` (the segment's size before it). */
export function appendSegmentPart(sql: SqlStorage, id: string, offset: number, data: Uint8Array): void {
  sql.exec("INSERT INTO payload_segment_parts (segment_id, offset, data) VALUES (?, ?, ?)", id, offset, data);
  sql.exec(
    "UPDATE payload_segments SET events = events + 1, bytes = bytes + ? WHERE id = ?",
    data.byteLength,
    id,
  );
}

export function closeSegment(sql: SqlStorage, id: string): void {
  sql.exec("UPDATE payload_segments SET closed = 1 WHERE id = ?", id);
}

/** The part at exactly this offset and length, or null when the segment is not (or no longer) here. */
export function segmentPart(sql: SqlStorage, id: string, offset: number, length: number): Uint8Array | null {
  const row = sql
    .exec<{ data: ArrayBuffer }>(
      "SELECT data FROM payload_segment_parts WHERE segment_id = ? AND offset = ?",
      id,
      offset,
    )
    .toArray()[0];
  if (!row || row.data.byteLength !== length) return null;
  return new Uint8Array(row.data);
}

/** Up to `limit` of a segment's parts at `fromOffset` and after, in offset order (a seal reads in rounds). */
export function segmentPartsFrom(
  sql: SqlStorage,
  id: string,
  fromOffset: number,
  limit: number,
): { offset: number; data: Uint8Array }[] {
  return sql
    .exec<{ offset: number; data: ArrayBuffer }>(
      "SELECT offset, data FROM payload_segment_parts WHERE segment_id = ? AND offset >= ? ORDER BY offset LIMIT ?",
      id,
      fromOffset,
      limit,
    )
    .toArray()
    .map((r) => ({ offset: r.offset, data: new Uint8Array(r.data) }));
}

/** Removes a segment and its parts (its R2 object is written). */
export function dropSegment(sql: SqlStorage, id: string): void {
  sql.exec("DELETE FROM payload_segment_parts WHERE segment_id = ?", id);
  sql.exec("DELETE FROM payload_segments WHERE id = ?", id);
}
