// Releases: the organization's releases with dates, new issues, events and regressions; a release's
// detail with its projects, deploys and issues.

import { releaseDetail, releaseEventCounts, releasesOf } from "../../db/release-reads.ts";
import type {
  ReleaseDeployRow as DeployRow,
  IssueTableRow as IssueRow,
  ReleaseDetail,
  ReleaseListRow,
} from "../../db/rows.ts";
import { projectsOf } from "../../db/tenant-reads.ts";
import { FaultlineError } from "../../errors.ts";
import type { OrgCall } from "../call.ts";
import { compactNumber, isoDay, isoTime, relativeTime } from "../format.ts";
import { html, type SafeHtml, safeHref } from "../html.ts";
import { type PageContext, page } from "../layout.ts";
import { htmlResponse } from "../respond.ts";

const PAGE = 25;

export function releasesView(
  ctx: PageContext,
  orgSlug: string,
  rows: ReleaseListRow[],
  events: Map<string, number>,
  offset: number,
): SafeHtml {
  const o = encodeURIComponent(orgSlug);
  const body =
    rows.length === 0 && offset === 0
      ? html`<div class="panel empty"><p>No releases yet.</p><p>Set <code>release</code> in the SDK's options, or create one with <code>sentry-cli releases new &lt;version&gt;</code>; releases seen on events appear here.</p></div>`
      : html`<div class="panel" style="padding:0;overflow:auto"><table class="stack"><thead><tr><th>Version</th><th>Projects</th><th>Created</th><th>Released</th><th class="num">New issues</th><th class="num">Events</th><th class="num">Regressions</th></tr></thead><tbody>${rows.map(
          (r) =>
            html`<tr><td><a href="/organizations/${o}/releases/${encodeURIComponent(r.version)}/"><code>${r.version}</code></a></td><td>${r.projects ?? ""}</td><td title="${isoTime(r.date_added)}">${relativeTime(r.date_added, ctx.now)}</td><td>${r.date_released ? isoDay(r.date_released) : html`<span class="muted">—</span>`}</td><td class="num">${r.new_issues}</td><td class="num">${compactNumber(events.get(r.version) ?? 0)}</td><td class="num">${r.regressions}</td></tr>`,
        )}</tbody></table></div>
<div class="pager">${offset > 0 ? html`<a class="btn" href="?cursor=${Math.max(0, offset - PAGE)}">Previous</a>` : ""}${rows.length === PAGE ? html`<a class="btn" href="?cursor=${offset + PAGE}">Next</a>` : ""}</div>`;
  return page(ctx, "releases", "Releases", html`<h1>Releases</h1>${body}`);
}

export async function releasesPage({ env, ctx, org }: OrgCall): Promise<Response> {
  const offset = Math.max(0, Number.parseInt(ctx.url.searchParams.get("cursor") ?? "0", 10) || 0);
  const [rows, projects] = await Promise.all([
    releasesOf(env.DB, org.id, offset, PAGE),
    projectsOf(env.DB, org.id),
  ]);
  const events = await releaseEventCounts(
    env.DB,
    projects.map((p) => p.id),
    rows.map((r) => r.version),
  );
  return htmlResponse(releasesView(ctx, org.slug, rows, events, offset));
}

export function releaseDetailView(
  ctx: PageContext,
  orgSlug: string,
  d: { release: ReleaseDetail; deploys: DeployRow[]; issues: IssueRow[]; projects: string[] },
): SafeHtml {
  const o = encodeURIComponent(orgSlug);
  const r = d.release;
  const newIssues = d.issues.filter((i) => i.first_release === r.version);
  const regressed = d.issues.filter((i) => i.last_release === r.version && i.substatus === "regressed");
  const issueList = (list: IssueRow[], empty: string) =>
    list.length === 0
      ? html`<p class="muted">${empty}</p>`
      : html`<ul>${list.map((i) => html`<li><span class="lvl lvl-${i.level}"></span><a href="/organizations/${o}/issues/${i.id}/">${i.title}</a> <span class="muted">${i.times_seen} events · last ${relativeTime(i.last_seen, ctx.now)}</span></li>`)}</ul>`;
  return page(
    ctx,
    "releases",
    r.version,
    html`<p class="muted" style="margin:0"><a href="/organizations/${o}/releases/">Releases</a></p><h1><code>${r.version}</code></h1>
<div class="panel"><dl class="kv"><dt>Projects</dt><dd>${d.projects.join(", ") || "—"}</dd><dt>Created</dt><dd>${isoTime(r.date_added)}</dd><dt>Released</dt><dd>${r.date_released ? isoTime(r.date_released) : "not finalized"}</dd><dt>Commits</dt><dd>${r.commit_count}</dd>${r.ref ? html`<dt>Ref</dt><dd><code>${r.ref}</code></dd>` : ""}${r.url ? html`<dt>URL</dt><dd><a href="${safeHref(r.url)}" rel="noreferrer noopener">${r.url}</a></dd>` : ""}</dl></div>
<h2>New issues (${newIssues.length})</h2>${issueList(newIssues, "No issues were first seen in this release.")}
<h2>Regressions (${regressed.length})</h2>${issueList(regressed, "No issues regressed in this release.")}
<h2>Deploys</h2>${d.deploys.length === 0 ? html`<p class="muted">No deploys recorded (<code>sentry-cli deploys new -r &lt;version&gt; -e production</code>).</p>` : html`<table class="stack"><thead><tr><th>Environment</th><th>Name</th><th>Finished</th></tr></thead><tbody>${d.deploys.map((dep) => html`<tr><td>${dep.environment}</td><td>${dep.url ? html`<a href="${safeHref(dep.url)}" rel="noreferrer noopener">${dep.name ?? dep.url}</a>` : (dep.name ?? "")}</td><td>${isoTime(dep.date_finished)}</td></tr>`)}</tbody></table>`}`,
  );
}

export async function releaseDetailPage({ env, ctx, org, param }: OrgCall): Promise<Response> {
  const d = await releaseDetail(env.DB, org.id, param("version"));
  if (!d) throw new FaultlineError(404, "not found");
  return htmlResponse(releaseDetailView(ctx, org.slug, d));
}
