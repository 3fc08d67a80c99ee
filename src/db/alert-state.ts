// Issue-alert state in the project Durable Object's own SQLite storage (not D1): when each rule last
// fired for each issue (the rule's `frequency`), the event and user counts of the frequency conditions'
// windows, and the outbox of deliveries not yet handed to the queue. Written in the same synchronous
// step as the evaluation, so a delivery the object decided on survives a restart until the queue has it.

export function createAlertStateTables(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS alert_fired (
    rule_id INTEGER NOT NULL, issue_id INTEGER NOT NULL, fired_at REAL NOT NULL,
    PRIMARY KEY (rule_id, issue_id)) WITHOUT ROWID`);
  // Event counts per issue in 10-second buckets (`res` 's') for windows up to an hour, hour buckets ('h')
  // beyond. ('m', minute buckets, was the first short resolution; the next prune drops its rows.)
  sql.exec(`CREATE TABLE IF NOT EXISTS alert_counts (
    issue_id INTEGER NOT NULL, res TEXT NOT NULL, bucket INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (issue_id, res, bucket)) WITHOUT ROWID`);
  sql.exec(`CREATE TABLE IF NOT EXISTS alert_users (
    issue_id INTEGER NOT NULL, user_key TEXT NOT NULL, seen_at REAL NOT NULL,
    PRIMARY KEY (issue_id, user_key)) WITHOUT ROWID`);
  sql.exec(
    "CREATE TABLE IF NOT EXISTS alert_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)",
  );
}

/** When the rule last fired for the issue (seconds), or null. */
export function lastFired(sql: SqlStorage, ruleId: number, issueId: number): number | null {
  const rows = sql
    .exec<{ at: number }>(
      "SELECT fired_at AS at FROM alert_fired WHERE rule_id = ? AND issue_id = ?",
      ruleId,
      issueId,
    )
    .toArray();
  return rows[0]?.at ?? null;
}

export function setFired(sql: SqlStorage, ruleId: number, issueId: number, at: number): void {
  sql.exec(
    "INSERT INTO alert_fired (rule_id, issue_id, fired_at) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET fired_at = excluded.fired_at",
    ruleId,
    issueId,
    at,
  );
}

/** Forgets the fire times of rules that no longer exist (or all, when `keep` is empty). */
export function forgetFired(sql: SqlStorage, keep: readonly number[]): void {
  sql.exec(
    `DELETE FROM alert_fired WHERE rule_id NOT IN (SELECT value FROM json_each(?))`,
    JSON.stringify(keep),
  );
}

/** Seconds per bucket of each resolution (Sentry's TSDB rolls up by 10 s and by the hour). */
const BUCKET_SECONDS = { s: 10, h: 3600 } as const;

/** Adds `n` events at `at` (seconds) to the issue's 10-second and hour buckets. */
export function addEventCount(sql: SqlStorage, issueId: number, at: number, n: number): void {
  const upsert =
    "INSERT INTO alert_counts (issue_id, res, bucket, n) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n";
  sql.exec(upsert, issueId, "s", Math.floor(at / BUCKET_SECONDS.s), n);
  sql.exec(upsert, issueId, "h", Math.floor(at / BUCKET_SECONDS.h), n);
}

/**
 * Events of the issue in the `seconds` up to `at`: every bucket the window touches counts whole, as
 * Sentry's TSDB sums do, so a window never misses events because it started inside a bucket (10 s
 * of slack up to an hour, an hour beyond).
 */
export function eventCount(sql: SqlStorage, issueId: number, at: number, seconds: number): number {
  const res = seconds <= 3600 ? "s" : "h";
  const size = BUCKET_SECONDS[res];
  const row = sql
    .exec<{ n: number | null }>(
      "SELECT SUM(n) AS n FROM alert_counts WHERE issue_id = ? AND res = ? AND bucket >= ?",
      issueId,
      res,
      Math.floor((at - seconds) / size),
    )
    .one();
  return row.n ?? 0;
}

export function addUser(sql: SqlStorage, issueId: number, userKey: string, at: number): void {
  sql.exec(
    "INSERT INTO alert_users (issue_id, user_key, seen_at) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET seen_at = MAX(seen_at, excluded.seen_at)",
    issueId,
    userKey,
    at,
  );
}

/** Distinct users of the issue seen in the last `seconds` up to `at`. */
export function userCount(sql: SqlStorage, issueId: number, at: number, seconds: number): number {
  return sql
    .exec<{ n: number }>(
      "SELECT COUNT(*) AS n FROM alert_users WHERE issue_id = ? AND seen_at > ?",
      issueId,
      at - seconds,
    )
    .one().n;
}

/** Drops counts and users older than the longest window (a week) and fire times older than 30 days. */
export function pruneAlertState(sql: SqlStorage, at: number): void {
  sql.exec("DELETE FROM alert_counts WHERE res = 'm'");
  sql.exec("DELETE FROM alert_counts WHERE res = 's' AND bucket < ?", Math.floor((at - 3600) / 10) - 1);
  sql.exec("DELETE FROM alert_counts WHERE res = 'h' AND bucket < ?", Math.floor(at / 3600) - 24 * 7 - 1);
  sql.exec("DELETE FROM alert_users WHERE seen_at < ?", at - 7 * 86_400);
  sql.exec("DELETE FROM alert_fired WHERE fired_at < ?", at - 30 * 86_400);
}

export function appendOutbox(sql: SqlStorage, bodies: readonly string[]): void {
  for (const body of bodies) sql.exec("INSERT INTO alert_outbox (body) VALUES (?)", body);
}

export function outboxHead(sql: SqlStorage, limit: number): { id: number; body: string }[] {
  return sql
    .exec<{ id: number; body: string }>("SELECT id, body FROM alert_outbox ORDER BY id LIMIT ?", limit)
    .toArray();
}

export function removeOutbox(sql: SqlStorage, throughId: number): void {
  sql.exec("DELETE FROM alert_outbox WHERE id <= ?", throughId);
}

export function outboxSize(sql: SqlStorage): number {
  return sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM alert_outbox").one().n;
}
