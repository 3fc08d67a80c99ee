// Projects as Sentry's JSON (list item and detail: sentry-cli needs id, slug, name; team optional) and
// the bodies of `POST /teams/{org}/{team}/projects/` and `PUT /projects/{org}/{project}/`. Pure functions.

import { badRequest } from "../../errors.ts";
import {
  effectiveRetentionDays,
  MAX_PLATFORM_CHARS,
  MAX_RETENTION_DAYS,
  MAX_SCRUB_FIELD_CHARS,
  MAX_SCRUB_FIELDS,
  MIN_RETENTION_DAYS,
} from "../../limits.ts";
import { type InboundFilters, parseStoredFilters } from "../../protocol/filters/index.ts";
import { parseFieldList } from "../../protocol/scrub/index.ts";
import { isoDate } from "../pagination.ts";
import { isValidSlug, MAX_NAME_CHARS, nameAndSlug, objectBody } from "../slugs.ts";
import {
  parseRateLimit,
  type RateLimitColumns,
  type RateLimitJson,
  serializeRateLimit,
} from "./rate-limit.ts";
import { teamSummary } from "./team.ts";

export interface ProjectRecord extends RateLimitColumns {
  id: number;
  organizationId: number;
  teamId: number | null;
  slug: string;
  name: string;
  platform: string | null;
  status: "active" | "disabled";
  createdAt: number;
  dataScrubber: number;
  dataScrubberDefaults: number;
  scrubIpAddresses: number;
  /** JSON arrays of strings. */
  sensitiveFields: string;
  safeFields: string;
  /** JSON object (src/protocol/filters/stored.ts). */
  inboundFilters: string;
  /** Days of retention; null: the organization's default (docs/retention.md). */
  retentionDays: number | null;
}

export interface ProjectContext {
  team: { id: number; slug: string; name: string } | null;
  organization?: { id: number; slug: string; name: string };
  isMember: boolean;
  access: readonly string[];
  /** The organization's own retention in days (null: the default), which caps the project's. */
  organizationRetentionDays: number | null;
}

export interface ProjectJson {
  id: string;
  slug: string;
  name: string;
  platform: string | null;
  dateCreated: string | null;
  isBookmarked: boolean;
  isMember: boolean;
  features: string[];
  firstEvent: null;
  firstTransactionEvent: boolean;
  access: string[];
  hasAccess: boolean;
  isPublic: boolean;
  isInternal: boolean;
  avatar: { avatarType: string; avatarUuid: null };
  color: string;
  status: string;
  rateLimit: RateLimitJson | null;
  dataScrubber: boolean;
  dataScrubberDefaults: boolean;
  scrubIPAddresses: boolean;
  sensitiveFields: string[];
  safeFields: string[];
  /**
   * Days events and telemetry are kept (Faultline's field, docs/retention.md): the project's own, never
   * more than its organization's; the organization's (or the default) when the project has none.
   */
  retentionDays: number;
  /** Sentry's project options; the inbound filters' lists, one entry per line. */
  options: Record<string, string>;
  team: ReturnType<typeof teamSummary> | null;
  teams: ReturnType<typeof teamSummary>[];
  organization?: { id: string; slug: string; name: string };
}

/** A stable colour per slug, as Sentry shows next to a project. */
function colorFor(slug: string): string {
  let hash = 0;
  for (const c of slug) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return `#${(hash & 0xffffff).toString(16).padStart(6, "0")}`;
}

export function serializeProject(project: ProjectRecord, context: ProjectContext): ProjectJson {
  const team = context.team ? teamSummary(context.team) : null;
  return {
    id: String(project.id),
    slug: project.slug,
    name: project.name,
    platform: project.platform,
    dateCreated: isoDate(project.createdAt),
    isBookmarked: false,
    isMember: context.isMember,
    features: [],
    firstEvent: null,
    firstTransactionEvent: false,
    access: [...context.access].filter((s) => s.startsWith("project:") || s.startsWith("event:")).sort(),
    hasAccess: true,
    isPublic: false,
    isInternal: false,
    avatar: { avatarType: "letter_avatar", avatarUuid: null },
    color: colorFor(project.slug),
    status: project.status,
    rateLimit: serializeRateLimit(project),
    dataScrubber: project.dataScrubber !== 0,
    dataScrubberDefaults: project.dataScrubberDefaults !== 0,
    scrubIPAddresses: project.scrubIpAddresses !== 0,
    sensitiveFields: parseFieldList(project.sensitiveFields),
    safeFields: parseFieldList(project.safeFields),
    retentionDays: effectiveRetentionDays(project.retentionDays, context.organizationRetentionDays),
    options: filterOptions(parseStoredFilters(project.inboundFilters)),
    team,
    teams: team ? [team] : [],
    ...(context.organization
      ? {
          organization: {
            id: String(context.organization.id),
            slug: context.organization.slug,
            name: context.organization.name,
          },
        }
      : {}),
  };
}

function parsePlatform(value: unknown): string | null {
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string" || value.length > MAX_PLATFORM_CHARS || !/^[a-z0-9._-]+$/.test(value))
    throw badRequest("Invalid platform");
  return value;
}

export interface ProjectCreate {
  name: string;
  slug: string;
  platform: string | null;
}

export function parseProjectCreate(body: unknown): ProjectCreate {
  const input = objectBody(body);
  const { name, slug } = nameAndSlug(input, "Project");
  return { name, slug, platform: parsePlatform(input.platform) };
}

export interface ProjectChanges extends Partial<RateLimitColumns> {
  name?: string;
  slug?: string;
  platform?: string | null;
  dataScrubber?: number;
  dataScrubberDefaults?: number;
  scrubIpAddresses?: number;
  /** JSON arrays of strings. */
  sensitiveFields?: string;
  safeFields?: string;
  /** Days of retention; null: back to the default. */
  retentionDays?: number | null;
  /** New inbound filter lists (from `options`), merged into the stored filters by the route. */
  filterLists?: Partial<Record<FilterList, string[]>>;
}

/** Project options that hold inbound filter lists, and the setting each is. */
const FILTER_OPTIONS = {
  "filters:error_messages": "errorMessages",
  "filters:releases": "releases",
  "filters:blacklisted_ips": "blockedIps",
} as const;

type FilterList = (typeof FILTER_OPTIONS)[keyof typeof FILTER_OPTIONS];

function filterOptions(filters: InboundFilters): Record<string, string> {
  return Object.fromEntries(
    Object.entries(FILTER_OPTIONS).map(([option, setting]) => [option, filters[setting].join("\n")]),
  );
}

function flag(value: unknown, name: string): number {
  if (typeof value !== "boolean") throw badRequest(`${name}: must be true or false`);
  return value ? 1 : 0;
}

/** A field list as Sentry's settings send it: a list of strings (or one per line), stored as JSON. */
function fieldList(value: unknown, name: string): string {
  const items = typeof value === "string" ? value.split("\n") : value;
  if (!Array.isArray(items) || items.some((v) => typeof v !== "string")) {
    throw badRequest(`${name}: must be a list of strings`);
  }
  const fields = [...new Set(items.map((v: string) => v.trim()).filter((v) => v !== ""))];
  if (fields.length > MAX_SCRUB_FIELDS) throw badRequest(`${name}: at most ${MAX_SCRUB_FIELDS} fields`);
  if (fields.some((f) => f.length > MAX_SCRUB_FIELD_CHARS)) {
    throw badRequest(`${name}: a field is at most ${MAX_SCRUB_FIELD_CHARS} characters`);
  }
  return JSON.stringify(fields);
}

/**
 * A retention in whole days from MIN_RETENTION_DAYS to `max` (MAX_RETENTION_DAYS, or the organization's
 * for a project); null (or "") for the default.
 */
export function parseRetentionDays(value: unknown, max: number = MAX_RETENTION_DAYS): number | null {
  if (value === null || value === "") return null;
  const days = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (
    typeof days !== "number" ||
    !Number.isInteger(days) ||
    days < MIN_RETENTION_DAYS ||
    days > MAX_RETENTION_DAYS
  )
    throw badRequest(
      `retentionDays: a whole number of days from ${MIN_RETENTION_DAYS} to ${MAX_RETENTION_DAYS}, or null for the default`,
    );
  if (days > max)
    throw badRequest(`retentionDays: at most the organization's retention of ${max} days, or null for it`);
  return days;
}

/** A PUT body's changes; `organizationRetentionDays` (null: the default) caps the project's retentionDays. */
export function parseProjectChanges(
  body: unknown,
  organizationRetentionDays: number | null = null,
): ProjectChanges {
  const input = objectBody(body);
  const changes: ProjectChanges = {};
  if (input.name !== undefined) {
    if (typeof input.name !== "string" || !input.name.trim() || input.name.trim().length > MAX_NAME_CHARS)
      throw badRequest(`Project name must be 1 to ${MAX_NAME_CHARS} characters`);
    changes.name = input.name.trim();
  }
  if (input.slug !== undefined) {
    if (typeof input.slug !== "string" || !isValidSlug(input.slug))
      throw badRequest(
        "Enter a valid slug consisting of lowercase letters, numbers, underscores or hyphens. It cannot be entirely numeric.",
      );
    changes.slug = input.slug;
  }
  if (input.platform !== undefined) changes.platform = parsePlatform(input.platform);
  if (input.rateLimit !== undefined) Object.assign(changes, parseRateLimit(input.rateLimit));
  if (input.dataScrubber !== undefined) changes.dataScrubber = flag(input.dataScrubber, "dataScrubber");
  if (input.dataScrubberDefaults !== undefined) {
    changes.dataScrubberDefaults = flag(input.dataScrubberDefaults, "dataScrubberDefaults");
  }
  if (input.scrubIPAddresses !== undefined) {
    changes.scrubIpAddresses = flag(input.scrubIPAddresses, "scrubIPAddresses");
  }
  if (input.sensitiveFields !== undefined) {
    changes.sensitiveFields = fieldList(input.sensitiveFields, "sensitiveFields");
  }
  if (input.safeFields !== undefined) changes.safeFields = fieldList(input.safeFields, "safeFields");
  if (input.retentionDays !== undefined) {
    const max = effectiveRetentionDays(null, organizationRetentionDays);
    changes.retentionDays = parseRetentionDays(input.retentionDays, max);
  }
  if (input.options !== undefined) {
    const options = objectBody(input.options);
    const lists: Partial<Record<FilterList, string[]>> = {};
    for (const [option, setting] of Object.entries(FILTER_OPTIONS)) {
      if (options[option] !== undefined)
        lists[setting] = JSON.parse(fieldList(options[option], option)) as string[];
    }
    changes.filterLists = lists;
  }
  return changes;
}
