// Releases (sentry-cli `releases new/finalize/list/info/delete`, `set-commits`): organization and
// project release lists, idempotent create (201 new / 208 existing), detail, update, delete, commits;
// plus release order for issue resolutions (`releaseComparatorFor`, `newestReleaseFor`).
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { IRequest } from "itty-router";
import { inBatches } from "../../db/in-batches.ts";
import { deploys, issues, projects, releaseProjects, releases } from "../../db/schema.ts";
import type { Env } from "../../env.ts";
import { badRequest, FaultlineError } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { readJsonBody } from "../../http/json-body.ts";
import { json } from "../../http/responses.ts";
import { MAX_API_JSON_BYTES } from "../../limits.ts";
import { compareReleasesBySemver, type ReleaseComparator } from "../../project/index.ts";
import { authenticate, type Caller, notFound, type OrgRow, organizationFor, projectFor } from "../access.ts";
import { linkHeader, pageFrom } from "../pagination.ts";
import { serializeDeploy } from "../serializers/deploy.ts";
import {
  compareByReleaseOrder,
  type ProjectRef,
  parseReleaseChanges,
  parseReleaseCreate,
  type ReleaseChanges,
  type ReleaseProjectSummary,
  type ReleaseStats,
  serializeRelease,
} from "../serializers/release.ts";

export type ReleaseRow = typeof releases.$inferSelect;
type ProjectSummaryRow = Pick<typeof projects.$inferSelect, "id" | "slug" | "name" | "platform">;
const projectColumns = {
  id: projects.id,
  slug: projects.slug,
  name: projects.name,
  platform: projects.platform,
};

/**
 * Sentry lets release reads through with any of project:read/write/admin, project:releases or org:ci;
 * access.ts implies the rest from these two. Tries the read scope, then the release scope.
 */
async function anyScope<T>(resolve: (scope: "project:read" | "project:releases") => Promise<T>): Promise<T> {
  try {
    return await resolve("project:read");
  } catch (error) {
    if (error instanceof FaultlineError && error.status === 403) return resolve("project:releases");
    throw error;
  }
}

export const organizationForAnyScope = (env: Env, caller: Caller, orgRef: string): Promise<OrgRow> =>
  anyScope((scope) => organizationFor(env, caller, orgRef, scope));

export const projectForAnyScope = (env: Env, caller: Caller, orgRef: string, projectRef: string) =>
  anyScope((scope) => projectFor(env, caller, orgRef, projectRef, scope));

// --- queries ---------------------------------------------------------------------------------------

export async function findRelease(db: D1Database, organizationId: number, version: string) {
  return (
    (await drizzle(db)
      .select()
      .from(releases)
      .where(and(eq(releases.organizationId, organizationId), eq(releases.version, version)))
      .get()) ?? null
  );
}

/** The release, or 404; with a project, also 404 unless the release belongs to it. */
export async function releaseOr404(db: D1Database, orgId: number, version: string, projectId?: number) {
  const release = await findRelease(db, orgId, version);
  if (!release) throw notFound();
  if (projectId !== undefined) {
    const link = await drizzle(db)
      .select()
      .from(releaseProjects)
      .where(and(eq(releaseProjects.releaseId, release.id), eq(releaseProjects.projectId, projectId)))
      .get();
    if (!link) throw notFound();
  }
  return release;
}

async function resolveProjects(db: D1Database, orgId: number, refs: readonly ProjectRef[]) {
  const ids = refs.flatMap((r) => ("id" in r ? [r.id] : []));
  const slugs = refs.flatMap((r) => ("slug" in r ? [r.slug] : []));
  const orm = drizzle(db);
  const found: ProjectSummaryRow[] = [];
  for (const batch of inBatches(ids)) {
    found.push(
      ...(await orm
        .select(projectColumns)
        .from(projects)
        .where(and(eq(projects.organizationId, orgId), inArray(projects.id, batch)))),
    );
  }
  for (const batch of inBatches(slugs)) {
    found.push(
      ...(await orm
        .select(projectColumns)
        .from(projects)
        .where(and(eq(projects.organizationId, orgId), inArray(projects.slug, batch)))),
    );
  }
  const missing = refs.some((r) => !found.some((p) => ("id" in r ? p.id === r.id : p.slug === r.slug)));
  if (missing) throw new InvalidProjects();
  return [...new Map(found.map((p) => [p.id, p])).values()];
}

/** Sentry answers unknown projects with a field error, not a `detail`. */
class InvalidProjects extends Error {}

function changeSet(changes: ReleaseChanges): Partial<typeof releases.$inferInsert> {
  const set: Partial<typeof releases.$inferInsert> = {};
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

async function updateRelease(db: D1Database, release: ReleaseRow, changes: ReleaseChanges) {
  const set = changeSet(changes);
  if (Object.keys(set).length === 0) return release;
  const [updated] = await drizzle(db)
    .update(releases)
    .set(set)
    .where(eq(releases.id, release.id))
    .returning();
  return updated ?? release;
}

/** Projects, new-issue counts, deploys and first/last event of each release, in a few batched queries. */
async function releaseStats(db: D1Database, rows: readonly ReleaseRow[]): Promise<Map<number, ReleaseStats>> {
  const orm = drizzle(db);
  const stats = new Map<number, ReleaseStats>();
  for (const row of rows) {
    stats.set(row.id, { projects: [], deployCount: 0, lastDeploy: null, firstEvent: null, lastEvent: null });
  }
  for (const batch of inBatches(rows, 40)) {
    const ids = batch.map((r) => r.id);
    const versions = batch.map((r) => r.version);
    const linked = await orm
      .select({ releaseId: releaseProjects.releaseId, ...projectColumns })
      .from(releaseProjects)
      .innerJoin(projects, eq(projects.id, releaseProjects.projectId))
      .where(inArray(releaseProjects.releaseId, ids));
    const projectIds = [...new Set(linked.map((l) => l.id))];
    const firstSeen = projectIds.length
      ? await orm
          .select({
            projectId: issues.projectId,
            version: issues.firstRelease,
            count: sql<number>`count(*)`,
            first: sql<number | null>`min(${issues.firstSeen})`,
          })
          .from(issues)
          .where(and(inArray(issues.projectId, projectIds), inArray(issues.firstRelease, versions)))
          .groupBy(issues.projectId, issues.firstRelease)
      : [];
    const lastSeen = projectIds.length
      ? await orm
          .select({ version: issues.lastRelease, last: sql<number | null>`max(${issues.lastSeen})` })
          .from(issues)
          .where(and(inArray(issues.projectId, projectIds), inArray(issues.lastRelease, versions)))
          .groupBy(issues.lastRelease)
      : [];
    const deployCounts = await orm
      .select({
        releaseId: deploys.releaseId,
        count: sql<number>`count(*)`,
        lastId: sql<number>`max(${deploys.id})`,
      })
      .from(deploys)
      .where(inArray(deploys.releaseId, ids))
      .groupBy(deploys.releaseId);
    const lastIds = deployCounts.map((d) => d.lastId);
    const lastDeploys = lastIds.length
      ? await orm.select().from(deploys).where(inArray(deploys.id, lastIds))
      : [];

    for (const release of batch) {
      const entry = stats.get(release.id);
      if (!entry) continue;
      const newGroups = firstSeen.filter((f) => f.version === release.version);
      entry.projects = linked
        .filter((l) => l.releaseId === release.id)
        .map(
          (p): ReleaseProjectSummary => ({
            id: p.id,
            slug: p.slug,
            name: p.name,
            platform: p.platform,
            newGroups: newGroups.find((f) => f.projectId === p.id)?.count ?? 0,
          }),
        );
      const firsts = newGroups.map((f) => f.first).filter((t): t is number => t !== null);
      entry.firstEvent = firsts.length ? Math.min(...firsts) : null;
      entry.lastEvent = lastSeen.find((l) => l.version === release.version)?.last ?? null;
      const deployCount = deployCounts.find((d) => d.releaseId === release.id);
      entry.deployCount = deployCount?.count ?? 0;
      const last = lastDeploys.find((d) => d.id === deployCount?.lastId);
      entry.lastDeploy = last ? serializeDeploy(last) : null;
    }
  }
  return stats;
}

export async function releaseJson(db: D1Database, release: ReleaseRow) {
  const stats = (await releaseStats(db, [release])).get(release.id);
  if (!stats) throw new Error("release stats missing");
  return serializeRelease(release, stats);
}

// --- release order (used by issue resolution and regressions) --------------------------------------

/**
 * Orders releases of an organization as Sentry does for resolutions: by `COALESCE(date_released,
 * date_added)`, falling back to semantic versions when either side is not a known release.
 * Pass the versions you will compare to load only those.
 */
export async function releaseComparatorFor(
  db: D1Database,
  organizationId: number,
  versions?: readonly string[],
): Promise<ReleaseComparator> {
  const orm = drizzle(db);
  const columns = {
    id: releases.id,
    version: releases.version,
    dateAdded: releases.dateAdded,
    dateReleased: releases.dateReleased,
  };
  const rows = versions
    ? (
        await Promise.all(
          inBatches([...new Set(versions)]).map((batch) =>
            orm
              .select(columns)
              .from(releases)
              .where(and(eq(releases.organizationId, organizationId), inArray(releases.version, batch))),
          ),
        )
      ).flat()
    : await orm.select(columns).from(releases).where(eq(releases.organizationId, organizationId));
  const byOrder = compareByReleaseOrder(rows);
  return (a, b) => byOrder(a, b) ?? compareReleasesBySemver(a, b);
}

/** The project's newest release (the `inNextRelease` target), or null when it has none. */
export async function newestReleaseFor(db: D1Database, projectId: number): Promise<string | null> {
  const row = await drizzle(db)
    .select({ version: releases.version })
    .from(releases)
    .innerJoin(releaseProjects, eq(releaseProjects.releaseId, releases.id))
    .where(eq(releaseProjects.projectId, projectId))
    .orderBy(desc(sql`coalesce(${releases.dateReleased}, ${releases.dateAdded})`), desc(releases.id))
    .limit(1)
    .get();
  return row?.version ?? null;
}

// Kept importable from here for callers that know it as part of the releases API.
export { releaseSeenStatements } from "../../db/ingest-writes.ts";

// --- handlers --------------------------------------------------------------------------------------

async function listReleases(request: IRequest, env: Env, projectId: number | null, orgId: number) {
  const url = new URL(request.url);
  const page = pageFrom(url);
  const conditions = [eq(releases.organizationId, orgId)];
  const query = url.searchParams.get("query")?.trim();
  if (query) conditions.push(sql`instr(lower(${releases.version}), lower(${query})) > 0`);
  const filterProjects =
    projectId !== null
      ? [projectId]
      : url.searchParams
          .getAll("project")
          .map(Number)
          .filter((id) => Number.isSafeInteger(id) && id > 0);
  if (filterProjects.length > 0) {
    conditions.push(
      inArray(
        releases.id,
        drizzle(env.DB)
          .select({ id: releaseProjects.releaseId })
          .from(releaseProjects)
          .where(inArray(releaseProjects.projectId, filterProjects.slice(0, 90))),
      ),
    );
  }
  const rows = await drizzle(env.DB)
    .select()
    .from(releases)
    .where(and(...conditions))
    .orderBy(desc(releases.dateAdded), desc(releases.id))
    .limit(page.limit + 1)
    .offset(page.offset);
  const shown = rows.slice(0, page.limit);
  const stats = await releaseStats(env.DB, shown);
  const body = shown.flatMap((r) => {
    const s = stats.get(r.id);
    return s ? [serializeRelease(r, s)] : [];
  });
  return json(body, 200, { link: linkHeader(url, page, rows.length > page.limit) });
}

async function createRelease(env: Env, org: OrgRow, body: unknown, fixedProject: ProjectSummaryRow | null) {
  const input = parseReleaseCreate(body, { requireProjects: fixedProject === null });
  let targets: ProjectSummaryRow[];
  try {
    targets = fixedProject ? [fixedProject] : await resolveProjects(env.DB, org.id, input.projects);
  } catch (error) {
    if (error instanceof InvalidProjects) return json({ projects: ["Invalid project slugs"] }, 400);
    throw error;
  }
  const orm = drizzle(env.DB);
  const [inserted] = await orm
    .insert(releases)
    .values({
      organizationId: org.id,
      version: input.version,
      dateAdded: Date.now() / 1000,
      ...changeSet(input),
    })
    .onConflictDoNothing()
    .returning();
  let release = inserted ?? (await findRelease(env.DB, org.id, input.version));
  if (!release) throw new FaultlineError(503, "release vanished while being created");
  if (!inserted) release = await updateRelease(env.DB, release, input);
  let added = 0;
  for (const batch of inBatches(targets, 40)) {
    const rows = await orm
      .insert(releaseProjects)
      .values(batch.map((p) => ({ releaseId: release.id, projectId: p.id })))
      .onConflictDoNothing()
      .returning();
    added += rows.length;
  }
  return json(await releaseJson(env.DB, release), inserted || added > 0 ? 201 : 208);
}

async function deleteRelease(db: D1Database, release: ReleaseRow): Promise<Response> {
  const orm = drizzle(db);
  const linked = await orm
    .select({ projectId: releaseProjects.projectId })
    .from(releaseProjects)
    .where(eq(releaseProjects.releaseId, release.id));
  const ids = linked.map((l) => l.projectId);
  const referenced = ids.length
    ? await orm
        .select({ id: issues.id })
        .from(issues)
        .where(and(inArray(issues.projectId, ids.slice(0, 90)), eq(issues.firstRelease, release.version)))
        .limit(1)
    : [];
  if (referenced.length > 0)
    throw badRequest("This release is referenced by active issues and cannot be removed.");
  await orm.batch([
    orm.delete(deploys).where(eq(deploys.releaseId, release.id)),
    orm.delete(releaseProjects).where(eq(releaseProjects.releaseId, release.id)),
    orm.delete(releases).where(eq(releases.id, release.id)),
  ]);
  return new Response(null, { status: 204 });
}

/** Resolves org (and project) of a release route for reading or for writing. */
async function scopeOf(request: IRequest, env: Env, write: boolean) {
  const caller = await authenticate(request, env);
  const orgRef = param(request, "org");
  const projectRef = request.params.project === undefined ? null : param(request, "project");
  if (projectRef === null) {
    const org = write
      ? await organizationFor(env, caller, orgRef, "project:releases")
      : await organizationForAnyScope(env, caller, orgRef);
    return { org, project: null };
  }
  const found = write
    ? await projectFor(env, caller, orgRef, projectRef, "project:releases")
    : await projectForAnyScope(env, caller, orgRef, projectRef);
  return { org: found.org, project: found.project };
}

/** The release of a `…/releases/{version}/…` route, scoped to the route's org (and project). */
export async function routeRelease(request: IRequest, env: Env, write: boolean) {
  const { org, project } = await scopeOf(request, env, write);
  const release = await releaseOr404(env.DB, org.id, param(request, "version"), project?.id);
  return { org, project, release };
}

function commitsJson(release: ReleaseRow) {
  let list: unknown;
  try {
    list = release.commits ? JSON.parse(release.commits) : [];
  } catch {
    list = [];
  }
  if (!Array.isArray(list)) return [];
  return list.map((c: Record<string, unknown>) => ({
    id: c.id,
    message: c.message ?? null,
    dateCreated: c.timestamp ?? null,
    author: c.author_email ? { name: c.author_name ?? null, email: c.author_email } : null,
    repository: c.repository ? { name: c.repository } : null,
  }));
}

export function registerReleaseRoutes(router: AppRouter): void {
  const orgBase = "/api/0/organizations/:org/releases";
  const projectBase = "/api/0/projects/:org/:project/releases";
  for (const base of [orgBase, projectBase]) {
    router.get(`${base}/`, async (req, env) => {
      const { org, project } = await scopeOf(req, env, false);
      return listReleases(req, env, project?.id ?? null, org.id);
    });
    router.post(`${base}/`, async (req, env) => {
      const { org, project } = await scopeOf(req, env, true);
      return createRelease(env, org, await readJsonBody(req, MAX_API_JSON_BYTES), project);
    });
    router.get(`${base}/:version/`, async (req, env) => {
      const { release } = await routeRelease(req, env, false);
      return json(await releaseJson(env.DB, release));
    });
    router.put(`${base}/:version/`, async (req, env) => {
      const { release } = await routeRelease(req, env, true);
      const changes = parseReleaseChanges(await readJsonBody(req, MAX_API_JSON_BYTES));
      return json(await releaseJson(env.DB, await updateRelease(env.DB, release, changes)));
    });
    router.delete(`${base}/:version/`, async (req, env) => {
      const { release } = await routeRelease(req, env, true);
      return deleteRelease(env.DB, release);
    });
  }
  router.get(`${orgBase}/:version/commits/`, async (req, env) => {
    const { release } = await routeRelease(req, env, false);
    return json(commitsJson(release));
  });
  router.get(`${orgBase}/:version/previous-with-commits/`, async (req, env) => {
    const { org, release } = await routeRelease(req, env, false);
    const previous = await drizzle(env.DB)
      .select()
      .from(releases)
      .where(
        and(
          eq(releases.organizationId, org.id),
          sql`${releases.lastCommitId} IS NOT NULL`,
          sql`${releases.id} <> ${release.id}`,
          sql`${releases.dateAdded} <= ${release.dateAdded}`,
        ),
      )
      .orderBy(desc(releases.dateAdded), desc(releases.id))
      .limit(1)
      .get();
    return json(previous ? await releaseJson(env.DB, previous) : {});
  });
}
