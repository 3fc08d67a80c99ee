// API bearer tokens by their SHA-256 (the plain token is never stored): the lookup behind every API
// request, a user's personal tokens created or revoked from the web UI, and the API's token routes.
import type { Page } from "./page.ts";
import type { apiTokens } from "./schema.ts";
import { all, first } from "./sql.ts";

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

// --- the REST API's token routes (rows with the schema's camel-case field names) ---------------------

export type ApiTokenRow = typeof apiTokens.$inferSelect;

const TOKEN_COLUMNS = `id, token_hash AS tokenHash, token_last_characters AS tokenLastCharacters, name,
  user_id AS userId, organization_id AS organizationId, scopes, created_at AS createdAt,
  last_used_at AS lastUsedAt`;

export async function insertToken(
  db: D1Database,
  input: {
    tokenHash: string;
    tokenLastCharacters: string;
    name: string;
    userId: number | null;
    organizationId: number | null;
    scopes: readonly string[];
  },
): Promise<ApiTokenRow> {
  const row = await first<ApiTokenRow>(
    db,
    `INSERT INTO api_tokens (token_hash, token_last_characters, name, user_id, organization_id, scopes, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${TOKEN_COLUMNS}`,
    [
      input.tokenHash,
      input.tokenLastCharacters,
      input.name,
      input.userId,
      input.organizationId,
      input.scopes.join(" "),
      Date.now() / 1000,
    ],
  );
  if (!row) throw new Error("token insert returned no row");
  return row;
}

/** A user's personal tokens (not the organization tokens they created). */
export function listUserTokens(db: D1Database, userId: number): Promise<ApiTokenRow[]> {
  return all<ApiTokenRow>(
    db,
    `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE user_id = ? AND organization_id IS NULL ORDER BY id ASC LIMIT 1000`,
    [userId],
  );
}

export function findUserToken(
  db: D1Database,
  userId: number,
  where: { id: number } | { hash: string },
): Promise<ApiTokenRow | null> {
  return first<ApiTokenRow>(
    db,
    `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE user_id = ? AND organization_id IS NULL AND ${"id" in where ? "id" : "token_hash"} = ?`,
    [userId, "id" in where ? where.id : where.hash],
  );
}

export async function listOrgTokens(db: D1Database, organizationId: number, page: Page) {
  const rows = await all<ApiTokenRow>(
    db,
    `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE organization_id = ? ORDER BY id ASC LIMIT ? OFFSET ?`,
    [organizationId, page.limit + 1, page.offset],
  );
  return { rows: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
}

export function getOrgToken(db: D1Database, organizationId: number, id: number): Promise<ApiTokenRow | null> {
  return first<ApiTokenRow>(
    db,
    `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE organization_id = ? AND id = ?`,
    [organizationId, id],
  );
}

export async function deleteToken(db: D1Database, id: number): Promise<void> {
  await db.prepare("DELETE FROM api_tokens WHERE id = ?").bind(id).run();
}
