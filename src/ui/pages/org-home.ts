// Organization home: its projects with event volume (24 h by hour, 14 d by day), open issue counts and
// the health of their latest releases (crash-free sessions over 14 days).

import { volumeByHour } from "../../db/events.ts";
import { openIssueCounts } from "../../db/issues.ts";
import { recentHealthReleases } from "../../db/release-health-reads.ts";
import type { ProjectSummary } from "../../db/rows.ts";
import { shardDb } from "../../db/shards.ts";
import { projectsOf } from "../../db/tenant-reads.ts";
import type { OrgCall } from "../call.ts";
import { barChart, bucketize } from "../charts.ts";
import { compactNumber } from "../format.ts";
import { healthByVersion, type ReleaseHealth, rate } from "../health-view.ts";
import { html, type SafeHtml } from "../html.ts";
import { type PageContext, page } from "../layout.ts";
import { htmlResponse } from "../respond.ts";

/** Latest releases shown per project card. */
const CARD_RELEASES = 3;

export interface ProjectCard {
  project: ProjectSummary;
  hourly: number[];
  daily: number[];
  openIssues: number;
  /** The project's latest releases with sessions, newest first, with their health. */
  releases?: { version: string; health: ReleaseHealth }[];
}

export function orgHomeView(
  ctx: PageContext,
  orgSlug: string,
  cards: ProjectCard[],
  period: "24h" | "14d",
): SafeHtml {
  const o = encodeURIComponent(orgSlug);
  const tab = (p: "24h" | "14d", label: string) =>
    html`<a href="?period=${p}"${period === p ? html` aria-current="page"` : ""}>${label}</a>`;
  const body =
    cards.length === 0
      ? html`<div class="panel empty"><p>This organization has no projects yet.</p><p><a class="btn primary" href="/settings/${o}/projects/">Create a project</a></p></div>`
      : html`<div class="cards">${cards.map((c) => {
          const series = period === "24h" ? c.hourly : c.daily;
          const total = series.reduce((a, b) => a + b, 0);
          const bars = series.map((value, i) => ({
            label: period === "24h" ? `${series.length - 1 - i} h ago` : `${series.length - 1 - i} d ago`,
            value,
          }));
          const p = encodeURIComponent(c.project.slug);
          return html`<article class="panel"><div class="row"><h2 class="grow" style="margin:0"><a href="/organizations/${o}/issues/?project=${p}">${c.project.name}</a></h2><span class="badge">${c.project.platform ?? c.project.slug}</span></div>
<p class="muted" style="margin:4px 0">${compactNumber(total)} events in ${period === "24h" ? "24 hours" : "14 days"}</p>${barChart(bars)}
${releaseList(o, c.releases ?? [])}<div class="row" style="margin-top:6px"><a href="/organizations/${o}/issues/?project=${p}&amp;query=is%3Aunresolved" class="grow"><strong>${c.openIssues}</strong> open issue${c.openIssues === 1 ? "" : "s"}</a><a href="/settings/${o}/projects/${p}/keys/">DSN</a></div></article>`;
        })}</div>`;
  return page(
    ctx,
    "home",
    "Projects",
    html`<div class="row"><h1 class="grow">Projects</h1><nav class="tabs" aria-label="Period" style="margin:0;border:0">${tab("24h", "24 hours")}${tab("14d", "14 days")}</nav></div>${body}`,
  );
}

function releaseList(o: string, releases: { version: string; health: ReleaseHealth }[]): SafeHtml | "" {
  if (releases.length === 0) return "";
  return html`<table class="stack releases-health" style="margin-top:6px"><thead><tr><th>Latest releases</th><th class="num">Crash-free sessions</th><th class="num">Crash-free users</th></tr></thead><tbody>${releases.map(
    (r) =>
      html`<tr><td><a href="/organizations/${o}/releases/${encodeURIComponent(r.version)}/"><code>${r.version}</code></a></td><td class="num">${rate(r.health.crashFreeSessions)}</td><td class="num">${rate(r.health.crashFreeUsers)}</td></tr>`,
  )}</tbody></table>`;
}

/** Per project: its latest releases with sessions in the last 14 days and their health. */
async function latestReleases(db: D1Database, projectIds: number[], now: number) {
  const recent = await recentHealthReleases(db, projectIds, now - 14 * 86400);
  const out = new Map<number, { version: string; health: ReleaseHealth }[]>();
  for (const projectId of projectIds) {
    const versions = recent
      .filter((r) => r.projectId === projectId)
      .slice(0, CARD_RELEASES)
      .map((r) => r.release);
    if (versions.length === 0) continue;
    const health = await healthByVersion(db, [projectId], versions, now);
    out.set(
      projectId,
      versions.flatMap((version) => {
        const h = health.get(version);
        return h ? [{ version, health: h }] : [];
      }),
    );
  }
  return out;
}

export async function orgHomePage({ env, ctx, org }: OrgCall): Promise<Response> {
  const projects = await projectsOf(env.DB, org.id);
  const ids = projects.map((p) => p.id);
  const nowHour = Math.floor(ctx.now / 3600) * 3600;
  const [volume, open, releases] = await Promise.all([
    volumeByHour(shardDb(env, org.shard), ids, nowHour - 14 * 24 * 3600),
    openIssueCounts(shardDb(env, org.shard), ids),
    latestReleases(shardDb(env, org.shard), ids, ctx.now),
  ]);
  const cards = projects.map((project) => {
    const rows = volume.filter((v) => v.project_id === project.id).map((v) => ({ at: v.hour, n: v.n }));
    return {
      project,
      hourly: bucketize(rows, ctx.now, 3600, 24),
      daily: bucketize(rows, ctx.now, 86400, 14),
      openIssues: open.get(project.id) ?? 0,
      releases: releases.get(project.id) ?? [],
    };
  });
  const period = ctx.url.searchParams.get("period") === "14d" ? "14d" : "24h";
  return htmlResponse(orgHomeView(ctx, org.slug, cards, period));
}
