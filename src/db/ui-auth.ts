// Web UI sign-in: the account an email signs in as, and sessions stored by their token's SHA-256
// (the cookie holds the token; see src/ui/session.ts).

/** The account an email signs in as (case-insensitive), with its password hash. */
export function userForSignIn(
  db: D1Database,
  email: string,
): Promise<{ id: number; password_hash: string | null } | null> {
  return db
    .prepare("SELECT id, password_hash FROM users WHERE email = ? COLLATE NOCASE")
    .bind(email)
    .first<{ id: number; password_hash: string | null }>();
}

export interface SessionRow {
  id: number;
  csrf_token: string;
  expires_at: number;
  last_seen_at: number;
  user_id: number;
  email: string;
  name: string;
}

export async function insertSession(
  db: D1Database,
  session: { tokenHash: string; userId: number; csrfToken: string; expiresAt: number },
  now: number,
): Promise<void> {
  await db
    .prepare(
      "INSERT INTO ui_sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(session.tokenHash, session.userId, session.csrfToken, now, session.expiresAt, now)
    .run();
}

/** The session with this token hash and its user (expired ones too: the caller checks the expiry). */
export function sessionByTokenHash(db: D1Database, tokenHash: string): Promise<SessionRow | null> {
  return db
    .prepare(
      `SELECT s.id, s.csrf_token, s.expires_at, s.last_seen_at, u.id AS user_id, u.email, u.name
       FROM ui_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`,
    )
    .bind(tokenHash)
    .first<SessionRow>();
}

export async function touchSession(db: D1Database, sessionId: number, now: number, expiresAt: number) {
  await db
    .prepare("UPDATE ui_sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?")
    .bind(now, expiresAt, sessionId)
    .run();
}

export async function deleteSessionRow(db: D1Database, sessionId: number): Promise<void> {
  await db.prepare("DELETE FROM ui_sessions WHERE id = ?").bind(sessionId).run();
}
