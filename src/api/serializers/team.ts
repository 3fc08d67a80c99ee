// Teams as Sentry's JSON. Faultline has no per-team membership: every member of an organization is a
// member of each of its teams (Sentry's "open membership"). Pure functions.
import { isoDate } from "../pagination.ts";

export interface TeamRecord {
  id: number;
  slug: string;
  name: string;
  createdAt: number;
}

export interface TeamJson {
  id: string;
  slug: string;
  name: string;
  dateCreated: string | null;
  isMember: boolean;
  teamRole: string | null;
  flags: { "idp:provisioned": boolean };
  access: string[];
  hasAccess: boolean;
  isPending: boolean;
  memberCount: number;
  avatar: { avatarType: string; avatarUuid: null };
}

export function serializeTeam(
  team: TeamRecord,
  context: { isMember: boolean; memberCount: number; access: readonly string[] },
): TeamJson {
  return {
    id: String(team.id),
    slug: team.slug,
    name: team.name,
    dateCreated: isoDate(team.createdAt),
    isMember: context.isMember,
    teamRole: context.isMember ? "contributor" : null,
    flags: { "idp:provisioned": false },
    access: [...context.access].filter((s) => s.startsWith("team:")).sort(),
    hasAccess: true,
    isPending: false,
    memberCount: context.memberCount,
    avatar: { avatarType: "letter_avatar", avatarUuid: null },
  };
}

/** The short team object projects embed. */
export const teamSummary = (team: Pick<TeamRecord, "id" | "slug" | "name">) => ({
  id: String(team.id),
  slug: team.slug,
  name: team.name,
});
