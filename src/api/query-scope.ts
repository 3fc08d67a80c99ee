// The scope of an org-wide query API (events, events-stats, trace, stats_v2): the caller's organization,
// the projects asked for (`project`, repeated ids, `-1` or none = all of the organization's), the
// environments and the time range (`statsPeriod`, or `start` + `end`), bounded to the longest period
// Faultline keeps. Projects of other organizations are a 404, like every foreign object.
import type { IRequest } from "itty-router";
import { type OrgProjectRef, orgProjectRefs } from "../db/org-projects.ts";
import type { Env } from "../env.ts";
import { badRequest } from "../errors.ts";
import { param } from "../http/app-router.ts";
import { DEFAULT_QUERY_PERIOD_SECONDS, MAX_QUERY_PERIOD_SECONDS } from "../limits.ts";
import { PERIOD_SECONDS } from "../protocol/search-syntax.ts";
import { authenticate, notFound, type OrgRow, organizationFor, type Scope } from "./access.ts";

export interface QueryScope {
  org: OrgRow;
  /** The projects queried, all of them the organization's. */
  projects: OrgProjectRef[];
  environments: string[];
  start: number;
  end: number;
  now: number;
}

/** `24h`, `14d`, `30m`, `2w`, `90s` → seconds; null when malformed. */
export function periodSeconds(value: string): number | null {
  const match = /^(\d+)([smhdw])$/.exec(value.trim());
  if (!match?.[1] || !match[2]) return null;
  const seconds = Number(match[1]) * (PERIOD_SECONDS[match[2]] ?? 0);
  return seconds > 0 ? seconds : null;
}

function dateParam(value: string, name: string): number {
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) || value.length <= 10 ? value : `${value}Z`);
  if (!Number.isFinite(ms)) throw badRequest(`${name} is not a valid ISO 8601 date: ${value}`);
  return ms / 1000;
}

/** The time range a request asks for (Sentry's `statsPeriod` / `start` + `end`). */
export function timeRange(url: URL, now: number, defaultSeconds = DEFAULT_QUERY_PERIOD_SECONDS) {
  const q = url.searchParams;
  const startText = q.get("start");
  const endText = q.get("end");
  const period = q.get("statsPeriod") ?? q.get("period");
  let start: number;
  let end: number;
  if (startText || endText) {
    if (!startText || !endText) throw badRequest("start and end must be given together");
    start = dateParam(startText, "start");
    end = dateParam(endText, "end");
    if (end <= start) throw badRequest("start must be before end");
  } else {
    const seconds = period ? periodSeconds(period) : defaultSeconds;
    if (seconds === null) throw badRequest(`Invalid statsPeriod: ${period}`);
    end = now;
    start = now - seconds;
  }
  // Nothing older than the retention period exists: clamp instead of scanning for it.
  return { start: Math.max(start, now - MAX_QUERY_PERIOD_SECONDS), end: Math.max(end, start) };
}

export async function queryScope(request: IRequest, env: Env, scope: Scope): Promise<QueryScope> {
  const caller = await authenticate(request, env);
  const org = await organizationFor(env, caller, param(request, "org"), scope);
  const url = new URL(request.url);
  const now = Date.now() / 1000;
  const all = await orgProjectRefs(env.DB, org.id);
  const wanted = url.searchParams
    .getAll("project")
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "" && v !== "-1");
  let projects = all;
  if (wanted.length > 0) {
    const byId = new Map(all.map((p) => [String(p.id), p]));
    projects = wanted.map((id) => {
      if (!/^\d+$/.test(id)) throw badRequest(`Invalid project id: ${id}`);
      const found = byId.get(id);
      if (!found) throw notFound();
      return found;
    });
  }
  const environments = url.searchParams.getAll("environment").filter((e) => e !== "");
  return { org, projects, environments, ...timeRange(url, now), now };
}
