// Inviting an email to an organization, for the members API and the members settings page alike. The
// invite token is random, stored only as its SHA-256, and returned once as the link the inviter passes
// on: /accept-invite/{id}/{token}/ (Sentry's path shape). Inviting never creates or touches an account.
import { createInvite, type InviteRow } from "../db/members.ts";
import { INVITE_VALID_SECONDS } from "../limits.ts";
import type { Role } from "./access.ts";
import { sha256Hex } from "./tokens.ts";

export const inviteToken = (): string =>
  [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0")).join("");

export const inviteLink = (origin: string, id: number, token: string): string =>
  `${origin}/accept-invite/${id}/${token}/`;

export type InviteOutcome = { invite: InviteRow; link: string } | "member" | "invited";

export async function inviteMember(
  db: D1Database,
  input: {
    organizationId: number;
    email: string;
    role: Role;
    invitedBy: number | null;
    origin: string;
    /** Give an existing invitation of this email a new link (the old one stops working). */
    refresh: boolean;
  },
): Promise<InviteOutcome> {
  const token = inviteToken();
  const now = Date.now() / 1000;
  const result = await createInvite(db, {
    organizationId: input.organizationId,
    email: input.email,
    role: input.role,
    tokenHash: await sha256Hex(token),
    invitedBy: input.invitedBy,
    now,
    expiresAt: now + INVITE_VALID_SECONDS,
    refresh: input.refresh,
  });
  if (typeof result === "string") return result;
  return { invite: result, link: inviteLink(input.origin, result.id, token) };
}
