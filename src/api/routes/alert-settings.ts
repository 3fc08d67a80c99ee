// Alert delivery settings and the delivery log of a project:
//   `GET/PUT …/plugins/webhooks/`  Sentry's legacy webhooks plugin (`urls`, one per line), the targets of
//                                  the NotifyEventServiceAction with service "webhooks";
//   `GET/PUT …/alert-settings/`    Faultline's: the webhook signing secret (rotate) and whether targets
//                                  on private or loopback addresses are allowed (local development);
//   `GET …/alert-deliveries/`      the newest 100 deliveries (`?issue=` for one issue's).
import { blockedReason, newWebhookSecret, webhookUrls } from "../../alerts/index.ts";
import type { AlertDeliveryRow, AlertSettingsRow } from "../../db/alert-rules.ts";
import { alertSettingsOf, listDeliveries, updateAlertSettings } from "../../db/alert-rules.ts";
import { badRequest } from "../../errors.ts";
import type { AppRouter } from "../../http/app-router.ts";
import { readJsonBody } from "../../http/json-body.ts";
import { json } from "../../http/responses.ts";
import { ALERT_DELIVERY_LOG_SIZE, MAX_API_JSON_BYTES, MAX_WEBHOOK_URLS } from "../../limits.ts";
import { forgetProjectAlertRules } from "../../project/index.ts";
import { originOf } from "../tenant-access.ts";
import { routeProject } from "./projects.ts";

/** The plugin as Sentry's plugin serializer shows it (the fields scripts read: enabled, config). */
function webhooksPluginJson(settings: AlertSettingsRow) {
  const urls = webhookUrls(settings);
  return {
    id: "webhooks",
    slug: "webhooks",
    name: "WebHooks",
    type: "notification",
    enabled: urls.length > 0,
    isHidden: false,
    config: [
      {
        name: "urls",
        label: "Callback URLs",
        type: "textarea",
        required: false,
        help: "Enter callback URLs to POST new events to (one per line).",
        value: settings.webhookUrls,
        defaultValue: "",
      },
    ],
  };
}

function parseUrls(value: unknown, allowPrivate: boolean): string {
  if (typeof value !== "string") throw badRequest("urls must be a string (one URL per line)");
  const urls = value
    .split(/\r?\n/)
    .map((u) => u.trim())
    .filter((u) => u !== "");
  if (urls.length > MAX_WEBHOOK_URLS) throw badRequest(`At most ${MAX_WEBHOOK_URLS} webhook URLs.`);
  for (const url of urls) {
    const why = blockedReason(url, allowPrivate);
    if (why) throw badRequest(`Invalid URL ${url}: ${why}`);
  }
  return urls.join("\n");
}

export function serializeDelivery(d: AlertDeliveryRow) {
  return {
    id: String(d.id),
    rule: d.ruleId === null ? null : String(d.ruleId),
    ruleName: d.ruleName,
    issue: d.issueId ? String(d.issueId) : null,
    target: d.target,
    status: d.status,
    statusCode: d.statusCode,
    attempts: d.attempts,
    error: d.error,
    dateCreated: new Date(d.createdAt * 1000).toISOString(),
    dateUpdated: new Date(d.updatedAt * 1000).toISOString(),
  };
}

export function registerAlertSettingsRoutes(router: AppRouter): void {
  const base = "/api/0/projects/:org/:project";

  router.get(`${base}/plugins/webhooks/`, async (req, env) => {
    const { project, events } = await routeProject(req, env, "project:read");
    return json(webhooksPluginJson(await alertSettingsOf(events, project.id, newWebhookSecret())));
  });

  router.put(`${base}/plugins/webhooks/`, async (req, env) => {
    const { project, events } = await routeProject(req, env, "project:write");
    const body = (await readJsonBody(req, MAX_API_JSON_BYTES)) as Record<string, unknown> | null;
    const settings = await alertSettingsOf(events, project.id, newWebhookSecret());
    const urls = parseUrls(body?.urls ?? "", settings.allowPrivateTargets === 1);
    await updateAlertSettings(events, project.id, { webhookUrls: urls, baseUrl: originOf(req) });
    await forgetProjectAlertRules(env, project.id);
    return json(webhooksPluginJson({ ...settings, webhookUrls: urls }));
  });

  router.get(`${base}/alert-settings/`, async (req, env) => {
    const { project, events } = await routeProject(req, env, "project:write");
    const s = await alertSettingsOf(events, project.id, newWebhookSecret());
    return json({ webhookSecret: s.webhookSecret, allowPrivateTargets: s.allowPrivateTargets === 1 });
  });

  router.put(`${base}/alert-settings/`, async (req, env) => {
    const { project, events } = await routeProject(req, env, "project:admin");
    const body = (await readJsonBody(req, MAX_API_JSON_BYTES)) as Record<string, unknown> | null;
    if (typeof body !== "object" || body === null) throw badRequest("Expected a JSON object");
    const changes: Parameters<typeof updateAlertSettings>[2] = { baseUrl: originOf(req) };
    if (body.allowPrivateTargets !== undefined) {
      if (typeof body.allowPrivateTargets !== "boolean")
        throw badRequest("allowPrivateTargets must be a boolean");
      changes.allowPrivateTargets = body.allowPrivateTargets ? 1 : 0;
    }
    if (body.rotateSecret === true) changes.webhookSecret = newWebhookSecret();
    await alertSettingsOf(events, project.id, newWebhookSecret());
    await updateAlertSettings(events, project.id, changes);
    await forgetProjectAlertRules(env, project.id);
    const s = await alertSettingsOf(events, project.id, newWebhookSecret());
    return json({ webhookSecret: s.webhookSecret, allowPrivateTargets: s.allowPrivateTargets === 1 });
  });

  router.get(`${base}/alert-deliveries/`, async (req, env) => {
    const { project, events } = await routeProject(req, env, "alerts:read");
    const issue = new URL(req.url).searchParams.get("issue");
    const issueId = issue === null ? null : Number(issue);
    if (issueId !== null && (!Number.isSafeInteger(issueId) || issueId <= 0))
      throw badRequest("issue must be an issue id");
    const rows = await listDeliveries(events, project.id, issueId, ALERT_DELIVERY_LOG_SIZE);
    return json(rows.map(serializeDelivery));
  });
}
