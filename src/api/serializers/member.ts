// Users and organization members as Sentry's JSON, and the body of `POST …/members/`. Faultline has no
// invitations: adding a member by email creates the user when missing, so members are never pending.
// A member's id is its user id (memberships are keyed by organization and user). Pure functions.
import { badRequest } from "../../errors.ts";
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

export function serializeUser(user: UserRecord): UserJson {
  return {
    id: String(user.id),
    name: user.name,
    username: user.email,
    email: user.email,
    avatarUrl: null,
    isActive: true,
    hasPasswordAuth: user.passwordHash !== null,
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
  user: UserJson;
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
  user: UserRecord,
  membership: { role: Role; createdAt: number },
  teamSlugs: readonly string[],
): MemberJson {
  return {
    id: String(user.id),
    email: user.email,
    name: user.name,
    user: serializeUser(user),
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

const MAX_EMAIL_CHARS = 254;

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
