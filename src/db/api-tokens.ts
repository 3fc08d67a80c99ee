// API bearer tokens by their SHA-256 (the plain token is never stored), and a user's personal tokens
// created or revoked from the web UI. The API's token routes use src/db/tenants.ts.

export interface StoredToken {
  id: number;
  user_id: number | null;
  organization_id: number | null;
  scopes: string;
  last_used_at: number | null;
}

export function tokenByHash(db: D1Database, tokenHash: string): Promise<StoredToken | null> {
  return db
    .prepare("SELECT id, user_id, organization_id, scopes, last_used_at FROM api_tokens WHERE token_hash = ?")
    .bind(tokenHash)
    .first<StoredToken>();
}

export async function insertUserToken(
  db: D1Database,
  input: {
    tokenHash: string;
    lastCharacters: string;
    name: string;
    userId: number;
    scopes: readonly string[];
  },
  now: number,
): Promise<void> {
  await db
    .prepare(
      "INSERT INTO api_tokens (token_hash, token_last_characters, name, user_id, scopes, created_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(input.tokenHash, input.lastCharacters, input.name, input.userId, input.scopes.join(" "), now)
    .run();
}

/** Revokes a token of this user (a token of anyone else is left alone). */
export async function deleteUserToken(db: D1Database, userId: number, tokenId: number): Promise<void> {
  await db.prepare("DELETE FROM api_tokens WHERE id = ? AND user_id = ?").bind(tokenId, userId).run();
}
