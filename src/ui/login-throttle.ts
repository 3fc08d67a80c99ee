// Sign-in throttling: after MAX_FAILURES failed attempts for one email, or MAX_IP_FAILURES from one client
// IP, within WINDOW_SECONDS, further attempts are refused (429) until the oldest failure leaves the window.
// Counted in D1 so every isolate sees the same count; only failures write rows.

export const WINDOW_SECONDS = 15 * 60;
export const MAX_FAILURES = 10;
export const MAX_IP_FAILURES = 50;

/** Seconds until another attempt is allowed, or 0 when the email and IP may try now. */
export async function secondsUntilAllowed(
  db: D1Database,
  email: string,
  ip: string,
  now: number,
): Promise<number> {
  const since = now - WINDOW_SECONDS;
  const [byEmail, byIp] = await db.batch<{ n: number; oldest: number | null }>([
    db
      .prepare("SELECT COUNT(*) AS n, MIN(at) AS oldest FROM ui_login_failures WHERE email = ? AND at > ?")
      .bind(email, since),
    db
      .prepare("SELECT COUNT(*) AS n, MIN(at) AS oldest FROM ui_login_failures WHERE ip = ? AND at > ?")
      .bind(ip, since),
  ]);
  const wait = (row: { n: number; oldest: number | null } | undefined, max: number) =>
    row && row.n >= max && row.oldest !== null
      ? Math.max(1, Math.ceil(row.oldest + WINDOW_SECONDS - now))
      : 0;
  return Math.max(wait(byEmail?.results[0], MAX_FAILURES), wait(byIp?.results[0], MAX_IP_FAILURES));
}

export async function recordFailure(db: D1Database, email: string, ip: string, now: number): Promise<void> {
  await db.batch([
    db.prepare("INSERT INTO ui_login_failures (email, ip, at) VALUES (?, ?, ?)").bind(email, ip, now),
    db.prepare("DELETE FROM ui_login_failures WHERE at <= ?").bind(now - WINDOW_SECONDS),
  ]);
}

export async function clearFailures(db: D1Database, email: string): Promise<void> {
  await db.prepare("DELETE FROM ui_login_failures WHERE email = ?").bind(email).run();
}
