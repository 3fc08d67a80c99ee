// Counters of web sign-in attempts, one row per key and fixed window. Taking a slot is one D1 batch (a
// single transaction, so concurrent attempts are serialized): expired windows are dropped, missing rows
// created, and all of the attempt's counters incremented only if none is full yet. So every attempt that
// is let through to the password check was counted before it, and no more than the limit get through.

export interface AttemptLimit {
  key: string;
  max: number;
}

export interface SlotResult {
  /** Whether the attempt may check a password (its slot is counted in every key). */
  allowed: boolean;
  /** When refused: seconds until the earliest full window ends. */
  retryAfter: number;
}

export async function takeAttemptSlot(
  db: D1Database,
  limits: readonly AttemptLimit[],
  now: number,
  windowSeconds: number,
): Promise<SlotResult> {
  const keys = JSON.stringify(limits.map((l) => l.key));
  const full = limits.map(() => "(key = ? AND count >= ?)").join(" OR ");
  const fullArgs = limits.flatMap((l) => [l.key, l.max]);
  const [, , incremented, state] = await db.batch<{ key: string; count: number; window_start: number }>([
    db.prepare("DELETE FROM ui_login_counters WHERE window_start <= ?").bind(now - windowSeconds),
    db
      .prepare(
        "INSERT INTO ui_login_counters (key, window_start, count) SELECT value, ?, 0 FROM json_each(?) WHERE true ON CONFLICT (key) DO NOTHING",
      )
      .bind(now, keys),
    // The uncorrelated subquery is evaluated once, before any row changes: all keys or none.
    db
      .prepare(
        `UPDATE ui_login_counters SET count = count + 1
         WHERE key IN (SELECT value FROM json_each(?))
           AND NOT EXISTS (SELECT 1 FROM ui_login_counters WHERE ${full})
         RETURNING key, count, window_start`,
      )
      .bind(keys, ...fullArgs),
    db
      .prepare(
        "SELECT key, count, window_start FROM ui_login_counters WHERE key IN (SELECT value FROM json_each(?))",
      )
      .bind(keys),
  ]);
  if ((incremented?.results.length ?? 0) > 0) return { allowed: true, retryAfter: 0 };
  const maxOf = new Map(limits.map((l) => [l.key, l.max]));
  let retryAfter = 0;
  for (const row of state?.results ?? []) {
    if (row.count >= (maxOf.get(row.key) ?? Number.POSITIVE_INFINITY)) {
      const wait = Math.max(1, Math.ceil(row.window_start + windowSeconds - now));
      retryAfter = retryAfter === 0 ? wait : Math.min(retryAfter, wait);
    }
  }
  // Refused but no counter full: cannot happen inside one transaction; wait a second to be safe.
  return { allowed: false, retryAfter: Math.max(1, retryAfter) };
}

/**
 * After a successful sign-in: the pair's counter is cleared and the slot is given back to the wider
 * counters, so they count failures and a busy office behind one IP is not throttled by its sign-ins.
 */
export async function releaseAfterSuccess(
  db: D1Database,
  clearKey: string,
  refundKeys: readonly string[],
): Promise<void> {
  await db.batch([
    db.prepare("DELETE FROM ui_login_counters WHERE key = ?").bind(clearKey),
    db
      .prepare(
        "UPDATE ui_login_counters SET count = count - 1 WHERE key IN (SELECT value FROM json_each(?)) AND count > 0",
      )
      .bind(JSON.stringify(refundKeys)),
  ]);
}
