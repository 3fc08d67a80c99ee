// Sentry's cron monitor API: `GET/POST /api/0/organizations/{org}/monitors/` (filtered by `project`
// ids, `projectSlug`, `query`, `environment`), `GET/PUT/DELETE …/monitors/{slug}/`, `GET …/checkins/`
// and `GET …/stats/`, the last four also under `/api/0/projects/{org}/{project}/monitors/{slug}/` (the
// monitor must be that project's). Monitors are also created by check-ins carrying monitor_config
// (src/project/monitor-clock.ts). Every change tells the project's Durable Object, whose alarm follows
// the monitors' deadlines.
import type { IRequest } from "itty-router";
import {
  checkInBuckets,
  deleteMonitor,
  environmentsOf,
  findMonitor,
  insertMonitor,
  listMonitors,
  type MonitorRow,
  recentCheckIns,
  updateMonitor,
} from "../../db/monitors.ts";
import { orgProjectRefs } from "../../db/org-projects.ts";
import { shardDb } from "../../db/shards.ts";
import type { Env } from "../../env.ts";
import { badRequest } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { readJsonBody } from "../../http/json-body.ts";
import { json } from "../../http/responses.ts";
import {
  MAX_API_JSON_BYTES,
  MAX_MONITOR_NAME_CHARS,
  MAX_MONITOR_SLUG_CHARS,
  MONITOR_CHECKINS_PAGE,
} from "../../limits.ts";
import { monitorsChanged } from "../../project/index.ts";
import { configFromApi, MonitorConfigError } from "../../protocol/monitors/monitor-config.ts";
import { authenticate, notFound, type OrgRow, organizationFor, type Scope } from "../access.ts";
import { monitorStats, statsRange } from "../monitor-stats.ts";
import { linkHeader, pageFrom } from "../pagination.ts";
import { serializeCheckIn, serializeMonitor } from "../serializers/monitor.ts";

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

async function orgScope(req: IRequest, env: Env, scope: Scope) {
  const caller = await authenticate(req, env);
  const org = await organizationFor(env, caller, param(req, "org"), scope);
  // Monitors and their check-ins are on the organization's event shard.
  return { org, projects: await orgProjectRefs(env.DB, org.id), events: shardDb(env, org.shard) };
}

async function routeMonitor(req: IRequest, env: Env, scope: Scope) {
  const found = await orgScope(req, env, scope);
  const monitor = await findMonitor(found.events, found.org.id, param(req, "slug"));
  const project = found.projects.find((p) => p.id === monitor?.projectId);
  if (!monitor || !project) throw notFound();
  // Under a project's path, only that project's monitor.
  if (req.params.project !== undefined) {
    const named = param(req, "project");
    if (project.slug !== named && String(project.id) !== named) throw notFound();
  }
  return { ...found, monitor, project };
}

async function monitorJson(events: D1Database, m: MonitorRow, project: { id: number; slug: string }) {
  return serializeMonitor(m, project, await environmentsOf(events, [m.id]));
}

/** Sentry's slugify of a monitor name: lower case, runs of other characters as one dash. */
function slugOf(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_MONITOR_SLUG_CHARS);
}

/** Field errors as Sentry answers them: `{field: [message]}` with 400. */
function fieldError(field: string, message: string): Response {
  return json({ [field]: [message] }, 400);
}

interface MonitorInput {
  name?: string;
  slug?: string;
  status?: "active" | "disabled";
  config?: string;
}

function readInput(body: unknown, creating: boolean): MonitorInput | Response {
  if (!isRecord(body)) throw badRequest("Expected a JSON object");
  const input: MonitorInput = {};
  if (body.name !== undefined) {
    if (typeof body.name !== "string" || body.name.trim() === "" || body.name.length > MAX_MONITOR_NAME_CHARS)
      return fieldError("name", `Ensure this field has 1 to ${MAX_MONITOR_NAME_CHARS} characters.`);
    input.name = body.name.trim();
  } else if (creating) return fieldError("name", "This field is required.");
  const slugSource = typeof body.slug === "string" ? body.slug : creating ? input.name : undefined;
  if (slugSource !== undefined) {
    const slug = slugOf(slugSource);
    if (slug === "" || /^\d+$/.test(slug)) return fieldError("slug", "Invalid monitor slug.");
    input.slug = slug;
  }
  if (body.status !== undefined) {
    if (body.status !== "active" && body.status !== "disabled")
      return fieldError("status", "active or disabled");
    input.status = body.status;
  }
  if (body.type !== undefined && body.type !== "cron_job")
    return fieldError("type", '"cron_job" is the only type.');
  if (body.config !== undefined) {
    try {
      input.config = JSON.stringify(configFromApi(body.config));
    } catch (error) {
      if (error instanceof MonitorConfigError)
        return json({ config: { [error.field]: [error.message] } }, 400);
      throw error;
    }
  } else if (creating) return fieldError("config", "This field is required.");
  return input;
}

async function createMonitor(req: IRequest, env: Env, org: OrgRow, projects: { id: number; slug: string }[]) {
  const events = shardDb(env, org.shard);
  const body = await readJsonBody(req, MAX_API_JSON_BYTES);
  const input = readInput(body, true);
  if (input instanceof Response) return input;
  const ref = isRecord(body) ? body.project : undefined;
  const project = projects.find((p) => p.slug === ref || String(p.id) === String(ref));
  if (!project) return fieldError("project", "Invalid project");
  const { row, created } = await insertMonitor(
    events,
    {
      organizationId: org.id,
      projectId: project.id,
      slug: input.slug ?? "",
      name: input.name ?? "",
      status: input.status ?? "active",
      config: input.config ?? "",
    },
    Date.now() / 1000,
  );
  if (!created) return fieldError("slug", `The slug "${input.slug}" is already in use.`);
  await monitorsChanged(env, project.id, org.id);
  return json(await monitorJson(events, row, project), 201);
}

export function registerMonitorRoutes(router: AppRouter): void {
  const base = "/api/0/organizations/:org/monitors";

  router.get(`${base}/`, async (req, env) => {
    const { org, projects, events } = await orgScope(req, env, "org:read");
    const url = new URL(req.url);
    const ids = url.searchParams.getAll("project").filter((p) => p !== "" && p !== "-1");
    const slugs = url.searchParams.getAll("projectSlug").filter((p) => p !== "");
    const shown = projects.filter(
      (p) =>
        (ids.length === 0 || ids.includes(String(p.id))) && (slugs.length === 0 || slugs.includes(p.slug)),
    );
    const text = (url.searchParams.get("query") ?? "").trim().toLowerCase();
    const rows = (
      await listMonitors(
        events,
        org.id,
        shown.map((p) => p.id),
      )
    ).filter((m) => text === "" || m.name.toLowerCase().includes(text) || m.slug.includes(text));
    const envs = await environmentsOf(
      events,
      rows.map((m) => m.id),
    );
    const environment = url.searchParams.getAll("environment");
    return json(
      rows.map((m) => {
        const project = projects.find((p) => p.id === m.projectId) ?? { id: m.projectId, slug: "" };
        const own = envs.filter(
          (e) => e.monitorId === m.id && (environment.length === 0 || environment.includes(e.environment)),
        );
        return serializeMonitor(m, project, own);
      }),
    );
  });

  router.post(`${base}/`, async (req, env) => {
    const { org, projects } = await orgScope(req, env, "project:write");
    return createMonitor(req, env, org, projects);
  });

  for (const one of [`${base}/:slug`, "/api/0/projects/:org/:project/monitors/:slug"])
    registerMonitor(router, one);
}

/** The routes of one monitor under `one` (the organization's path or a project's). */
function registerMonitor(router: AppRouter, one: string): void {
  router.get(`${one}/`, async (req, env) => {
    const { monitor, project, events } = await routeMonitor(req, env, "org:read");
    return json(await monitorJson(events, monitor, project));
  });

  router.put(`${one}/`, async (req, env) => {
    const { org, monitor, project, events } = await routeMonitor(req, env, "project:write");
    const input = readInput(await readJsonBody(req, MAX_API_JSON_BYTES), false);
    if (input instanceof Response) return input;
    if (input.slug && input.slug !== monitor.slug && (await findMonitor(events, org.id, input.slug)))
      return fieldError("slug", `The slug "${input.slug}" is already in use.`);
    await updateMonitor(events, monitor.id, input);
    await monitorsChanged(env, project.id, org.id);
    return json(await monitorJson(events, { ...monitor, ...input }, project));
  });

  router.delete(`${one}/`, async (req, env) => {
    const { org, monitor, project, events } = await routeMonitor(req, env, "project:write");
    await deleteMonitor(events, monitor.id);
    await monitorsChanged(env, project.id, org.id);
    return new Response(null, { status: 202 });
  });

  router.get(`${one}/stats/`, async (req, env) => {
    const { monitor, events } = await routeMonitor(req, env, "org:read");
    const url = new URL(req.url);
    const range = statsRange(url.searchParams, Date.now() / 1000);
    const environments = url.searchParams.getAll("environment").filter((e) => e !== "");
    return json(monitorStats(range, await checkInBuckets(events, monitor.id, environments, range)));
  });

  router.get(`${one}/checkins/`, async (req, env) => {
    const { monitor, events } = await routeMonitor(req, env, "org:read");
    const url = new URL(req.url);
    const page = pageFrom(url, MONITOR_CHECKINS_PAGE);
    const environment = url.searchParams.get("environment") || null;
    const rows = await recentCheckIns(events, monitor.id, environment, page.limit + 1, page.offset);
    return json(rows.slice(0, page.limit).map(serializeCheckIn), 200, {
      link: linkHeader(url, page, rows.length > page.limit),
    });
  });
}
