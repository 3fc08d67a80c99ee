// API bearer tokens: only their SHA-256 is stored; the plain token is shown once when created.
import { FaultlineError } from "../errors.ts";
import { sha256Hex } from "../protocol/sha256.ts";

export interface TokenIdentity {
  tokenId: number;
  userId: number | null;
  organizationId: number | null;
  scopes: Set<string>;
}

export { sha256Hex };

/** The identity behind `Authorization: Bearer <token>`, or 401 with Sentry's wording. */
export async function authenticateToken(
  db: D1Database,
  authorization: string | null,
): Promise<TokenIdentity> {
  const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!match?.[1]) throw new FaultlineError(401, "Authentication credentials were not provided.");
  const row = await db
    .prepare("SELECT id, user_id, organization_id, scopes FROM api_tokens WHERE token_hash = ?")
    .bind(await sha256Hex(match[1]))
    .first<{ id: number; user_id: number | null; organization_id: number | null; scopes: string }>();
  if (!row) throw new FaultlineError(401, "Invalid token");
  return {
    tokenId: row.id,
    userId: row.user_id,
    organizationId: row.organization_id,
    scopes: new Set(row.scopes.split(/\s+/).filter(Boolean)),
  };
}

/** Organization ids the token may act in: its own organization, or its user's memberships. */
export async function organizationsOf(db: D1Database, identity: TokenIdentity): Promise<Set<number>> {
  if (identity.organizationId !== null) return new Set([identity.organizationId]);
  const rows = await db
    .prepare("SELECT organization_id FROM memberships WHERE user_id = ?")
    .bind(identity.userId)
    .all<{ organization_id: number }>();
  return new Set(rows.results.map((r) => r.organization_id));
}
