// API bearer tokens: only their SHA-256 is stored; the plain token is shown once when created.
import { organizationIdsOfUser } from "../db/access-reads.ts";
import { recordTokenUse, tokenUseDue } from "../db/api-token-usage.ts";
import { tokenByHash } from "../db/api-tokens.ts";
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
  const row = await tokenByHash(db, await sha256Hex(match[1]));
  if (!row) throw new FaultlineError(401, "Invalid token");
  const now = Date.now() / 1000;
  // Awaited, but only about once a minute per token; a failure to record must not fail the request.
  if (tokenUseDue(row.last_used_at, now))
    await recordTokenUse(db, row.id, now).catch((error: unknown) => console.error("token use", error));
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
  return new Set(await organizationIdsOfUser(db, identity.userId));
}
