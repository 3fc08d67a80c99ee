// Sign-in throttling: every attempt takes a slot in three counters before its password is checked —
// per (email, client IP), per email and per client IP (limits in src/limits.ts) — and is refused with 429
// when any is full. The tight limit is per pair, so wrong passwords from one address cannot lock the
// user out from another; the looser per-email limit still bounds guessing spread over many addresses.
// Counted in D1, atomically (src/db/login-attempts.ts), so every isolate and concurrent request agrees.
import { releaseAfterSuccess, takeAttemptSlot } from "../db/login-attempts.ts";
import {
  LOGIN_WINDOW_SECONDS,
  MAX_LOGIN_ATTEMPTS_PER_EMAIL,
  MAX_LOGIN_ATTEMPTS_PER_EMAIL_AND_IP,
  MAX_LOGIN_ATTEMPTS_PER_IP,
} from "../limits.ts";

const keysOf = (email: string, ip: string) => {
  const normalized = email.trim().toLowerCase();
  return { pair: `pair:${normalized} ${ip}`, email: `email:${normalized}`, ip: `ip:${ip}` };
};

/** Takes a slot for this attempt: 0 when it may check the password now, else seconds to wait. */
export async function takeLoginAttempt(
  db: D1Database,
  email: string,
  ip: string,
  now: number,
): Promise<number> {
  const k = keysOf(email, ip);
  const slot = await takeAttemptSlot(
    db,
    [
      { key: k.pair, max: MAX_LOGIN_ATTEMPTS_PER_EMAIL_AND_IP },
      { key: k.email, max: MAX_LOGIN_ATTEMPTS_PER_EMAIL },
      { key: k.ip, max: MAX_LOGIN_ATTEMPTS_PER_IP },
    ],
    now,
    LOGIN_WINDOW_SECONDS,
  );
  return slot.allowed ? 0 : slot.retryAfter;
}

/** The attempt succeeded: its pair starts afresh and it no longer counts against the email or the IP. */
export async function loginSucceeded(db: D1Database, email: string, ip: string): Promise<void> {
  const k = keysOf(email, ip);
  await releaseAfterSuccess(db, k.pair, [k.email, k.ip]);
}
