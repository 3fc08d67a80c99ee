// Organization home: its projects with event volume (24 h by hour, 14 d by day) and open issue counts.

import { volumeByHour } from "../../db/events.ts";
import { openIssueCounts } from "../../db/issues.ts";
import type { ProjectSummary } from "../../db/rows.ts";
import { projectsOf } from "../../db/tenant-reads.ts";
import type { OrgCall } from "../call.ts";
import { barChart, bucketize } from "../charts.ts";
import { compactNumber } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";
import { type PageContext, page } from "../layout.ts";
import { htmlResponse } from "../respond.ts";

export interface ProjectCard {
  project: ProjectSummary;
  hourly: number[];
  daily: number[];
  openIssues: number;
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
<div class="row" style="margin-top:6px"><a href="/organizations/${o}/issues/?project=${p}&amp;query=is%3Aunresolved" class="grow"><strong>${c.openIssues}</strong> open issue${c.openIssues === 1 ? "" : "s"}</a><a href="/settings/${o}/projects/${p}/keys/">DSN</a></div></article>`;
        })}</div>`;
  return page(
    ctx,
    "home",
    "Projects",
    html`<div class="row"><h1 class="grow">Projects</h1><nav class="tabs" aria-label="Period" style="margin:0;border:0">${tab("24h", "24 hours")}${tab("14d", "14 days")}</nav></div>${body}`,
  );
}

export async function orgHomePage({ env, ctx, org }: OrgCall): Promise<Response> {
  const projects = await projectsOf(env.DB, org.id);
  const ids = projects.map((p) => p.id);
  const nowHour = Math.floor(ctx.now / 3600) * 3600;
  const [volume, open] = await Promise.all([
    volumeByHour(env.DB, ids, nowHour - 14 * 24 * 3600),
    openIssueCounts(env.DB, ids),
  ]);
  const cards = projects.map((project) => {
    const rows = volume.filter((v) => v.project_id === project.id).map((v) => ({ at: v.hour, n: v.n }));
    return {
      project,
      hourly: bucketize(rows, ctx.now, 3600, 24),
      daily: bucketize(rows, ctx.now, 86400, 14),
      openIssues: open.get(project.id) ?? 0,
    };
  });
  const period = ctx.url.searchParams.get("period") === "14d" ? "14d" : "24h";
  return htmlResponse(orgHomeView(ctx, org.slug, cards, period));
}
