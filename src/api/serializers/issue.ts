// Issues between Sentry's JSON and Faultline's rows: an `issues` row written as Sentry's issue JSON,
// `PUT` bodies read into one update, and tag summaries. Pure functions.

import type { IssueTableRow, TagCountRow } from "../../db/rows.ts";
import { badRequest } from "../../errors.ts";
import { MAX_WINDOW_MINUTES } from "../../limits.ts";
import type { Resolution } from "../../project/index.ts";
import { formatShortId } from "../../protocol/issue-search.ts";
import { isoFromSeconds } from "../../protocol/items/json.ts";

/** An `issues` row, plus the status it reads back as. */
export interface IssueRecord extends IssueTableRow {
  /** The status after expired ignores are taken into account (see `effectiveStatusSql`). */
  effective_status?: string;
}

export interface ProjectSummary {
  id: number;
  slug: string;
  name: string;
  platform: string | null;
}

export type ActorJson =
  | { type: "user"; id: string; name: string; email: string }
  | { type: "team"; id: string; name: string; slug: string };

/** Stored ignore details (`issues.status_details`); times are unix seconds. */
export interface IgnoreDetails {
  ignoreUntil?: number;
  ignoreDuration?: number;
  ignoreCount?: number;
  ignoreWindow?: number;
  ignoreUserCount?: number;
  ignoreUserWindow?: number;
  countAtIgnore?: number;
  usersAtIgnore?: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** ISO 8601 for stored seconds; null for absent or out-of-range values (a stored row never breaks a page). */
export const isoDate = (seconds: number | null | undefined): string | null => isoFromSeconds(seconds);

function parseJson(text: string | null): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export function parseResolution(text: string | null): Resolution | null {
  const value = parseJson(text);
  if (!isRecord(value)) return null;
  if (value.type === "in_release" && typeof value.release === "string")
    return { type: "in_release", release: value.release };
  if (value.type === "in_next_release")
    return { type: "in_next_release", release: typeof value.release === "string" ? value.release : null };
  return { type: "resolved" };
}

export function parseIgnoreDetails(text: string | null): IgnoreDetails | null {
  const value = parseJson(text);
  if (!isRecord(value)) return null;
  const out: IgnoreDetails = {};
  for (const key of [
    "ignoreUntil",
    "ignoreDuration",
    "ignoreCount",
    "ignoreWindow",
    "ignoreUserCount",
    "ignoreUserWindow",
    "countAtIgnore",
    "usersAtIgnore",
  ] as const) {
    const v = value[key];
    if (typeof v === "number" && Number.isFinite(v)) out[key] = v;
  }
  return out;
}

/** The status an issue reads back as (an ignore that ran out reads as unresolved), in TypeScript. */
export function effectiveStatus(issue: IssueRecord, now: number): IssueRecord["status"] {
  if (issue.effective_status === "unresolved" || issue.effective_status === "ignored") {
    return issue.effective_status;
  }
  if (issue.effective_status === "resolved") return "resolved";
  if (issue.status !== "ignored") return issue.status;
  const d = parseIgnoreDetails(issue.status_details);
  if (!d) return "ignored";
  const expired =
    (d.ignoreUntil !== undefined && d.ignoreUntil <= now) ||
    (d.ignoreCount !== undefined && issue.times_seen - (d.countAtIgnore ?? 0) >= d.ignoreCount) ||
    (d.ignoreUserCount !== undefined && issue.user_count - (d.usersAtIgnore ?? 0) >= d.ignoreUserCount);
  return expired ? "unresolved" : "ignored";
}

/** Sentry's `statusDetails` for a status and what is stored about it. */
export function statusDetailsJson(
  status: IssueRecord["status"],
  resolution: Resolution | null,
  ignore: IgnoreDetails | null,
): Record<string, unknown> {
  if (status === "resolved") {
    if (resolution?.type === "in_release") return { inRelease: resolution.release };
    if (resolution?.type === "in_next_release") return { inNextRelease: true };
    return {};
  }
  if (status === "ignored" && ignore) {
    const out: Record<string, unknown> = {};
    if (ignore.ignoreUntil !== undefined) out.ignoreUntil = isoDate(ignore.ignoreUntil);
    if (ignore.ignoreCount !== undefined) out.ignoreCount = ignore.ignoreCount;
    if (ignore.ignoreWindow !== undefined) out.ignoreWindow = ignore.ignoreWindow;
    if (ignore.ignoreUserCount !== undefined) out.ignoreUserCount = ignore.ignoreUserCount;
    if (ignore.ignoreUserWindow !== undefined) out.ignoreUserWindow = ignore.ignoreUserWindow;
    return out;
  }
  return {};
}

function metadataOf(issue: IssueRecord): Record<string, unknown> {
  const value = parseJson(issue.metadata);
  return isRecord(value) ? value : {};
}

/** Whether the issue's events were not handled by the app (an unhandled mechanism or a crash). */
function isUnhandledFromMetadata(metadata: Record<string, unknown>): boolean {
  return metadata.unhandled === true || metadata.handled === false;
}

export interface IssueJsonContext {
  project: ProjectSummary;
  orgSlug: string;
  /** Origin of the API (scheme + host), for permalinks. */
  origin: string;
  now: number;
  assignee: ActorJson | null;
  /** `stats` object (`{"24h": [[ts, n], ...]}`) when a stats period was asked for. */
  stats?: Record<string, [number, number][]>;
  /** Overrides the unhandled flag (the issue detail looks at the latest event). */
  isUnhandled?: boolean;
}

/** The issue as Sentry's issue list and detail serve it. */
export function serializeIssue(issue: IssueRecord, ctx: IssueJsonContext) {
  const status = effectiveStatus(issue, ctx.now);
  const resolution = parseResolution(issue.resolution);
  const ignore = parseIgnoreDetails(issue.status_details);
  const metadata = metadataOf(issue);
  const substatus =
    status === "unresolved" && issue.status === "ignored"
      ? "ongoing"
      : status === "resolved"
        ? null
        : (issue.substatus ?? (status === "unresolved" ? "ongoing" : null));
  const level = issue.level;
  return {
    id: String(issue.id),
    shareId: null,
    shortId: formatShortId(ctx.project.slug, issue.short_id ?? issue.id),
    title: issue.title,
    culprit: issue.culprit,
    permalink: `${ctx.origin}/organizations/${ctx.orgSlug}/issues/${issue.id}/`,
    logger: issue.logger,
    level,
    status,
    statusDetails: statusDetailsJson(status, resolution, status === "ignored" ? ignore : null),
    substatus,
    isPublic: false,
    platform: issue.platform,
    project: {
      id: String(ctx.project.id),
      name: ctx.project.name,
      slug: ctx.project.slug,
      platform: ctx.project.platform,
    },
    type: issue.type === "default" || issue.type === "error" ? issue.type : "error",
    metadata,
    numComments: 0,
    assignedTo: ctx.assignee,
    isBookmarked: issue.is_bookmarked === 1,
    isSubscribed: false,
    subscriptionDetails: null,
    hasSeen: issue.has_seen === 1,
    annotations: [],
    issueType: "error",
    issueCategory: "error",
    priority: priorityOf(level),
    priorityLockedAt: null,
    isUnhandled: ctx.isUnhandled ?? isUnhandledFromMetadata(metadata),
    count: String(issue.times_seen),
    userCount: issue.user_count,
    firstSeen: isoDate(issue.first_seen),
    lastSeen: isoDate(issue.last_seen),
    ...(ctx.stats ? { stats: ctx.stats } : {}),
  };
}

export type IssueJson = ReturnType<typeof serializeIssue>;

/** Sentry's initial priority from the level: fatal/error high, warning medium, the rest low. */
export function priorityOf(level: string): "high" | "medium" | "low" {
  if (level === "fatal" || level === "error") return "high";
  if (level === "warning") return "medium";
  return "low";
}

// --- updates ---------------------------------------------------------------------------------------

export type StatusChange =
  | { status: "resolved" }
  | { status: "resolvedInRelease"; release: string }
  | { status: "resolvedInNextRelease" }
  | { status: "unresolved" }
  | { status: "ignored"; ignore: IgnoreDetails; substatus: string };

export interface IssueUpdate {
  status?: StatusChange;
  /** Actor reference as sent (`user:1`, `team:2`, an email or username); null clears. */
  assignedTo?: string | null;
  hasSeen?: boolean;
  isBookmarked?: boolean;
  isPublic?: boolean;
  isSubscribed?: boolean;
}

function positiveInt(details: Record<string, unknown>, key: string): number | undefined {
  const value = details[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw badRequest(`statusDetails.${key}: expected a positive integer`);
  }
  return value;
}

function readIgnore(details: Record<string, unknown>, legacyDuration: unknown, now: number) {
  const ignore: IgnoreDetails = {};
  const duration =
    positiveInt(details, "ignoreDuration") ??
    (typeof legacyDuration === "number" && legacyDuration > 0 ? Math.floor(legacyDuration) : undefined);
  if (duration !== undefined) {
    ignore.ignoreDuration = duration;
    ignore.ignoreUntil = now + duration * 60;
  }
  const count = positiveInt(details, "ignoreCount");
  if (count !== undefined) ignore.ignoreCount = count;
  const window = positiveInt(details, "ignoreWindow");
  if (window !== undefined) ignore.ignoreWindow = Math.min(window, MAX_WINDOW_MINUTES);
  const users = positiveInt(details, "ignoreUserCount");
  if (users !== undefined) ignore.ignoreUserCount = users;
  const userWindow = positiveInt(details, "ignoreUserWindow");
  if (userWindow !== undefined) ignore.ignoreUserWindow = Math.min(userWindow, MAX_WINDOW_MINUTES);
  return ignore;
}

function optionalBool(body: Record<string, unknown>, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw badRequest(`${key}: expected a boolean`);
  return value;
}

/** Reads a `PUT …/issues/` body (single or bulk). `now` is unix seconds, for ignore durations. */
export function parseIssueUpdate(body: unknown, now: number): IssueUpdate {
  if (!isRecord(body)) throw badRequest("Expected a JSON object");
  if (body.merge !== undefined && body.merge !== false) throw badRequest("Merging issues is not supported");
  if (body.discard !== undefined && body.discard !== false)
    throw badRequest("Discarding issues is not supported");
  const update: IssueUpdate = {};
  // Sentry reads the details from the body itself when there is no statusDetails object: its MCP server
  // sends `{"status":"ignored","ignoreCount":100}`.
  const details = isRecord(body.statusDetails) ? body.statusDetails : body;
  if (body.statusDetails !== undefined && body.statusDetails !== null && !isRecord(body.statusDetails)) {
    throw badRequest("statusDetails: expected an object");
  }
  let status = body.status;
  if (status !== undefined && status !== null && typeof status !== "string")
    throw badRequest("status: expected a string");
  if (status === undefined || status === null) {
    // Sentry infers the status from the details when only those are sent.
    if (details.inRelease !== undefined || details.inNextRelease === true || details.inCommit !== undefined)
      status = "resolved";
    else if (
      ["ignoreDuration", "ignoreCount", "ignoreUserCount", "ignoreUntil"].some(
        (k) => details[k] !== undefined,
      )
    )
      status = "ignored";
  }
  if (typeof status === "string") {
    switch (status) {
      case "resolved":
        if (typeof details.inRelease === "string" && details.inRelease.length > 0)
          update.status = { status: "resolvedInRelease", release: details.inRelease };
        else if (details.inNextRelease === true) update.status = { status: "resolvedInNextRelease" };
        else update.status = { status: "resolved" };
        break;
      case "resolvedInNextRelease":
        update.status = { status: "resolvedInNextRelease" };
        break;
      case "unresolved":
        update.status = { status: "unresolved" };
        break;
      case "ignored":
      case "muted": {
        const ignore = readIgnore(details, body.snoozeDuration ?? body.ignoreDuration, now);
        const conditional =
          ignore.ignoreUntil !== undefined ||
          ignore.ignoreCount !== undefined ||
          ignore.ignoreUserCount !== undefined;
        const substatus =
          body.substatus === "archived_until_escalating" && !conditional
            ? "archived_until_escalating"
            : conditional
              ? "archived_until_condition_met"
              : "archived_forever";
        update.status = { status: "ignored", ignore, substatus };
        break;
      }
      default:
        throw badRequest(
          `status: "${status}" is not a valid choice (resolved, resolvedInNextRelease, unresolved, ignored)`,
        );
    }
  }
  if (body.assignedTo !== undefined) {
    if (body.assignedTo === null || body.assignedTo === "") update.assignedTo = null;
    else if (typeof body.assignedTo === "string") update.assignedTo = body.assignedTo;
    else throw badRequest("assignedTo: expected a string");
  }
  const hasSeen = optionalBool(body, "hasSeen");
  if (hasSeen !== undefined) update.hasSeen = hasSeen;
  const isBookmarked = optionalBool(body, "isBookmarked");
  if (isBookmarked !== undefined) update.isBookmarked = isBookmarked;
  const isPublic = optionalBool(body, "isPublic");
  if (isPublic !== undefined) update.isPublic = isPublic;
  const isSubscribed = optionalBool(body, "isSubscribed");
  if (isSubscribed !== undefined) update.isSubscribed = isSubscribed;
  return update;
}

// --- tags ------------------------------------------------------------------------------------------

export type { TagCountRow };

const TAG_NAMES: Record<string, string> = {
  level: "Level",
  release: "Release",
  environment: "Environment",
  transaction: "Transaction",
  user: "User",
  url: "URL",
  server_name: "Server",
  "os.name": "OS",
  browser: "Browser",
  runtime: "Runtime",
};

/** Tag keys with counts and their most frequent values, most common keys first (Sentry's tags summary). */
export function summarizeTags(rows: readonly TagCountRow[], topValues = 10) {
  const byKey = new Map<string, TagCountRow[]>();
  for (const row of rows) {
    if (!row.key || row.value === null || row.value === undefined) continue;
    const list = byKey.get(row.key) ?? [];
    list.push(row);
    byKey.set(row.key, list);
  }
  const summary = [...byKey.entries()].map(([key, values]) => {
    const sorted = [...values].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
    return {
      key,
      name: TAG_NAMES[key] ?? key,
      totalValues: values.reduce((n, v) => n + v.count, 0),
      uniqueValues: values.length,
      topValues: sorted.slice(0, topValues).map((v) => ({
        key,
        name: v.value,
        value: v.value,
        count: v.count,
        firstSeen: isoDate(v.first_seen),
        lastSeen: isoDate(v.last_seen),
      })),
    };
  });
  return summary.sort((a, b) => b.totalValues - a.totalValues || a.key.localeCompare(b.key));
}
