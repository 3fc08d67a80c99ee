// Releases between Sentry's JSON and Faultline's rows: request bodies of `POST/PUT …/releases/` read
// into plain values, release rows written as Sentry's release JSON, and release order. Pure functions.

import { badRequest } from "../../errors.ts";
import { MAX_REF_CHARS, MAX_RELEASE_URL_CHARS } from "../../limits.ts";
import { isoFromSeconds } from "../../protocol/items/json.ts";
import type { DeployJson } from "./deploy.ts";

/** Sentry's `DB_VERSION_LENGTH`. */
export const MAX_VERSION_CHARS = 250;

/** Sentry's Release.is_valid_version: no control/path characters, not `.`/`..`/`latest`. */
export function isValidVersion(version: string): boolean {
  return (
    version.length > 0 &&
    version.length <= MAX_VERSION_CHARS &&
    !/[\r\n\f\t/\\]/.test(version) &&
    version !== "." &&
    version !== ".." &&
    version.toLowerCase() !== "latest"
  );
}

export type ProjectRef = { slug: string } | { id: number };

export interface ReleaseChanges {
  ref?: string | null;
  url?: string | null;
  dateStarted?: number | null;
  dateReleased?: number | null;
  status?: "open" | "archived";
  /** JSON text of the `refs` list, as sent. */
  refs?: string | null;
  /** JSON text of the `commits` list (newest first), its length and newest commit id. */
  commits?: { json: string; count: number; lastId: string | null };
}

export interface ReleaseCreate extends ReleaseChanges {
  version: string;
  projects: ProjectRef[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function optionalString(body: Record<string, unknown>, key: string, max: number): string | null | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (value === null || value === "") return null;
  if (typeof value !== "string") throw badRequest(`${key}: expected a string`);
  if (value.length > max) throw badRequest(`${key}: at most ${max} characters`);
  return value;
}

/** ISO 8601 date → unix seconds; null stays null; anything unparsable is a 400. */
function optionalDate(body: Record<string, unknown>, key: string): number | null | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (value === null) return null;
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw badRequest(`${key}: expected an ISO 8601 date`);
  return ms / 1000;
}

function readCommits(value: unknown): ReleaseChanges["commits"] {
  if (!Array.isArray(value)) throw badRequest("commits: expected a list");
  for (const commit of value) {
    if (!isRecord(commit) || typeof commit.id !== "string" || commit.id.length === 0) {
      throw badRequest("commits: every commit needs an id");
    }
  }
  const first: unknown = value[0];
  return {
    json: JSON.stringify(value),
    count: value.length,
    lastId: isRecord(first) && typeof first.id === "string" ? first.id : null,
  };
}

function readRefs(value: unknown): string | null {
  if (value === null) return null;
  if (!Array.isArray(value)) throw badRequest("refs: expected a list");
  for (const ref of value) {
    if (!isRecord(ref) || typeof ref.repository !== "string" || typeof ref.commit !== "string") {
      throw badRequest("refs: every ref needs a repository and a commit");
    }
  }
  return JSON.stringify(value);
}

/** The fields of a release a PUT (or an idempotent POST) may change. */
export function parseReleaseChanges(body: unknown): ReleaseChanges {
  if (!isRecord(body)) throw badRequest("Expected a JSON object");
  const changes: ReleaseChanges = {};
  const ref = optionalString(body, "ref", MAX_REF_CHARS);
  if (ref !== undefined) changes.ref = ref;
  const url = optionalString(body, "url", MAX_RELEASE_URL_CHARS);
  if (url !== undefined) changes.url = url;
  const dateStarted = optionalDate(body, "dateStarted");
  if (dateStarted !== undefined) changes.dateStarted = dateStarted;
  const dateReleased = optionalDate(body, "dateReleased");
  if (dateReleased !== undefined) changes.dateReleased = dateReleased;
  if (body.status !== undefined && body.status !== null) {
    if (body.status !== "open" && body.status !== "archived") throw badRequest("status: open or archived");
    changes.status = body.status;
  }
  if (body.refs !== undefined) changes.refs = readRefs(body.refs);
  if (body.commits !== undefined && body.commits !== null) changes.commits = readCommits(body.commits);
  return changes;
}

/** `POST …/releases/`: version, projects (slugs, or numbers for ids), and the changeable fields. */
export function parseReleaseCreate(body: unknown, options: { requireProjects: boolean }): ReleaseCreate {
  if (!isRecord(body)) throw badRequest("Expected a JSON object");
  const { version, projects } = body;
  if (typeof version !== "string" || !isValidVersion(version)) {
    throw badRequest("version: Release with name is not allowed", [
      "Release versions must be 1–250 characters without slashes, tabs or newlines, and not . .. or latest",
    ]);
  }
  const refs: ProjectRef[] = [];
  if (projects !== undefined && projects !== null) {
    if (!Array.isArray(projects)) throw badRequest("projects: expected a list");
    for (const project of projects) {
      if (typeof project === "number" && Number.isSafeInteger(project)) refs.push({ id: project });
      else if (typeof project === "string" && /^\d+$/.test(project)) refs.push({ id: Number(project) });
      else if (typeof project === "string" && project.length > 0) refs.push({ slug: project });
      else throw badRequest("projects: expected project slugs or ids");
    }
  }
  if (options.requireProjects && projects === undefined)
    throw badRequest("projects: This field is required.");
  return { ...parseReleaseChanges(body), version, projects: refs };
}

export interface ReleaseRecord {
  id: number;
  version: string;
  ref: string | null;
  url: string | null;
  status: string;
  /** Unix seconds. */
  dateAdded: number;
  dateReleased: number | null;
  commits: string | null;
  commitCount: number;
  lastCommitId: string | null;
}

export interface ReleaseProjectSummary {
  id: number;
  slug: string;
  name: string;
  platform: string | null;
  newGroups: number;
}

export interface ReleaseStats {
  projects: ReleaseProjectSummary[];
  deployCount: number;
  lastDeploy: DeployJson | null;
  /** Unix seconds of the first/last event of issues first/last seen in this release. */
  firstEvent: number | null;
  lastEvent: number | null;
}

const iso = (seconds: number | null): string | null => isoFromSeconds(seconds);

/** Sentry's `versionInfo`: `package@version+build` split the way Sentry shows it. */
export function versionInfo(version: string) {
  const at = version.lastIndexOf("@");
  const pkg = at > 0 ? version.slice(0, at) : null;
  const raw = at > 0 ? version.slice(at + 1) : version;
  const plus = raw.indexOf("+");
  return {
    package: pkg,
    version: { raw },
    description: raw,
    buildHash: plus >= 0 && /^[0-9a-f]{40}$/i.test(raw.slice(plus + 1)) ? raw.slice(plus + 1) : null,
  };
}

/**
 * A commit's `dateCreated` as Sentry serializes it: never null and always UTC (`…Z`; Sentry's MCP server
 * rejects an offset or a null). Its own timestamp when it has one, else the release's creation, when
 * sentry-cli sets a release's commits.
 */
export function commitDate(commit: Record<string, unknown>, releaseAdded: number): string {
  const ms = typeof commit.timestamp === "string" ? Date.parse(commit.timestamp) : Number.NaN;
  return new Date(Number.isFinite(ms) ? ms : releaseAdded * 1000).toISOString();
}

function lastCommit(release: ReleaseRecord): Record<string, unknown> | null {
  if (!release.lastCommitId) return null;
  let first: unknown;
  try {
    first = release.commits ? (JSON.parse(release.commits) as unknown[])[0] : undefined;
  } catch {
    first = undefined;
  }
  const commit = isRecord(first) ? first : {};
  return {
    id: release.lastCommitId,
    message: typeof commit.message === "string" ? commit.message : null,
    dateCreated: commitDate(commit, release.dateAdded),
  };
}

/** What the releases' health reads found for one release: per project, whether it has sessions and its healthData. */
export interface ReleaseHealthView {
  has(projectId: number): boolean;
  data(projectId: number): object | undefined;
}

const NO_HEALTH: ReleaseHealthView = { has: () => false, data: () => undefined };

export function serializeRelease(
  release: ReleaseRecord,
  stats: ReleaseStats,
  health: ReleaseHealthView = NO_HEALTH,
) {
  return {
    id: release.id,
    version: release.version,
    shortVersion: release.version,
    versionInfo: versionInfo(release.version),
    status: release.status,
    ref: release.ref,
    url: release.url,
    dateCreated: iso(release.dateAdded),
    dateReleased: iso(release.dateReleased),
    data: {},
    newGroups: stats.projects.reduce((sum, p) => sum + p.newGroups, 0),
    owner: null,
    commitCount: release.commitCount,
    lastCommit: lastCommit(release),
    deployCount: stats.deployCount,
    lastDeploy: stats.lastDeploy,
    authors: [],
    firstEvent: iso(stats.firstEvent),
    lastEvent: iso(stats.lastEvent),
    currentProjectMeta: {},
    userAgent: null,
    projects: stats.projects.map((p) => ({
      id: p.id,
      slug: p.slug,
      name: p.name,
      newGroups: p.newGroups,
      platform: p.platform,
      platforms: p.platform ? [p.platform] : [],
      hasHealthData: health.has(p.id),
      ...(health.data(p.id) ? { healthData: health.data(p.id) } : {}),
    })),
  };
}

/** Release order for resolutions: `COALESCE(date_released, date_added)`, then creation order. */
export interface ReleaseOrderRow {
  id: number;
  version: string;
  dateAdded: number;
  dateReleased: number | null;
}

/** Orders two versions by their release rows; null when either is not a known release. */
export function compareByReleaseOrder(
  rows: readonly ReleaseOrderRow[],
): (a: string, b: string) => number | null {
  const order = new Map<string, [number, number]>();
  for (const row of rows) order.set(row.version, [row.dateReleased ?? row.dateAdded, row.id]);
  return (a, b) => {
    if (a === b) return 0;
    const left = order.get(a);
    const right = order.get(b);
    if (!left || !right) return null;
    return left[0] !== right[0] ? left[0] - right[0] : left[1] - right[1];
  };
}
