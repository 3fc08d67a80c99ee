// Users, organization members and pending invitations as Sentry's JSON, and the body of
// `POST …/members/`. An accepted member's id is its user id (memberships are keyed by organization and
// user); a pending invitation's id is the invitation's (ids from 10^12, see src/db/members.ts) and it
// carries nothing about any account — `user` is null — so the list never tells whether the invited email
// already has an account somewhere. Pure functions.

import { badRequest } from "../../errors.ts";
import { MAX_EMAIL_CHARS } from "../../limits.ts";
import type { Role } from "../access.ts";
import { isoDate } from "../pagination.ts";
import { objectBody } from "../slugs.ts";

export interface UserRecord {
  id: number;
  email: string;
  name: string;
  passwordHash: string | null;
  createdAt: number;
}

export interface UserJson {
  id: string;
  name: string;
  username: string;
  email: string;
  avatarUrl: null;
  isActive: boolean;
  hasPasswordAuth: boolean;
  isManaged: boolean;
  dateJoined: string | null;
  lastLogin: null;
  has2fa: boolean;
  lastActive: null;
  isSuperuser: boolean;
  isStaff: boolean;
  experiments: Record<string, never>;
  emails: { id: string; email: string; is_verified: boolean }[];
  avatar: { avatarType: string; avatarUuid: null };
}

/** What the user JSON is made from: the account, without its password hash. */
export interface AccountRecord {
  id: number;
  email: string;
  name: string;
  hasPasswordAuth: boolean;
  createdAt: number;
}

export const accountOf = (user: UserRecord): AccountRecord => ({
  id: user.id,
  email: user.email,
  name: user.name,
  hasPasswordAuth: user.passwordHash !== null,
  createdAt: user.createdAt,
});

export function serializeUser(user: UserRecord): UserJson {
  return serializeAccount(accountOf(user));
}

export function serializeAccount(user: AccountRecord): UserJson {
  return {
    id: String(user.id),
    name: user.name,
    username: user.email,
    email: user.email,
    avatarUrl: null,
    isActive: true,
    hasPasswordAuth: user.hasPasswordAuth,
    isManaged: false,
    dateJoined: isoDate(user.createdAt),
    lastLogin: null,
    has2fa: false,
    lastActive: null,
    isSuperuser: false,
    isStaff: false,
    experiments: {},
    emails: [{ id: String(user.id), email: user.email, is_verified: true }],
    avatar: { avatarType: "letter_avatar", avatarUuid: null },
  };
}

const ROLE_NAMES: Record<Role, string> = { owner: "Owner", admin: "Admin", member: "Member" };
export const ROLES: readonly Role[] = ["owner", "admin", "member"];

export interface MemberJson {
  id: string;
  email: string;
  name: string;
  user: UserJson | null;
  role: Role;
  orgRole: Role;
  roleName: string;
  pending: boolean;
  expired: boolean;
  flags: Record<string, boolean>;
  dateCreated: string | null;
  inviteStatus: string;
  inviterName: null;
  teams: string[];
  teamRoles: { teamSlug: string; role: string | null }[];
}

export function serializeMember(
  user: AccountRecord,
  membership: { role: Role; createdAt: number },
  teamSlugs: readonly string[],
): MemberJson {
  return {
    id: String(user.id),
    email: user.email,
    name: user.name,
    user: serializeAccount(user),
    role: membership.role,
    orgRole: membership.role,
    roleName: ROLE_NAMES[membership.role],
    pending: false,
    expired: false,
    flags: { "sso:linked": false, "sso:invalid": false, "member-limit:restricted": false },
    dateCreated: isoDate(membership.createdAt),
    inviteStatus: "approved",
    inviterName: null,
    teams: [...teamSlugs],
    teamRoles: teamSlugs.map((teamSlug) => ({ teamSlug, role: null })),
  };
}

/**
 * A pending invitation, as Sentry shows one: `pending: true`, `expired`, `user: null`. Sentry's
 * `inviteStatus` is the invitation's *approval* state, which is "approved" for every invitation an
 * owner or admin made (Faultline has no invite requests); `pending` is what says it is not accepted.
 */
export function serializeInvite(
  invite: { id: number; email: string; role: Role; created_at: number; expires_at: number },
  teamSlugs: readonly string[],
  now: number,
): MemberJson {
  return {
    id: String(invite.id),
    email: invite.email,
    name: invite.email,
    user: null,
    role: invite.role,
    orgRole: invite.role,
    roleName: ROLE_NAMES[invite.role],
    pending: true,
    expired: invite.expires_at <= now,
    flags: { "sso:linked": false, "sso:invalid": false, "member-limit:restricted": false },
    dateCreated: isoDate(invite.created_at),
    inviteStatus: "approved",
    inviterName: null,
    teams: [...teamSlugs],
    teamRoles: teamSlugs.map((teamSlug) => ({ teamSlug, role: null })),
  };
}

export function parseEmail(value: unknown): string {
  if (typeof value !== "string") throw badRequest("Enter a valid email address.");
  const email = value.trim().toLowerCase();
  if (email.length > MAX_EMAIL_CHARS || !/^[^\s@]+@[^\s@]+$/.test(email))
    throw badRequest("Enter a valid email address.");
  return email;
}

export function parseRole(value: unknown): Role {
  if (value === undefined || value === null) return "member";
  if (typeof value !== "string" || !(ROLES as readonly string[]).includes(value))
    throw badRequest(`Invalid role: expected one of ${ROLES.join(", ")}`);
  return value as Role;
}

/** `POST …/members/`: `email` and `orgRole` (or the older `role`). */
export function parseMemberCreate(body: unknown): { email: string; role: Role } {
  const input = objectBody(body);
  return { email: parseEmail(input.email), role: parseRole(input.orgRole ?? input.role) };
}
