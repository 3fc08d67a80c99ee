// Releases: the organization's releases with dates, health (crash-free sessions and users over 14
// days, adoption in the last 24 h), new issues, events and regressions; a release's detail with its
// health over time, projects, deploys and issues.

import { healthCountRows } from "../../db/release-health-reads.ts";
import { releaseDetail, releaseEventCounts, releasesOf } from "../../db/release-reads.ts";
import type {
  ReleaseDeployRow as DeployRow,
  IssueTableRow as IssueRow,
  ReleaseDetail,
  ReleaseListRow,
} from "../../db/rows.ts";
import { shardDb } from "../../db/shards.ts";
import { projectsOf } from "../../db/tenant-reads.ts";
import { FaultlineError } from "../../errors.ts";
import { alignRange, parseSessionsQuery, sessionsAnswer } from "../../protocol/health/sessions-query.ts";
import type { OrgCall } from "../call.ts";
import { barChart, sparkline } from "../charts.ts";
import { compactNumber, duration, isoDay, isoTime, relativeTime } from "../format.ts";
import { healthByVersion, type ReleaseHealth, rate } from "../health-view.ts";
import { html, type SafeHtml, safeHref } from "../html.ts";
import { type PageContext, page } from "../layout.ts";
import { htmlResponse } from "../respond.ts";

const PAGE = 25;

export function releasesView(
  ctx: PageContext,
  orgSlug: string,
  rows: ReleaseListRow[],
  events: Map<string, number | null>,
  offset: number,
  health: Map<string, ReleaseHealth> = new Map(),
): SafeHtml {
  const o = encodeURIComponent(orgSlug);
  const body =
    rows.length === 0 && offset === 0
      ? html`<div class="panel empty"><p>No releases yet.</p><p>Set <code>release</code> in the SDK's options, or create one with <code>sentry-cli releases new &lt;version&gt;</code>; releases seen on events appear here.</p></div>`
      : html`<div class="panel" style="padding:0;overflow:auto"><table class="stack"><thead><tr><th>Version</th><th>Projects</th><th>Created</th><th>Released</th><th class="num">Crash-free sessions</th><th class="num">Crash-free users</th><th class="num">Adoption</th><th>Sessions (24 h)</th><th class="num">New issues</th><th class="num">Events</th><th class="num">Regressions</th></tr></thead><tbody>${rows.map(
          (r) =>
            html`<tr><td><a href="/organizations/${o}/releases/${encodeURIComponent(r.version)}/"><code>${r.version}</code></a></td><td>${r.projects ?? ""}</td><td title="${isoTime(r.date_added)}">${relativeTime(r.date_added, ctx.now)}</td><td>${r.date_released ? isoDay(r.date_released) : html`<span class="muted">—</span>`}</td>${healthCells(health.get(r.version))}<td class="num">${r.new_issues}</td><td class="num">${eventsCell(events.get(r.version))}</td><td class="num">${r.regressions}</td></tr>`,
        )}</tbody></table></div>
<div class="pager">${offset > 0 ? html`<a class="btn" href="?cursor=${Math.max(0, offset - PAGE)}">Previous</a>` : ""}${rows.length === PAGE ? html`<a class="btn" href="?cursor=${offset + PAGE}">Next</a>` : ""}</div>`;
  return page(ctx, "releases", "Releases", html`<h1>Releases</h1>${body}`);
}

/** A release's error events; null when it had events before they were counted per release (0040). */
function eventsCell(n: number | null | undefined): SafeHtml | string {
  if (n === null)
    return html`<span class="muted" title="events before the upgrade that counts them">—</span>`;
  return compactNumber(n ?? 0);
}

function healthCells(h: ReleaseHealth | undefined): SafeHtml {
  if (!h) return html`<td class="num muted" colspan="4">no sessions</td>`;
  const adoption = h.adoption === null ? html`<span class="muted">—</span>` : `${h.adoption.toFixed(1)}%`;
  return html`<td class="num">${rate(h.crashFreeSessions)}</td><td class="num">${rate(h.crashFreeUsers)}</td><td class="num">${adoption}</td><td>${sparkline(h.hourly)}</td>`;
}

export async function releasesPage({ env, ctx, org }: OrgCall): Promise<Response> {
  const offset = Math.max(0, Number.parseInt(ctx.url.searchParams.get("cursor") ?? "0", 10) || 0);
  const shard = shardDb(env, org.shard);
  const projects = await projectsOf(env.DB, org.id);
  const rows = await releasesOf(shard, projects, org.id, offset, PAGE);
  const events = await releaseEventCounts(
    shard,
    projects.map((p) => p.id),
    rows.map((r) => r.version),
  );
  const health = await healthByVersion(
    shard,
    projects.map((p) => p.id),
    rows.map((r) => r.version),
    ctx.now,
  );
  return htmlResponse(releasesView(ctx, org.slug, rows, events, offset, health));
}

export function releaseDetailView(
  ctx: PageContext,
  orgSlug: string,
  d: { release: ReleaseDetail; deploys: DeployRow[]; issues: IssueRow[]; projects: string[] },
  health: { summary: ReleaseHealth | null; days: DayHealth[] } = { summary: null, days: [] },
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
${healthPanel(health.summary, health.days)}
<h2>New issues (${newIssues.length})</h2>${issueList(newIssues, "No issues were first seen in this release.")}
<h2>Regressions (${regressed.length})</h2>${issueList(regressed, "No issues regressed in this release.")}
<h2>Deploys</h2>${d.deploys.length === 0 ? html`<p class="muted">No deploys recorded (<code>sentry-cli deploys new -r &lt;version&gt; -e production</code>).</p>` : html`<table class="stack"><thead><tr><th>Environment</th><th>Name</th><th>Finished</th></tr></thead><tbody>${d.deploys.map((dep) => html`<tr><td>${dep.environment}</td><td>${dep.url ? html`<a href="${safeHref(dep.url)}" rel="noreferrer noopener">${dep.name ?? dep.url}</a>` : (dep.name ?? "")}</td><td>${isoTime(dep.date_finished)}</td></tr>`)}</tbody></table>`}`,
  );
}

export interface DayHealth {
  day: string;
  sessions: number;
  crashFree: number | null;
}

function healthPanel(summary: ReleaseHealth | null, days: DayHealth[]): SafeHtml {
  if (!summary)
    return html`<h2>Health</h2><p class="muted">No sessions for this release in the last 14 days (SDKs send them when <code>release</code> is set).</p>`;
  const adoption = summary.adoption === null ? "—" : `${summary.adoption.toFixed(1)}%`;
  const sessionBars = days.map((d) => ({ label: d.day, value: d.sessions }));
  const rateBars = days.map((d) => ({
    label: `${d.day} crash-free %`,
    value: d.crashFree === null ? 0 : Math.round(d.crashFree * 10) / 10,
  }));
  return html`<h2>Health</h2><div class="panel health"><div class="row"><div class="stat"><span class="muted">Crash-free sessions</span><strong>${rate(summary.crashFreeSessions)}</strong></div><div class="stat"><span class="muted">Crash-free users</span><strong>${rate(summary.crashFreeUsers)}</strong></div><div class="stat"><span class="muted">Adoption (24 h)</span><strong>${adoption}</strong></div><div class="stat"><span class="muted">Sessions (14 d)</span><strong>${compactNumber(summary.sessions)}</strong></div><div class="stat"><span class="muted">Median duration</span><strong>${summary.durationP50 === null ? "—" : duration(summary.durationP50 * 1000)}</strong></div></div>
<p class="muted" style="margin:10px 0 2px">Sessions per day</p>${barChart(sessionBars)}<p class="muted" style="margin:10px 0 2px">Crash-free sessions per day (%)</p>${barChart(rateBars)}</div>`;
}

/** Sessions and crash-free rate per day over 14 days, from the hourly counters. */
async function healthDays(
  db: D1Database,
  projectIds: number[],
  version: string,
  now: number,
): Promise<DayHealth[]> {
  const query = parseSessionsQuery(
    new URLSearchParams("field=sum(session)&field=crash_free_rate(session)&interval=1d"),
  );
  const range = alignRange(now - 13 * 86400, now, 86400);
  const filter = { projectIds, ...range, releases: [version], environments: [] };
  const answer = sessionsAnswer(query, range, await healthCountRows(db, filter), []);
  const series = answer.groups[0]?.series ?? {};
  return answer.intervals.map((day, i) => {
    const sessions = series["sum(session)"]?.[i] ?? 0;
    const crashFree = series["crash_free_rate(session)"]?.[i] ?? null;
    return {
      day: day.slice(0, 10),
      sessions: sessions ?? 0,
      crashFree: crashFree === null ? null : 100 * crashFree,
    };
  });
}

export async function releaseDetailPage({ env, ctx, org, param }: OrgCall): Promise<Response> {
  const shard = shardDb(env, org.shard);
  const projects = await projectsOf(env.DB, org.id);
  const d = await releaseDetail(shard, projects, org.id, param("version"));
  if (!d) throw new FaultlineError(404, "not found");
  const projectIds = projects.map((p) => p.id);
  const summary =
    (await healthByVersion(shard, projectIds, [d.release.version], ctx.now)).get(d.release.version) ?? null;
  const days = summary ? await healthDays(shard, projectIds, d.release.version, ctx.now) : [];
  return htmlResponse(releaseDetailView(ctx, org.slug, d, { summary, days }));
}
