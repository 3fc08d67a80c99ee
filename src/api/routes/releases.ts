// Releases (sentry-cli `releases new/finalize/list/info/delete`, `set-commits`): organization and
// project release lists, idempotent create (201 new / 208 existing), detail, update, delete, commits.
// Release JSON is assembled in release-json.ts, route scopes in release-scope.ts.
import type { IRequest } from "itty-router";
import {
  deleteRelease,
  findRelease,
  insertRelease,
  linkReleaseProjects,
  orgProjectsByRef,
  previousReleaseWithCommits,
  type ReleaseFields,
  releaseHasIssues,
  releasePage,
  updateRelease,
} from "../../db/releases.ts";
import type { ReleaseProjectRow, ReleaseRow } from "../../db/rows.ts";
import { shardDb } from "../../db/shards.ts";
import type { Env } from "../../env.ts";
import { badRequest, FaultlineError } from "../../errors.ts";
import type { AppRouter } from "../../http/app-router.ts";
import { readJsonBody } from "../../http/json-body.ts";
import { json } from "../../http/responses.ts";
import { MAX_API_JSON_BYTES } from "../../limits.ts";
import type { OrgRow } from "../access.ts";
import { linkHeader, pageFrom } from "../pagination.ts";
import { healthOptions } from "../release-health.ts";
import { releaseHealthViews, releaseJson, releaseStats } from "../release-json.ts";
import { releaseScopeOf, routeRelease } from "../release-scope.ts";
import { isRecord } from "../serializers/payload-read.ts";
import {
  commitDate,
  type ProjectRef,
  parseReleaseChanges,
  parseReleaseCreate,
  type ReleaseChanges,
  serializeRelease,
} from "../serializers/release.ts";

// Kept importable from here for the routes that resolve projects the way release reads do.
export { projectForAnyScope } from "../release-scope.ts";

/** Sentry answers unknown projects with a field error, not a `detail`. */
class InvalidProjects extends Error {}

async function resolveProjects(db: D1Database, orgId: number, refs: readonly ProjectRef[]) {
  const ids = refs.flatMap((r) => ("id" in r ? [r.id] : []));
  const slugs = refs.flatMap((r) => ("slug" in r ? [r.slug] : []));
  const found = await orgProjectsByRef(db, orgId, ids, slugs);
  const missing = refs.some((r) => !found.some((p) => ("id" in r ? p.id === r.id : p.slug === r.slug)));
  if (missing) throw new InvalidProjects();
  return [...new Map(found.map((p) => [p.id, p])).values()];
}

function changeSet(changes: ReleaseChanges): ReleaseFields {
  const set: ReleaseFields = {};
  if (changes.ref !== undefined) set.ref = changes.ref;
  if (changes.url !== undefined) set.url = changes.url;
  if (changes.dateStarted !== undefined) set.dateStarted = changes.dateStarted;
  if (changes.dateReleased !== undefined) set.dateReleased = changes.dateReleased;
  if (changes.status !== undefined) set.status = changes.status;
  if (changes.refs !== undefined) set.refs = changes.refs;
  if (changes.commits !== undefined) {
    set.commits = changes.commits.json;
    set.commitCount = changes.commits.count;
    set.lastCommitId = changes.commits.lastId;
  }
  return set;
}

async function listReleases(request: IRequest, env: Env, projectId: number | null, org: OrgRow) {
  const orgId = org.id;
  const events = shardDb(env, org.shard);
  const url = new URL(request.url);
  const page = pageFrom(url);
  const projectIds =
    projectId !== null
      ? [projectId]
      : url.searchParams
          .getAll("project")
          .map(Number)
          .filter((id) => Number.isSafeInteger(id) && id > 0);
  const rows = await releasePage(
    events,
    orgId,
    { query: url.searchParams.get("query")?.trim() || null, projectIds },
    { limit: page.limit + 1, offset: page.offset },
  );
  const shown = rows.slice(0, page.limit);
  const stats = await releaseStats(events, env.DB, shown);
  const health = await releaseHealthViews(events, shown, stats, healthOptions(url.searchParams));
  const body = shown.flatMap((r) => {
    const s = stats.get(r.id);
    return s ? [serializeRelease(r, s, health.get(r.id))] : [];
  });
  return json(body, 200, { link: linkHeader(url, page, rows.length > page.limit) });
}

async function createRelease(env: Env, org: OrgRow, body: unknown, fixedProject: ReleaseProjectRow | null) {
  const input = parseReleaseCreate(body, { requireProjects: fixedProject === null });
  let targets: ReleaseProjectRow[];
  try {
    targets = fixedProject ? [fixedProject] : await resolveProjects(env.DB, org.id, input.projects);
  } catch (error) {
    if (error instanceof InvalidProjects) return json({ projects: ["Invalid project slugs"] }, 400);
    throw error;
  }
  const events = shardDb(env, org.shard);
  const inserted = await insertRelease(events, org.id, input.version, Date.now() / 1000, changeSet(input));
  let release = inserted ?? (await findRelease(events, org.id, input.version));
  if (!release) throw new FaultlineError(503, "release vanished while being created");
  if (!inserted) release = await updateRelease(events, release, changeSet(input));
  const added = await linkReleaseProjects(
    events,
    release.id,
    targets.map((p) => p.id),
  );
  return json(await releaseJson(events, env.DB, release), inserted || added > 0 ? 201 : 208);
}

async function removeRelease(db: D1Database, release: ReleaseRow): Promise<Response> {
  if (await releaseHasIssues(db, release))
    throw badRequest("This release is referenced by active issues and cannot be removed.");
  await deleteRelease(db, release.id);
  return new Response(null, { status: 204 });
}

function commitsJson(release: ReleaseRow) {
  let list: unknown;
  try {
    list = release.commits ? JSON.parse(release.commits) : [];
  } catch {
    list = [];
  }
  if (!Array.isArray(list)) return [];
  return list.filter(isRecord).map((c) => ({
    id: c.id,
    message: c.message ?? null,
    dateCreated: commitDate(c, release.dateAdded),
    author: c.author_email ? { name: c.author_name ?? null, email: c.author_email } : null,
    repository: c.repository ? { name: c.repository } : null,
  }));
}

export function registerReleaseRoutes(router: AppRouter): void {
  const orgBase = "/api/0/organizations/:org/releases";
  const projectBase = "/api/0/projects/:org/:project/releases";
  for (const base of [orgBase, projectBase]) {
    router.get(`${base}/`, async (req, env) => {
      const { org, project } = await releaseScopeOf(req, env, false);
      return listReleases(req, env, project?.id ?? null, org);
    });
    router.post(`${base}/`, async (req, env) => {
      const { org, project } = await releaseScopeOf(req, env, true);
      return createRelease(env, org, await readJsonBody(req, MAX_API_JSON_BYTES), project);
    });
    router.get(`${base}/:version/`, async (req, env) => {
      const { release, events } = await routeRelease(req, env, false);
      return json(await releaseJson(events, env.DB, release, healthOptions(new URL(req.url).searchParams)));
    });
    router.put(`${base}/:version/`, async (req, env) => {
      const { release, events } = await routeRelease(req, env, true);
      const changes = parseReleaseChanges(await readJsonBody(req, MAX_API_JSON_BYTES));
      return json(
        await releaseJson(events, env.DB, await updateRelease(events, release, changeSet(changes))),
      );
    });
    router.delete(`${base}/:version/`, async (req, env) => {
      const { release, events } = await routeRelease(req, env, true);
      return removeRelease(events, release);
    });
  }
  for (const base of [orgBase, projectBase])
    router.get(`${base}/:version/commits/`, async (req, env) => {
      const { release } = await routeRelease(req, env, false);
      return json(commitsJson(release));
    });
  router.get(`${orgBase}/:version/previous-with-commits/`, async (req, env) => {
    const { release, events } = await routeRelease(req, env, false);
    const previous = await previousReleaseWithCommits(events, release);
    return json(previous ? await releaseJson(events, env.DB, previous) : {});
  });
}
