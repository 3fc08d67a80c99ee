// D1 access for organization invitations (`member_invites`) and the member list that shows members and
// invitations together. An invitation grants nothing: access is decided from `memberships` only, and a
// membership is created from an invitation only by the invited account presenting the invite token.
import type { Page } from "./page.ts";
import type { MemberRole as Role } from "./rows.ts";

/** Invitation ids start above any user id, so a member id (user id, or invitation id) is unambiguous. */
export const INVITE_ID_BASE = 1_000_000_000_000;

export const isInviteId = (id: number): boolean => id > INVITE_ID_BASE;

export interface InviteRow {
  id: number;
  organization_id: number;
  email: string;
  role: Role;
  created_at: number;
  expires_at: number;
}

/** An accepted member (with the account) or a pending invitation (no account fields at all). */
export type MemberListRow =
  | {
      kind: "member";
      id: number;
      email: string;
      name: string;
      role: Role;
      created_at: number;
      has_password: number;
      user_created_at: number;
    }
  | (InviteRow & { kind: "invite" });

interface UnionRow {
  kind: "member" | "invite";
  id: number;
  organization_id: number;
  email: string;
  name: string | null;
  role: Role;
  created_at: number;
  expires_at: number | null;
  has_password: number | null;
  user_created_at: number | null;
}

const toListRow = (r: UnionRow): MemberListRow =>
  r.kind === "member"
    ? {
        kind: "member",
        id: r.id,
        email: r.email,
        name: r.name ?? r.email,
        role: r.role,
        created_at: r.created_at,
        has_password: r.has_password ?? 0,
        user_created_at: r.user_created_at ?? r.created_at,
      }
    : {
        kind: "invite",
        id: r.id,
        organization_id: r.organization_id,
        email: r.email,
        role: r.role,
        created_at: r.created_at,
        expires_at: r.expires_at ?? r.created_at,
      };

const UNION = `SELECT 'member' AS kind, u.id, m.organization_id, u.email, u.name, m.role, m.created_at,
    NULL AS expires_at, u.password_hash IS NOT NULL AS has_password, u.created_at AS user_created_at
  FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.organization_id = ?1
  UNION ALL
  SELECT 'invite', i.id, i.organization_id, i.email, NULL, i.role, i.created_at, i.expires_at, NULL, NULL
  FROM member_invites i WHERE i.organization_id = ?1`;

/** Members and pending invitations of an organization, by email. */
export async function listMembersAndInvites(
  db: D1Database,
  organizationId: number,
  page: Page,
): Promise<{ rows: MemberListRow[]; hasMore: boolean }> {
  const { results } = await db
    .prepare(`SELECT * FROM (${UNION}) ORDER BY email, kind DESC, id LIMIT ?2 OFFSET ?3`)
    .bind(organizationId, page.limit + 1, page.offset)
    .all<UnionRow>();
  return { rows: results.slice(0, page.limit).map(toListRow), hasMore: results.length > page.limit };
}

export async function getInvite(
  db: D1Database,
  organizationId: number,
  id: number,
): Promise<InviteRow | null> {
  return db
    .prepare(
      "SELECT id, organization_id, email, role, created_at, expires_at FROM member_invites WHERE organization_id = ? AND id = ?",
    )
    .bind(organizationId, id)
    .first<InviteRow>();
}

export async function deleteInvite(db: D1Database, organizationId: number, id: number): Promise<void> {
  await db
    .prepare("DELETE FROM member_invites WHERE organization_id = ? AND id = ?")
    .bind(organizationId, id)
    .run();
}

/**
 * Invites an email: "member" when an account with it is already a member, "invited" when an invitation
 * for it exists (unless `refresh`, which gives that invitation a new token, role and expiry), else the
 * new invitation. One statement each, so concurrent invitations of one email create one row.
 */
export async function createInvite(
  db: D1Database,
  input: {
    organizationId: number;
    email: string;
    role: Role;
    tokenHash: string;
    invitedBy: number | null;
    now: number;
    expiresAt: number;
    refresh: boolean;
  },
): Promise<InviteRow | "member" | "invited"> {
  const member = await db
    .prepare(
      "SELECT 1 AS one FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.organization_id = ? AND u.email = ? COLLATE NOCASE",
    )
    .bind(input.organizationId, input.email)
    .first();
  if (member) return "member";
  const columns = "id, organization_id, email, role, created_at, expires_at";
  const inserted = await db
    .prepare(
      `INSERT INTO member_invites (id, organization_id, email, role, token_hash, invited_by, created_at, expires_at)
       SELECT (SELECT COALESCE(MAX(id), ?) + 1 FROM member_invites), ?, ?, ?, ?, ?, ?, ? WHERE true
       ON CONFLICT (organization_id, email) DO ${input.refresh ? "UPDATE SET role = excluded.role, token_hash = excluded.token_hash, invited_by = excluded.invited_by, created_at = excluded.created_at, expires_at = excluded.expires_at" : "NOTHING"}
       RETURNING ${columns}`,
    )
    .bind(
      INVITE_ID_BASE,
      input.organizationId,
      input.email,
      input.role,
      input.tokenHash,
      input.invitedBy,
      input.now,
      input.expiresAt,
    )
    .first<InviteRow>();
  return inserted ?? "invited";
}

export interface InviteForAcceptance extends InviteRow {
  org_slug: string;
  org_name: string;
  /** Whether an account with the invited email exists (only ever shown to the holder of the token). */
  account_exists: number;
}

/** The valid (unexpired) invitation with this id and token hash, or null. */
export async function inviteByToken(
  db: D1Database,
  id: number,
  tokenHash: string,
  now: number,
): Promise<InviteForAcceptance | null> {
  return db
    .prepare(
      `SELECT i.id, i.organization_id, i.email, i.role, i.created_at, i.expires_at, o.slug AS org_slug,
         o.name AS org_name, EXISTS (SELECT 1 FROM users u WHERE u.email = i.email COLLATE NOCASE) AS account_exists
       FROM member_invites i JOIN organizations o ON o.id = i.organization_id
       WHERE i.id = ? AND i.token_hash = ? AND i.expires_at > ?`,
    )
    .bind(id, tokenHash, now)
    .first<InviteForAcceptance>();
}

/**
 * The signed-in account accepts: the membership is created and the invitation consumed in one
 * transaction, only if the token matches, the invitation is unexpired and was made for this account's
 * email. True when accepted (also when the account was already a member).
 */
export async function acceptInvite(
  db: D1Database,
  input: { id: number; tokenHash: string; userId: number; userEmail: string; now: number },
): Promise<boolean> {
  const match = "id = ? AND token_hash = ? AND expires_at > ? AND email = ? COLLATE NOCASE";
  const args = [input.id, input.tokenHash, input.now, input.userEmail];
  const [, consumed] = await db.batch([
    db
      .prepare(
        `INSERT INTO memberships (organization_id, user_id, role, created_at)
         SELECT organization_id, ?, role, ? FROM member_invites WHERE ${match}
         ON CONFLICT (organization_id, user_id) DO NOTHING`,
      )
      .bind(input.userId, input.now, ...args),
    db.prepare(`DELETE FROM member_invites WHERE ${match}`).bind(...args),
  ]);
  return (consumed?.meta.changes ?? 0) === 1;
}

/**
 * Sign-up through an invitation: creates the account for the invited email with the invitee's own
 * password hash, makes it a member and consumes the invitation, in one transaction. Nothing happens when
 * an account with that email already exists (its owner must sign in and accept instead). Returns the new
 * user's id, or null.
 */
export async function signUpWithInvite(
  db: D1Database,
  input: { id: number; tokenHash: string; name: string; passwordHash: string; now: number },
): Promise<number | null> {
  const valid = "i.id = ? AND i.token_hash = ? AND i.expires_at > ?";
  const args = [input.id, input.tokenHash, input.now];
  // The password hash has a random salt, so it identifies the account this transaction created.
  const [, , , created] = await db.batch<{ id: number }>([
    db
      .prepare(
        `INSERT INTO users (email, name, password_hash, created_at)
         SELECT lower(i.email), ?, ?, ? FROM member_invites i
         WHERE ${valid} AND NOT EXISTS (SELECT 1 FROM users u WHERE u.email = i.email COLLATE NOCASE)
         ON CONFLICT (email) DO NOTHING`,
      )
      .bind(input.name, input.passwordHash, input.now, ...args),
    db
      .prepare(
        `INSERT INTO memberships (organization_id, user_id, role, created_at)
         SELECT i.organization_id, u.id, i.role, ? FROM member_invites i
         JOIN users u ON u.email = i.email COLLATE NOCASE AND u.password_hash = ?
         WHERE ${valid} ON CONFLICT (organization_id, user_id) DO NOTHING`,
      )
      .bind(input.now, input.passwordHash, ...args),
    db
      .prepare(
        `DELETE FROM member_invites AS i WHERE ${valid}
         AND EXISTS (SELECT 1 FROM users u WHERE u.email = i.email COLLATE NOCASE AND u.password_hash = ?)`,
      )
      .bind(...args, input.passwordHash),
    db.prepare("SELECT id FROM users WHERE password_hash = ?").bind(input.passwordHash),
  ]);
  return created?.results[0]?.id ?? null;
}

/** Every pending invitation of an organization (for the settings page), by email. */
export async function invitesOf(db: D1Database, organizationId: number): Promise<InviteRow[]> {
  const { results } = await db
    .prepare(
      "SELECT id, organization_id, email, role, created_at, expires_at FROM member_invites WHERE organization_id = ? ORDER BY email LIMIT 1000",
    )
    .bind(organizationId)
    .all<InviteRow>();
  return results;
}

export async function setMemberRole(
  db: D1Database,
  organizationId: number,
  userId: number,
  role: Role,
): Promise<void> {
  await db
    .prepare("UPDATE memberships SET role = ? WHERE organization_id = ? AND user_id = ?")
    .bind(role, organizationId, userId)
    .run();
}
