// Client keys (DSN) of a project: copyable DSN, create, disable/enable and per-key rate limits.
// Everyone in the organization can read the DSN; only owners and admins change keys.

import { insertProjectKey, setProjectKeyActive, setProjectKeyRateLimit } from "../../db/project-keys.ts";
import type { KeyRow, ProjectSummary } from "../../db/rows.ts";
import { keysOf, projectBySlug } from "../../db/tenant-reads.ts";
import { FaultlineError } from "../../errors.ts";
import { forgetProjectKeys } from "../../ingest/index.ts";
import { formString, isAdmin, type OrgCall, requireAdmin } from "../call.ts";
import { doneMessage } from "../flash.ts";
import { isoDay } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";
import { csrfField, flash, type PageContext, page } from "../layout.ts";
import { htmlResponse, redirect } from "../respond.ts";
import { randomToken } from "../session.ts";
import { settingsNav } from "../settings-nav.ts";
import { dsnField, dsnFor, setupSnippets } from "../snippets.ts";

export function keysView(
  ctx: PageContext,
  orgSlug: string,
  project: ProjectSummary,
  keys: KeyRow[],
  admin: boolean,
  message: string | null,
): SafeHtml {
  const action = `/settings/${encodeURIComponent(orgSlug)}/projects/${encodeURIComponent(project.slug)}/keys/`;
  const first = keys.find((k) => k.is_active);
  const cards = keys.map((k) => {
    const dsn = dsnFor(ctx.url, k.public_key, project.id);
    const limit =
      k.rate_limit_count !== null && k.rate_limit_window
        ? `${k.rate_limit_count} errors per ${k.rate_limit_window} s`
        : "no limit";
    return html`<section class="panel" aria-label="Key ${k.label}"><div class="row"><h2 class="grow" style="margin:0">${k.label}</h2>${k.is_active ? html`<span class="badge ok">active</span>` : html`<span class="badge regressed">disabled</span>`}<span class="muted">created ${isoDay(k.created_at)}</span></div>
<label for="dsn-${k.id}">DSN</label>${dsnField(`dsn-${k.id}`, dsn)}<p class="muted">Rate limit: ${limit}</p>
${
  admin
    ? html`<div class="row"><form method="post" action="${action}" class="inline">${csrfField(ctx)}<input type="hidden" name="key" value="${k.id}"><input type="hidden" name="action" value="${k.is_active ? "disable" : "enable"}"><button type="submit"${k.is_active ? html` data-confirm="Events sent with this DSN will be refused. Disable it?"` : ""}>${k.is_active ? "Disable" : "Enable"}</button></form>
<form method="post" action="${action}" class="row">${csrfField(ctx)}<input type="hidden" name="key" value="${k.id}"><input type="hidden" name="action" value="ratelimit"><label for="rl-c-${k.id}" style="margin:0;font-weight:400">Errors</label><input id="rl-c-${k.id}" name="count" type="number" min="0" size="6" value="${k.rate_limit_count ?? ""}" style="width:90px"><label for="rl-w-${k.id}" style="margin:0;font-weight:400">per seconds</label><input id="rl-w-${k.id}" name="window" type="number" min="1" size="6" value="${k.rate_limit_window ?? ""}" style="width:90px"><button type="submit">Set limit</button></form></div>`
    : ""
}</section>`;
  });
  return page(
    ctx,
    "settings",
    `${project.name} client keys`,
    html`<h1>Client keys (DSN)</h1>${settingsNav(orgSlug, "keys", project)}${flash(message)}${cards}
${admin ? html`<form method="post" action="${action}" class="panel row">${csrfField(ctx)}<input type="hidden" name="action" value="create"><label for="klabel" style="margin:0">New key label</label><input id="klabel" name="label" maxlength="64" placeholder="e.g. backend"><button class="primary" type="submit">Create key</button></form>` : ""}
${first ? html`<h2>Send a first event</h2>${setupSnippets(dsnFor(ctx.url, first.public_key, project.id))}` : ""}`,
  );
}

async function load(call: OrgCall): Promise<ProjectSummary> {
  const project = await projectBySlug(call.env.DB, call.org.id, call.param("project"));
  if (!project) throw new FaultlineError(404, "not found");
  return project;
}

export async function keysPage(call: OrgCall): Promise<Response> {
  const project = await load(call);
  return htmlResponse(
    keysView(
      call.ctx,
      call.org.slug,
      project,
      await keysOf(call.env.DB, project.id),
      isAdmin(call.org),
      doneMessage(call.ctx.url),
    ),
  );
}

const optionalInt = (text: string): number | null => {
  if (text === "") return null;
  const n = Number.parseInt(text, 10);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
};

export async function keysSubmit(call: OrgCall): Promise<Response> {
  const { env, org, form } = call;
  requireAdmin(org);
  const project = await load(call);
  const back = `/settings/${encodeURIComponent(org.slug)}/projects/${encodeURIComponent(project.slug)}/keys/`;
  const action = formString(form, "action");
  if (action === "create") {
    const label = formString(form, "label").slice(0, 64) || "Default";
    await insertProjectKey(
      env.DB,
      { projectId: project.id, publicKey: randomToken(16), secretKey: randomToken(16), label },
      Date.now() / 1000,
    );
    return redirect(`${back}?done=created`);
  }
  const keyId = Number.parseInt(formString(form, "key"), 10);
  const key = (await keysOf(env.DB, project.id)).find((k) => k.id === keyId);
  if (!key) throw new FaultlineError(404, "not found");
  if (action === "disable" || action === "enable") {
    await setProjectKeyActive(env.DB, project.id, key.id, action === "enable");
    // Ingest caches keys per isolate: apply the change here at once (other isolates within the cache TTL).
    forgetProjectKeys();
    return redirect(`${back}?done=saved`);
  }
  if (action === "ratelimit") {
    const count = optionalInt(formString(form, "count"));
    const window = optionalInt(formString(form, "window"));
    const none = count === null || window === null || window === 0;
    await setProjectKeyRateLimit(env.DB, project.id, key.id, none ? null : { count, window });
    forgetProjectKeys();
    return redirect(`${back}?done=saved`);
  }
  throw new FaultlineError(400, "unknown action");
}
