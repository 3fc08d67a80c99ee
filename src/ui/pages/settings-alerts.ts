// Alert rules of a project: the rules (create from a template, edit, disable/enable, delete, send a
// test notification), the legacy webhooks plugin's URLs and signing secret, and the delivery log.
// Rules are managed by every member (Sentry's members hold alerts:write); the webhook URLs, the secret
// and the private-target switch are project settings (owners and admins).
import {
  ACTION,
  type AlertRule,
  blockedReason,
  CONDITION,
  newWebhookSecret,
  parseRule,
  RuleValidationError,
  ruleOfRow,
  serializeRule,
  targetsOf,
  testMessage,
} from "../../alerts/index.ts";
import {
  type AlertDeliveryRow,
  type AlertSettingsRow,
  alertSettingsOf,
  createAlertRule,
  deleteAlertRule,
  getAlertRule,
  listAlertRules,
  listDeliveries,
  updateAlertRule,
  updateAlertSettings,
} from "../../db/alert-rules.ts";
import type { ProjectSummary } from "../../db/rows.ts";
import { shardDb } from "../../db/shards.ts";
import { projectBySlug } from "../../db/tenant-reads.ts";
import { FaultlineError } from "../../errors.ts";
import { ALERT_DELIVERY_LOG_SIZE } from "../../limits.ts";
import { forgetProjectAlertRules } from "../../project/index.ts";
import { formString, isAdmin, type OrgCall, requireAdmin } from "../call.ts";
import { doneMessage } from "../flash.ts";
import { isoTime } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";
import { csrfField, flash, type PageContext, page } from "../layout.ts";
import { htmlResponse, redirect } from "../respond.ts";
import { settingsNav } from "../settings-nav.ts";

/** The templates of the create form: Sentry's usual first rules. */
export const TEMPLATES: Record<string, { label: string; conditions: object[]; frequency: number }> = {
  "new-issue": { label: "A new issue is created", conditions: [{ id: CONDITION.firstSeen }], frequency: 30 },
  regression: { label: "An issue regresses", conditions: [{ id: CONDITION.regression }], frequency: 30 },
  spike: {
    label: "Spike: more than 100 events in 5 minutes",
    conditions: [{ id: CONDITION.frequency, value: 100, interval: "5m" }],
    frequency: 60,
  },
  budget: {
    label: "The monthly cost budget is reached",
    conditions: [{ id: CONDITION.budgetExceeded }],
    frequency: 1440,
  },
};

export interface AlertsPage {
  orgSlug: string;
  project: ProjectSummary;
  rules: AlertRule[];
  settings: AlertSettingsRow;
  deliveries: AlertDeliveryRow[];
  admin: boolean;
  message: string | null;
  error: string | null;
}

function ruleCard(ctx: PageContext, action: string, p: AlertsPage, r: AlertRule): SafeHtml {
  const json = serializeRule(r, p.project.slug);
  const summary = (nodes: unknown) => (nodes as { name: string }[]).map((n) => html`<li>${n.name}</li>`);
  const editable = JSON.stringify(
    {
      actionMatch: r.actionMatch,
      filterMatch: r.filterMatch,
      conditions: r.conditions,
      filters: r.filters,
      actions: r.actions,
    },
    null,
    2,
  );
  const form = (name: string, label: string, extra: SafeHtml | "" = "") =>
    html`<form method="post" action="${action}" class="inline">${csrfField(ctx)}<input type="hidden" name="rule" value="${r.id}"><button type="submit" name="action" value="${name}"${extra}>${label}</button></form>`;
  return html`<section class="panel" aria-label="Rule ${r.name}"><div class="row"><h2 class="grow" style="margin:0">${r.name}</h2>${r.status === "active" ? html`<span class="badge ok">active</span>` : html`<span class="badge regressed">disabled</span>`}<span class="muted">at most once per ${r.frequency} min per issue${r.environment ? html` · ${r.environment}` : ""}</span></div>
<div class="grid2"><div><strong>When ${r.actionMatch} of</strong><ul>${summary(json.conditions)}</ul>${r.filters.length > 0 ? html`<strong>If ${r.filterMatch} of</strong><ul>${summary(json.filters)}</ul>` : ""}</div><div><strong>Then</strong><ul>${summary(json.actions)}</ul></div></div>
<div class="row">${form(r.status === "active" ? "disable" : "enable", r.status === "active" ? "Disable" : "Enable")}${form("test", "Send test notification")}${form("delete", "Delete", html` class="danger" data-confirm="Delete this alert rule?"`)}</div>
<details><summary>Edit</summary><form method="post" action="${action}">${csrfField(ctx)}<input type="hidden" name="rule" value="${r.id}"><input type="hidden" name="action" value="edit">
<label for="n-${r.id}">Name</label><input id="n-${r.id}" name="name" value="${r.name}" maxlength="256" required>
<label for="f-${r.id}">Frequency (minutes)</label><input id="f-${r.id}" name="frequency" type="number" min="5" max="43200" value="${String(r.frequency)}">
<label for="e-${r.id}">Environment (empty: all)</label><input id="e-${r.id}" name="environment" value="${r.environment ?? ""}">
<label for="j-${r.id}">Conditions, filters and actions (Sentry's rule JSON)</label><textarea id="j-${r.id}" name="json" rows="10" style="width:100%;font-family:monospace">${editable}</textarea>
<button class="primary" type="submit">Save</button></form></details></section>`;
}

function deliveryTable(rows: AlertDeliveryRow[], orgSlug: string): SafeHtml {
  if (rows.length === 0) return html`<p class="muted">Nothing delivered yet.</p>`;
  const o = encodeURIComponent(orgSlug);
  return html`<table class="table"><thead><tr><th>When</th><th>Rule</th><th>Issue</th><th>Target</th><th>Status</th><th>Code</th><th>Attempts</th><th>Error</th></tr></thead><tbody>${rows.map(
    (d) =>
      html`<tr><td>${isoTime(d.updatedAt)}</td><td>${d.ruleName}</td><td>${d.issueId ? html`<a href="/organizations/${o}/issues/${String(d.issueId)}/">${String(d.issueId)}</a>` : "test"}</td><td><code>${d.target}</code></td><td><span class="badge${d.status === "delivered" ? " ok" : d.status === "retrying" ? "" : " regressed"}">${d.status}</span></td><td>${d.statusCode === null ? "" : String(d.statusCode)}</td><td>${String(d.attempts)}</td><td>${d.error ?? ""}</td></tr>`,
  )}</tbody></table>`;
}

export function alertsView(ctx: PageContext, p: AlertsPage): SafeHtml {
  const action = `/settings/${encodeURIComponent(p.orgSlug)}/projects/${encodeURIComponent(p.project.slug)}/alerts/`;
  const templates = Object.entries(TEMPLATES).map(([k, t]) => html`<option value="${k}">${t.label}</option>`);
  const create = html`<form method="post" action="${action}" class="panel" aria-label="New alert rule">${csrfField(ctx)}<input type="hidden" name="action" value="create"><h2 style="margin-top:0">New alert rule</h2>
<label for="tpl">When</label><select id="tpl" name="template">${templates}</select>
<label for="rname">Name</label><input id="rname" name="name" maxlength="256" placeholder="e.g. New issues in production">
<label for="target">Then</label><select id="target" name="target"><option value="webhooks">Send to the webhooks below</option><option value="email">E-mail every member</option><option value="slack">Slack incoming webhook</option><option value="discord">Discord webhook</option></select>
<label for="turl">Slack or Discord webhook URL</label><input id="turl" name="url" placeholder="https://hooks.slack.com/services/…">
<button class="primary" type="submit">Create rule</button></form>`;
  const settings = p.admin
    ? html`<form method="post" action="${action}" class="panel" aria-label="Webhooks">${csrfField(ctx)}<input type="hidden" name="action" value="webhooks"><h2 style="margin-top:0">Webhooks</h2>
<label for="urls">Callback URLs (one per line)</label><textarea id="urls" name="urls" rows="3" style="width:100%">${p.settings.webhookUrls}</textarea>
<p class="muted">Each request carries <code>Sentry-Hook-Signature</code>: the hex HMAC-SHA256 of the body with this secret: <code>${p.settings.webhookSecret}</code></p>
<label><input type="checkbox" name="allowPrivate" value="1"${p.settings.allowPrivateTargets === 1 ? html` checked` : ""}> Allow private and loopback addresses (local development only)</label>
<button type="submit">Save webhooks</button></form>`
    : html`<p class="muted">Owners and admins set the webhook URLs.</p>`;
  return page(
    ctx,
    "settings",
    `${p.project.name} alerts`,
    html`<h1>Alert rules</h1>${settingsNav(p.orgSlug, "alerts", p.project)}${flash(p.message)}${flash(p.error, "error")}
${p.rules.length === 0 ? html`<p class="muted">No alert rules yet.</p>` : p.rules.map((r) => ruleCard(ctx, action, p, r))}
<div class="grid2"><div>${create}</div><div>${settings}</div></div>
<h2>Delivery log</h2>${deliveryTable(p.deliveries, p.orgSlug)}`,
  );
}

async function load(call: OrgCall): Promise<ProjectSummary> {
  const project = await projectBySlug(call.env.DB, call.org.id, call.param("project"));
  if (!project) throw new FaultlineError(404, "not found");
  return project;
}

async function render(call: OrgCall, project: ProjectSummary, error: string | null): Promise<Response> {
  const { env } = call;
  const [rows, settings, deliveries] = await Promise.all([
    listAlertRules(shardDb(env, call.org.shard), project.id),
    alertSettingsOf(shardDb(env, call.org.shard), project.id, newWebhookSecret()),
    listDeliveries(shardDb(env, call.org.shard), project.id, null, ALERT_DELIVERY_LOG_SIZE),
  ]);
  const view = alertsView(call.ctx, {
    orgSlug: call.org.slug,
    project,
    rules: rows.map(ruleOfRow),
    settings,
    deliveries,
    admin: isAdmin(call.org),
    message: doneMessage(call.ctx.url),
    error,
  });
  return htmlResponse(view, error ? 400 : 200);
}

export async function alertsPage(call: OrgCall): Promise<Response> {
  return render(call, await load(call), null);
}

function actionFor(target: string, url: string): object {
  if (target === "email")
    return { id: ACTION.email, targetType: "IssueOwners", fallthroughType: "ActiveMembers" };
  if (target === "slack") return { id: ACTION.slack, webhook_url: url };
  if (target === "discord") return { id: ACTION.discord, webhook_url: url };
  return { id: ACTION.service, service: "webhooks" };
}

const validationText = (error: RuleValidationError) =>
  Object.entries(error.fields)
    .map(([field, messages]) => `${field}: ${messages.join(" ")}`)
    .join("; ");

export async function alertsSubmit(call: OrgCall): Promise<Response> {
  const { env, form, org } = call;
  const project = await load(call);
  const back = `/settings/${encodeURIComponent(org.slug)}/projects/${encodeURIComponent(project.slug)}/alerts/`;
  const action = formString(form, "action");
  const changed = async () => {
    await alertSettingsOf(shardDb(env, call.org.shard), project.id, newWebhookSecret());
    await updateAlertSettings(shardDb(env, call.org.shard), project.id, { baseUrl: call.ctx.url.origin });
    await forgetProjectAlertRules(env, project.id);
  };
  try {
    if (action === "webhooks") {
      requireAdmin(org);
      const allowPrivate = formString(form, "allowPrivate") === "1";
      const urls = formString(form, "urls")
        .split(/\r?\n/)
        .map((u) => u.trim())
        .filter((u) => u !== "");
      for (const url of urls) {
        const why = blockedReason(url, allowPrivate);
        if (why) return render(call, project, `Invalid URL ${url}: ${why}`);
      }
      await alertSettingsOf(shardDb(env, call.org.shard), project.id, newWebhookSecret());
      await updateAlertSettings(shardDb(env, call.org.shard), project.id, {
        webhookUrls: urls.join("\n"),
        allowPrivateTargets: allowPrivate ? 1 : 0,
      });
      await changed();
      return redirect(`${back}?done=saved`);
    }
    if (action === "create") {
      const template = TEMPLATES[formString(form, "template")] ?? TEMPLATES["new-issue"];
      if (!template) throw new FaultlineError(400, "unknown template");
      const input = parseRule(
        {
          name: formString(form, "name") || template.label,
          conditions: template.conditions,
          frequency: template.frequency,
          actions: [actionFor(formString(form, "target"), formString(form, "url"))],
        },
        null,
      );
      await createAlertRule(shardDb(env, call.org.shard), project.id, input, call.session.user.id);
      await changed();
      return redirect(`${back}?done=created`);
    }
    const row = await getAlertRule(
      shardDb(env, call.org.shard),
      project.id,
      Number.parseInt(formString(form, "rule"), 10) || 0,
    );
    if (!row) throw new FaultlineError(404, "not found");
    const rule = ruleOfRow(row);
    if (action === "delete") {
      await deleteAlertRule(shardDb(env, call.org.shard), row);
      await forgetProjectAlertRules(env, project.id);
      return redirect(`${back}?done=deleted`);
    }
    if (action === "disable" || action === "enable") {
      await updateAlertRule(
        shardDb(env, call.org.shard),
        row,
        parseRule({ status: action === "enable" ? "active" : "disabled" }, rule),
      );
      await changed();
      return redirect(`${back}?done=saved`);
    }
    if (action === "edit") {
      let parts: unknown;
      try {
        parts = JSON.parse(formString(form, "json"));
      } catch {
        return render(call, project, "The rule JSON does not parse.");
      }
      const body = {
        ...(typeof parts === "object" && parts !== null ? parts : {}),
        name: formString(form, "name"),
        frequency: Number(formString(form, "frequency")),
        environment: formString(form, "environment") || null,
      };
      await updateAlertRule(shardDb(env, call.org.shard), row, parseRule(body, rule));
      await changed();
      return redirect(`${back}?done=saved`);
    }
    if (action === "test") {
      const settings = await alertSettingsOf(shardDb(env, call.org.shard), project.id, newWebhookSecret());
      await changed();
      const messages = targetsOf(rule, settings).map((t) => testMessage(org.id, project.id, t, rule.name));
      if (messages.length > 0)
        await env.ALERTS.sendBatch(messages.map((m) => ({ body: m, contentType: "json" })));
      return redirect(`${back}?done=sent`);
    }
  } catch (error) {
    if (error instanceof RuleValidationError) return render(call, project, validationText(error));
    throw error;
  }
  throw new FaultlineError(400, "unknown action");
}
