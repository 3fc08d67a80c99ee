// The digests of log items (and OTLP logs request parts) a project's Durable Object spooled, in its own
// SQLite storage (not D1): a retry of the same bytes finds its digest and is not stored again. Written
// in the same synchronous block as the spool entry, so both land or neither does.

export function createLogDigestTable(sql: SqlStorage): void {
  sql.exec(
    "CREATE TABLE IF NOT EXISTS log_digests (digest TEXT PRIMARY KEY, at REAL NOT NULL) WITHOUT ROWID",
  );
  sql.exec("CREATE INDEX IF NOT EXISTS log_digests_by_at ON log_digests (at)");
}

/** Which of these digests are remembered since `since` (unix seconds). */
export function rememberedDigests(sql: SqlStorage, digests: readonly string[], since: number): Set<string> {
  const seen = new Set<string>();
  for (let i = 0; i < digests.length; i += 100) {
    const chunk = digests.slice(i, i + 100);
    const rows = sql
      .exec<{ digest: string }>(
        `SELECT digest FROM log_digests WHERE digest IN (${chunk.map(() => "?").join(",")}) AND at >= ?`,
        ...chunk,
        since,
      )
      .toArray();
    for (const r of rows) seen.add(r.digest);
  }
  return seen;
}

export function rememberDigests(sql: SqlStorage, digests: readonly string[], at: number): void {
  for (const digest of digests)
    sql.exec("INSERT OR REPLACE INTO log_digests (digest, at) VALUES (?, ?)", digest, at);
}

/** Forgets digests older than `before`, and the oldest beyond `max`; answers how many are kept. */
export function forgetDigests(sql: SqlStorage, before: number, max: number): number {
  sql.exec("DELETE FROM log_digests WHERE at < ?", before);
  const { n } = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM log_digests").one();
  if (n <= max) return n;
  sql.exec(
    "DELETE FROM log_digests WHERE digest IN (SELECT digest FROM log_digests ORDER BY at LIMIT ?)",
    n - max,
  );
  return max;
}

export function forgetAllDigests(sql: SqlStorage): void {
  sql.exec("DELETE FROM log_digests");
}
