// Sentry's issue alert rule API: `GET/POST /api/0/projects/{org}/{project}/rules/`,
// `GET/PUT/DELETE …/rules/{rule_id}/` (Sentry's rule JSON, field errors as Sentry answers them), and
// `POST …/rule-actions/` (Sentry's "Send Test Notification": the given actions, once, with a sample
// event). Scopes as Sentry's ProjectAlertRulePermission: alerts:read (or project:read) to read,
// alerts:write (or project:write) to change. Every change tells the project's Durable Object, which
// caches the rules between commits.
import type { IRequest } from "itty-router";
import {
  newWebhookSecret,
  parseRule,
  RuleValidationError,
  ruleOfRow,
  serializeRule,
  targetsOf,
  testMessage,
} from "../../alerts/index.ts";
import {
  alertSettingsOf,
  countAlertRules,
  createAlertRule,
  deleteAlertRule,
  getAlertRule,
  listAlertRules,
  updateAlertRule,
  updateAlertSettings,
} from "../../db/alert-rules.ts";
import type { Env } from "../../env.ts";
import { badRequest } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { readJsonBody } from "../../http/json-body.ts";
import { json } from "../../http/responses.ts";
import { MAX_ALERT_RULES_PER_PROJECT, MAX_API_JSON_BYTES } from "../../limits.ts";
import { forgetProjectAlertRules } from "../../project/index.ts";
import { notFound } from "../access.ts";
import { originOf } from "../tenant-access.ts";
import { routeProject } from "./projects.ts";

/** Parses a rule body; Sentry answers validation errors as `{field: [messages]}` with 400. */
function parseOr400(body: unknown, current: Parameters<typeof parseRule>[1]) {
  try {
    return { input: parseRule(body, current), error: null };
  } catch (error) {
    if (error instanceof RuleValidationError) return { input: null, error: json(error.fields, 400) };
    throw error;
  }
}

/** The rule a route names, in the caller's project; 404 for anything else (a foreign rule included). */
async function routeRule(req: IRequest, env: Env, scope: "alerts:read" | "alerts:write") {
  const found = await routeProject(req, env, scope);
  const id = Number(param(req, "ruleId"));
  const row =
    Number.isSafeInteger(id) && id > 0 ? await getAlertRule(found.events, found.project.id, id) : null;
  if (!row) throw notFound();
  return { ...found, row };
}

/** Remembers the public URL links should use and tells the project's object to re-read its rules. */
async function rulesChanged(env: Env, events: D1Database, req: IRequest, projectId: number): Promise<void> {
  await alertSettingsOf(events, projectId, newWebhookSecret());
  await updateAlertSettings(events, projectId, { baseUrl: originOf(req) });
  await forgetProjectAlertRules(env, projectId);
}

export function registerAlertRuleRoutes(router: AppRouter): void {
  const base = "/api/0/projects/:org/:project";

  router.get(`${base}/rules/`, async (req, env) => {
    const { project, events } = await routeProject(req, env, "alerts:read");
    const rows = await listAlertRules(events, project.id);
    return json(rows.map((r) => serializeRule(ruleOfRow(r), project.slug)));
  });

  router.post(`${base}/rules/`, async (req, env) => {
    const { caller, project, events } = await routeProject(req, env, "alerts:write");
    const { input, error } = parseOr400(await readJsonBody(req, MAX_API_JSON_BYTES), null);
    if (error) return error;
    if ((await countAlertRules(events, project.id)) >= MAX_ALERT_RULES_PER_PROJECT)
      throw badRequest(`A project has at most ${MAX_ALERT_RULES_PER_PROJECT} alert rules.`);
    const row = await createAlertRule(events, project.id, input, caller.identity.userId);
    await rulesChanged(env, events, req, project.id);
    return json(serializeRule(ruleOfRow(row), project.slug), 200);
  });

  router.get(`${base}/rules/:ruleId/`, async (req, env) => {
    const { project, row } = await routeRule(req, env, "alerts:read");
    return json(serializeRule(ruleOfRow(row), project.slug));
  });

  router.put(`${base}/rules/:ruleId/`, async (req, env) => {
    const { project, row, events } = await routeRule(req, env, "alerts:write");
    const { input, error } = parseOr400(await readJsonBody(req, MAX_API_JSON_BYTES), ruleOfRow(row));
    if (error) return error;
    const updated = await updateAlertRule(events, row, input);
    await rulesChanged(env, events, req, project.id);
    return json(serializeRule(ruleOfRow(updated), project.slug));
  });

  router.delete(`${base}/rules/:ruleId/`, async (req, env) => {
    const { project, row, events } = await routeRule(req, env, "alerts:write");
    await deleteAlertRule(events, row);
    await forgetProjectAlertRules(env, project.id);
    return new Response(null, { status: 202 });
  });

  router.post(`${base}/rule-actions/`, async (req, env) => {
    const { org, project, events } = await routeProject(req, env, "alerts:write");
    const body = await readJsonBody(req, MAX_API_JSON_BYTES);
    const actions = (body as { actions?: unknown } | null)?.actions;
    // Validated as a rule would be (a placeholder name and condition: only the actions matter here).
    const { input, error } = parseOr400(
      {
        name: "Test Alert",
        actions,
        conditions: [{ id: "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition" }],
      },
      null,
    );
    if (error) return error;
    await rulesChanged(env, events, req, project.id);
    const settings = await alertSettingsOf(events, project.id, newWebhookSecret());
    const rule = ruleOfRow({
      ...input,
      id: 0,
      projectId: project.id,
      createdBy: null,
      createdAt: 0,
      updatedAt: 0,
    });
    const messages = targetsOf(rule, settings).map((target) =>
      testMessage(org.id, project.id, target, ruleNameOf(body)),
    );
    if (messages.length > 0)
      await env.ALERTS.sendBatch(messages.map((m) => ({ body: m, contentType: "json" })));
    return new Response(null, { status: 202 });
  });
}

function ruleNameOf(body: unknown): string {
  const name = (body as { name?: unknown } | null)?.name;
  return typeof name === "string" && name !== "" ? name.slice(0, 256) : "Test Alert";
}
