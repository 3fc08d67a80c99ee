// Project settings: list and create projects and set the organization's data retention; rename or
// delete one, its data scrubbing, inbound filters and data retention (owners and admins only).

import { isValidSlug } from "../../api/index.ts";
import { deleteProjectBlobs } from "../../blobs/project-blobs.ts";
import { readOrganizationRetention, setOrganizationRetention } from "../../db/organization-retention.ts";
import { createProjectWithKey, renameProject } from "../../db/projects.ts";
import type { ProjectSummary } from "../../db/rows.ts";
import { anchorProjectOnShard, dropProjectFromShard, shardDb } from "../../db/shards.ts";
import { deleteProject, getProject, type ProjectRow, updateProject } from "../../db/tenant-projects.ts";
import { projectBySlug, projectsOf } from "../../db/tenant-reads.ts";
import { FaultlineError } from "../../errors.ts";
import { forgetProjectKeys } from "../../ingest/index.ts";
import { forgetProjectIssues } from "../../project/index.ts";
import { formString, isAdmin, type OrgCall, requireAdmin } from "../call.ts";
import { doneMessage } from "../flash.ts";
import { html, type SafeHtml } from "../html.ts";
import { csrfField, flash, type PageContext, page } from "../layout.ts";
import { htmlResponse, redirect } from "../respond.ts";
import { randomToken } from "../session.ts";
import { settingsNav, slugify } from "../settings-nav.ts";
import { outcomesPanel } from "./project-outcomes.ts";
import { filtersChange, filtersForm } from "./settings-filters.ts";
import { organizationRetentionForm, retentionChange, retentionForm } from "./settings-retention.ts";
import { scrubbingChanges, scrubbingForm } from "./settings-scrubbing.ts";

const SLUG_RULE =
  "A slug is lowercase letters, digits, underscores or hyphens, and cannot be entirely numeric.";

export function projectsView(
  ctx: PageContext,
  orgSlug: string,
  projects: ProjectSummary[],
  admin: boolean,
  message: string | null,
  error: string | null,
  organizationRetentionDays: number | null = null,
): SafeHtml {
  const o = encodeURIComponent(orgSlug);
  return page(
    ctx,
    "settings",
    "Projects",
    html`<h1>Settings</h1>${settingsNav(orgSlug, "projects")}${flash(message)}${flash(error, "error")}
<div class="panel" style="padding:0;overflow:auto"><table class="stack"><thead><tr><th>Project</th><th>Slug</th><th>Platform</th><th></th></tr></thead><tbody>${projects.map(
      (p) =>
        html`<tr><td><a href="/organizations/${o}/issues/?project=${encodeURIComponent(p.slug)}">${p.name}</a></td><td><code>${p.slug}</code></td><td>${p.platform ?? ""}</td><td><a href="/settings/${o}/projects/${encodeURIComponent(p.slug)}/keys/">Client keys (DSN)</a> · <a href="/settings/${o}/projects/${encodeURIComponent(p.slug)}/">General</a></td></tr>`,
    )}</tbody></table></div>
${organizationRetentionForm(ctx, `/settings/${o}/projects/`, organizationRetentionDays, admin)}
${admin ? html`<h2>Create a project</h2><form method="post" action="/settings/${o}/projects/" class="panel">${csrfField(ctx)}<label for="pname">Name</label><input id="pname" name="name" required maxlength="64"><label for="pplatform">Platform (optional)</label><select id="pplatform" name="platform"><option value="">—</option><option>rust</option><option>node</option><option>python</option><option>javascript</option><option>native</option><option>other</option></select><p><button class="primary" type="submit">Create project</button></p></form>` : html`<p class="muted">Only owners and admins can create projects.</p>`}`,
  );
}

export async function projectsPage({ env, ctx, org }: OrgCall): Promise<Response> {
  const [projects, retention] = await Promise.all([
    projectsOf(env.DB, org.id),
    readOrganizationRetention(env.DB, org.id),
  ]);
  return htmlResponse(
    projectsView(ctx, org.slug, projects, isAdmin(org), doneMessage(ctx.url), null, retention),
  );
}

export async function projectsSubmit(call: OrgCall): Promise<Response> {
  const { env, ctx, org, form } = call;
  requireAdmin(org);
  if (formString(form, "action") === "retention") return organizationRetentionSubmit(call);
  const name = formString(form, "name").slice(0, 64);
  const slug = slugify(name);
  const platform = formString(form, "platform") || null;
  /** The projects page again, with the reason the project was not created. */
  const refuse = async (message: string, status: number) =>
    htmlResponse(
      projectsView(
        ctx,
        org.slug,
        await projectsOf(env.DB, org.id),
        true,
        null,
        message,
        await readOrganizationRetention(env.DB, org.id),
      ),
      status,
    );
  if (!name || !slug) return refuse("Give the project a name with letters or digits.", 400);
  // An all-digit slug would read as a project id in API paths (Sentry refuses them too).
  if (!isValidSlug(slug)) return refuse(SLUG_RULE, 400);
  if (await projectBySlug(env.DB, org.id, slug))
    return refuse(`A project with the slug ${slug} already exists.`, 409);
  const now = Date.now() / 1000;
  const created = await createProjectWithKey(
    env.DB,
    { organizationId: org.id, slug, name, platform },
    { publicKey: randomToken(16), secretKey: randomToken(16) },
    now,
  );
  if (created === null) throw new FaultlineError(500, "project not created");
  await anchorProjectOnShard(env, org.shard, org.id, created);
  return redirect(`/settings/${encodeURIComponent(org.slug)}/projects/${encodeURIComponent(slug)}/keys/`);
}

export function projectSettingsView(
  ctx: PageContext,
  orgSlug: string,
  project: ProjectSummary,
  admin: boolean,
  message: string | null,
  error: string | null = null,
  settings: ProjectRow | null = null,
  outcomes: SafeHtml | "" = "",
  organizationRetentionDays: number | null = null,
): SafeHtml {
  const base = `/settings/${encodeURIComponent(orgSlug)}/projects/${encodeURIComponent(project.slug)}/`;
  return page(
    ctx,
    "settings",
    project.name,
    html`<h1>${project.name}</h1>${settingsNav(orgSlug, "project", project)}${flash(message)}${flash(error, "error")}
<p><a href="/organizations/${encodeURIComponent(orgSlug)}/projects/${encodeURIComponent(project.slug)}/tail/">Live tail</a> · <a href="/organizations/${encodeURIComponent(orgSlug)}/events/find/">Find an event</a></p>
${outcomes}
${
  admin
    ? html`<form method="post" action="${base}" class="panel">${csrfField(ctx)}<input type="hidden" name="action" value="rename"><label for="rname">Name</label><input id="rname" name="name" value="${project.name}" required maxlength="64"><label for="rslug">Slug</label><input id="rslug" name="slug" value="${project.slug}" required maxlength="50" pattern="(?![0-9]+$)[a-z0-9][a-z0-9_\-]*"><p class="muted">Changing the slug changes API URLs and <code>SENTRY_PROJECT</code>; the DSN stays the same.</p><p><button class="primary" type="submit">Save</button></p></form>
${settings ? html`${scrubbingForm(ctx, base, settings)}${filtersForm(ctx, base, settings)}${retentionForm(ctx, base, settings, organizationRetentionDays)}` : ""}
<form method="post" action="${base}" class="panel" data-confirm="Delete ${project.name} with all its issues, events and keys? This cannot be undone.">${csrfField(ctx)}<input type="hidden" name="action" value="delete"><h2 style="margin-top:0">Delete project</h2><p>Removes the project, its DSN keys, issues and events.</p><button class="danger" type="submit">Delete project</button></form>`
    : html`<div class="panel"><dl class="kv"><dt>Name</dt><dd>${project.name}</dd><dt>Slug</dt><dd><code>${project.slug}</code></dd></dl><p class="muted">Only owners and admins can change or delete projects.</p></div>`
}`,
  );
}

async function loadProject({ env, org, param }: OrgCall): Promise<ProjectSummary> {
  const project = await projectBySlug(env.DB, org.id, param("project"));
  if (!project) throw new FaultlineError(404, "not found");
  return project;
}

export async function projectSettingsPage(call: OrgCall): Promise<Response> {
  const project = await loadProject(call);
  const [settings, retention] = await Promise.all([
    getProject(call.env.DB, call.org.id, project.id),
    readOrganizationRetention(call.env.DB, call.org.id),
  ]);
  return htmlResponse(
    projectSettingsView(
      call.ctx,
      call.org.slug,
      project,
      isAdmin(call.org),
      doneMessage(call.ctx.url),
      null,
      settings,
      await outcomesPanel(shardDb(call.env, call.org.shard), project.id),
      retention,
    ),
  );
}

export async function projectSettingsSubmit(call: OrgCall): Promise<Response> {
  const { env, org, form } = call;
  requireAdmin(org);
  const project = await loadProject(call);
  const o = encodeURIComponent(org.slug);
  const action = formString(form, "action");
  if (action === "delete") {
    // The API's delete: every table with a project_id, then the project's bytes in R2.
    await deleteProject(env.DB, project.id);
    await dropProjectFromShard(env, org.shard, project.id);
    forgetProjectKeys();
    await forgetProjectIssues(env, project.id);
    await deleteProjectBlobs(env.BLOBS, project.id);
    return redirect(`/settings/${o}/projects/?done=deleted`);
  }
  if (action === "scrubbing" || action === "filters" || action === "retention") {
    const row = await getProject(env.DB, org.id, project.id);
    if (!row) throw new FaultlineError(404, "not found");
    const retention = await readOrganizationRetention(env.DB, org.id);
    const changes =
      action === "scrubbing"
        ? scrubbingChanges(form)
        : action === "filters"
          ? filtersChange(form)
          : retentionChange(form, retention);
    if (typeof changes === "string") {
      return htmlResponse(
        projectSettingsView(call.ctx, org.slug, project, true, null, changes, row, "", retention),
        400,
      );
    }
    await updateProject(env.DB, row, changes);
    // Ingest reads scrubbing and filters through the key cache: drop it so they apply at once here.
    forgetProjectKeys();
    return redirect(`/settings/${o}/projects/${encodeURIComponent(project.slug)}/?done=saved`);
  }
  if (action !== "rename") throw new FaultlineError(400, "unknown action");
  const name = formString(form, "name").slice(0, 64) || project.name;
  const slug = slugify(formString(form, "slug")) || project.slug;
  if (!isValidSlug(slug))
    return htmlResponse(projectSettingsView(call.ctx, org.slug, project, true, null, SLUG_RULE), 400);
  const clash = slug !== project.slug ? await projectBySlug(env.DB, org.id, slug) : null;
  if (clash) throw new FaultlineError(409, "slug taken");
  await renameProject(env.DB, org.id, project.id, { name, slug });
  return redirect(`/settings/${o}/projects/${encodeURIComponent(slug)}/?done=saved`);
}

/** The organization's retention from its settings page; its projects' sweeps apply it at their next run. */
async function organizationRetentionSubmit({ env, ctx, org, form }: OrgCall): Promise<Response> {
  const change = retentionChange(form);
  if (typeof change === "string") {
    const [projects, retention] = await Promise.all([
      projectsOf(env.DB, org.id),
      readOrganizationRetention(env.DB, org.id),
    ]);
    return htmlResponse(projectsView(ctx, org.slug, projects, true, null, change, retention), 400);
  }
  await setOrganizationRetention(env.DB, org.id, change.retentionDays);
  return redirect(`/settings/${encodeURIComponent(org.slug)}/projects/?done=saved`);
}
