// Release health state in the project Durable Object's own SQLite storage (not D1): per session id,
// where the session was counted (hour, release, environment), the status it was counted under and
// whether its exit (and duration) was counted, so a later update moves it instead of counting it
// again. Rows expire once no update can arrive for them any more (ingest drops sessions older than
// MAX_SESSION_AGE_SECONDS), which bounds the table.
import type { TrackedSession } from "../protocol/health/session-counting.ts";

export function createSessionStateTable(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS health_sessions (
    sid TEXT PRIMARY KEY, hour INTEGER NOT NULL, release TEXT NOT NULL, environment TEXT NOT NULL,
    rank INTEGER NOT NULL, user_hash TEXT, ended INTEGER NOT NULL DEFAULT 0, seen_at REAL NOT NULL) WITHOUT ROWID`);
  sql.exec("CREATE INDEX IF NOT EXISTS health_sessions_seen ON health_sessions (seen_at)");
}

interface StateRow extends Record<string, SqlStorageValue> {
  sid: string;
  hour: number;
  release: string;
  environment: string;
  rank: number;
  user_hash: string | null;
  ended: number;
}

/** The remembered sessions among `sids`. */
export function readSessionStates(sql: SqlStorage, sids: readonly string[]): Map<string, TrackedSession> {
  const out = new Map<string, TrackedSession>();
  if (sids.length === 0) return out;
  const rows = sql.exec<StateRow>(
    `SELECT sid, hour, release, environment, rank, user_hash, ended FROM health_sessions
     WHERE sid IN (SELECT value FROM json_each(?))`,
    JSON.stringify([...new Set(sids)]),
  );
  for (const r of rows) {
    out.set(r.sid, {
      sid: r.sid,
      hour: r.hour,
      release: r.release,
      environment: r.environment,
      rank: r.rank,
      userHash: r.user_hash,
      ended: r.ended === 1,
    });
  }
  return out;
}

export function writeSessionStates(sql: SqlStorage, sessions: readonly TrackedSession[], now: number): void {
  for (const s of sessions) {
    sql.exec(
      `INSERT INTO health_sessions (sid, hour, release, environment, rank, user_hash, ended, seen_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (sid) DO UPDATE SET rank = excluded.rank, ended = excluded.ended, seen_at = excluded.seen_at`,
      s.sid,
      s.hour,
      s.release,
      s.environment,
      s.rank,
      s.userHash,
      s.ended ? 1 : 0,
      now,
    );
  }
}

/** Forgets sessions last updated before `before` (seconds); answers how many. */
export function expireSessionStates(sql: SqlStorage, before: number): number {
  return sql.exec("DELETE FROM health_sessions WHERE seen_at < ?", before).rowsWritten;
}

export function clearSessionStates(sql: SqlStorage): void {
  sql.exec("DELETE FROM health_sessions");
}
