// Issues as Sentry's JSON: list items (with assignees and event-count stats) and the detail (with tags,
// first/last release and whether the latest event was unhandled), read through src/db/.
import { teamsByIds, usersByIds } from "../db/actors.ts";
import {
  eventCountsByBucket,
  issuesWithUnhandledLatest,
  issueTagCounts,
  latestEventUnhandled,
} from "../db/issues.ts";
import { findRelease } from "../db/releases.ts";
import { shardDb } from "../db/shards.ts";
import { issueUserReportCount } from "../db/user-reports.ts";
import type { Env } from "../env.ts";
import { parseStatsPeriod, type StatsPeriod, statsBuckets } from "../protocol/issue-search.ts";
import type { OrgRow } from "./access.ts";
import type { IssueContext } from "./issue-scope.ts";
import { releaseJson } from "./release-json.ts";
import {
  type ActorJson,
  type IssueRecord,
  type ProjectSummary,
  serializeIssue,
  summarizeTags,
} from "./serializers/issue.ts";

const nowSeconds = () => Date.now() / 1000;

/** Actor JSON for stored assignees (`user:1`, `team:2`). */
export async function actorsFor(
  db: D1Database,
  assigned: (string | null)[],
): Promise<Map<string, ActorJson>> {
  const userIds = new Set<number>();
  const teamIds = new Set<number>();
  for (const a of assigned) {
    const match = a ? /^(user|team):(\d+)$/.exec(a) : null;
    if (match?.[1] === "user") userIds.add(Number(match[2]));
    else if (match?.[1] === "team") teamIds.add(Number(match[2]));
  }
  const out = new Map<string, ActorJson>();
  for (const u of await usersByIds(db, [...userIds]))
    out.set(`user:${u.id}`, { type: "user", id: String(u.id), name: u.name || u.email, email: u.email });
  for (const t of await teamsByIds(db, [...teamIds]))
    out.set(`team:${t.id}`, { type: "team", id: String(t.id), name: t.name, slug: t.slug });
  return out;
}

/** Event counts per issue and bucket (`[[bucket start, n], ...]`), from the events' timestamps. */
export async function issueStats(
  db: D1Database,
  issueIds: number[],
  period: StatsPeriod,
  now: number,
): Promise<Map<number, [number, number][]>> {
  const buckets = statsBuckets(period, now);
  const counts = await eventCountsByBucket(db, issueIds, period.bucket, buckets[0] ?? now);
  return new Map(
    issueIds.map((id) => [id, buckets.map((b): [number, number] => [b, counts.get(`${id}:${b}`) ?? 0])]),
  );
}

export async function serializeIssues(
  env: Env,
  origin: string,
  org: OrgRow,
  projects: ReadonlyMap<number, ProjectSummary>,
  rows: IssueRecord[],
  period: StatsPeriod | null,
  now: number,
) {
  const actors = await actorsFor(
    env.DB,
    rows.map((r) => r.assigned_to),
  );
  const events = shardDb(env, org.shard);
  const ids = rows.map((r) => r.id);
  const [stats, unhandled] = await Promise.all([
    period ? issueStats(events, ids, period, now) : null,
    // As Sentry's list: whether the newest event of each issue was unhandled.
    issuesWithUnhandledLatest(events, ids),
  ]);
  return rows.flatMap((row) => {
    const project = projects.get(row.project_id);
    if (!project) return [];
    const series = stats?.get(row.id);
    return [
      serializeIssue(row, {
        project,
        orgSlug: org.slug,
        origin,
        now,
        assignee: row.assigned_to ? (actors.get(row.assigned_to) ?? null) : null,
        isUnhandled: unhandled.has(row.id),
        ...(period && series ? { stats: { [period.key]: series } } : {}),
      }),
    ];
  });
}

/** Top values of level/release/environment/transaction/user and the events' own tags, from recent events. */
export async function tagSummary(db: D1Database, issueId: number) {
  return summarizeTags(await issueTagCounts(db, issueId));
}

async function releaseOrNull(env: Env, events: D1Database, orgId: number, version: string | null) {
  if (!version) return null;
  const release = await findRelease(events, orgId, version);
  return release ? releaseJson(events, env.DB, release) : null;
}

export async function issueDetailJson(env: Env, origin: string, ctx: IssueContext) {
  const now = nowSeconds();
  const { issue, org, project } = ctx;
  const day = parseStatsPeriod("24h") as StatsPeriod;
  const month: StatsPeriod = { key: "30d", bucket: 86400, buckets: 30 };
  const events = shardDb(env, org.shard);
  const [actors, dayStats, monthStats, tags, firstRelease, lastRelease, unhandled, reports] =
    await Promise.all([
      actorsFor(env.DB, [issue.assigned_to]),
      issueStats(events, [issue.id], day, now),
      issueStats(events, [issue.id], month, now),
      tagSummary(events, issue.id),
      releaseOrNull(env, events, org.id, issue.first_release),
      releaseOrNull(env, events, org.id, issue.last_release),
      latestEventUnhandled(events, issue.id),
      issueUserReportCount(events, { id: issue.id, projectId: issue.project_id }),
    ]);
  const base = serializeIssue(issue, {
    project,
    orgSlug: org.slug,
    origin,
    now,
    assignee: issue.assigned_to ? (actors.get(issue.assigned_to) ?? null) : null,
    stats: { "24h": dayStats.get(issue.id) ?? [], "30d": monthStats.get(issue.id) ?? [] },
    isUnhandled: unhandled,
  });
  return {
    ...base,
    firstRelease,
    lastRelease,
    tags,
    activity: [],
    seenBy: [],
    participants: [],
    pluginActions: [],
    pluginIssues: [],
    pluginContexts: [],
    userReportCount: reports,
  };
}
