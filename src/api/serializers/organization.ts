// Organizations as Sentry's JSON: the list item (what sentry-cli deserialises: id, slug, name,
// dateCreated, isEarlyAdopter, require2FA, requireEmailVerification, features) and the detail, which adds
// the caller's role and access and Faultline's retentionDays. Pure functions.
import { effectiveRetentionDays } from "../../limits.ts";
import { isoDate } from "../pagination.ts";

export interface OrganizationRecord {
  id: number;
  slug: string;
  name: string;
  createdAt: number;
}

export interface OrganizationJson {
  id: string;
  slug: string;
  name: string;
  dateCreated: string | null;
  status: { id: string; name: string };
  isEarlyAdopter: boolean;
  require2FA: boolean;
  requireEmailVerification: boolean;
  features: string[];
  avatar: { avatarType: string; avatarUuid: null; avatarUrl: null };
  links: { organizationUrl: string; regionUrl: string };
  hasAuthProvider: boolean;
  allowMemberInvite: boolean;
  allowMemberProjectCreation: boolean;
  allowSuperuserAccess: boolean;
}

export function serializeOrganization(org: OrganizationRecord, origin: string): OrganizationJson {
  return {
    id: String(org.id),
    slug: org.slug,
    name: org.name,
    dateCreated: isoDate(org.createdAt),
    status: { id: "active", name: "active" },
    isEarlyAdopter: false,
    require2FA: false,
    requireEmailVerification: false,
    features: [],
    avatar: { avatarType: "letter_avatar", avatarUuid: null, avatarUrl: null },
    links: { organizationUrl: origin, regionUrl: origin },
    hasAuthProvider: false,
    allowMemberInvite: true,
    allowMemberProjectCreation: false,
    allowSuperuserAccess: false,
  };
}

export interface OrganizationDetailJson extends OrganizationJson {
  role: string | null;
  orgRole: string | null;
  access: string[];
  isDefault: boolean;
  defaultRole: string;
  openMembership: boolean;
  allowSharedIssues: boolean;
  enhancedPrivacy: boolean;
  dataScrubber: boolean;
  scrubIPAddresses: boolean;
  experiments: Record<string, never>;
  quota: { maxRate: null; maxRateInterval: number; accountLimit: number; projectLimit: number };
  /** Days its projects keep data unless one sets fewer (Faultline's field, docs/retention.md). */
  retentionDays: number;
  teams: unknown[];
  projects: unknown[];
}

export function serializeOrganizationDetail(
  org: OrganizationRecord,
  origin: string,
  extra: {
    role: string | null;
    access: readonly string[];
    /** The organization's own retention; null: the default. */
    retentionDays: number | null;
    teams: unknown[];
    projects: unknown[];
  },
): OrganizationDetailJson {
  return {
    ...serializeOrganization(org, origin),
    role: extra.role,
    orgRole: extra.role,
    access: [...extra.access].sort(),
    isDefault: false,
    defaultRole: "member",
    openMembership: true,
    allowSharedIssues: false,
    enhancedPrivacy: false,
    dataScrubber: false,
    scrubIPAddresses: false,
    experiments: {},
    quota: { maxRate: null, maxRateInterval: 60, accountLimit: 0, projectLimit: 100 },
    retentionDays: effectiveRetentionDays(null, extra.retentionDays),
    teams: extra.teams,
    projects: extra.projects,
  };
}
