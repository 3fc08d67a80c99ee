// Cron monitors: the organization's monitors with their schedule, status per environment and a
// timeline of recent runs (one colored tick per run: ok, error, missed, timeout, in progress), and a
// monitor's detail with its config, environments, runs with durations and the issue its failures opened.
import {
  environmentsOf,
  findMonitor,
  issueOfHash,
  listMonitors,
  type MonitorCheckInRow,
  type MonitorEnvironmentRow,
  type MonitorRow,
  recentCheckIns,
} from "../../db/monitors.ts";
import { shardDb } from "../../db/shards.ts";
import { projectsOf } from "../../db/tenant-reads.ts";
import { FaultlineError } from "../../errors.ts";
import { MONITOR_CHECKINS_PAGE, MONITOR_TIMELINE_RUNS } from "../../limits.ts";
import { monitorIssueHash } from "../../project/index.ts";
import { configFromStored, type MonitorConfig } from "../../protocol/monitors/monitor-config.ts";
import type { OrgCall } from "../call.ts";
import { duration, isoTime, relativeTime, timeUntil } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";
import { type PageContext, page } from "../layout.ts";
import { htmlResponse } from "../respond.ts";

export interface MonitorListItem {
  monitor: MonitorRow;
  projectSlug: string;
  environments: MonitorEnvironmentRow[];
  /** Newest first. */
  runs: MonitorCheckInRow[];
}

export function scheduleText(c: MonitorConfig): string {
  const s = c.schedule;
  const when = s.type === "crontab" ? s.value : `every ${s.value} ${s.unit}${s.value === 1 ? "" : "s"}`;
  return s.type === "crontab" && c.timezone !== "UTC" ? `${when} (${c.timezone})` : when;
}

/** The runs as ticks, oldest on the left. */
export function timeline(runs: readonly MonitorCheckInRow[], now: number): SafeHtml {
  const ticks = [...runs]
    .reverse()
    .map(
      (r) =>
        html`<span class="tick tick-${r.status}" title="${r.status} · ${relativeTime(r.dateAdded, now)}${r.duration !== null ? ` · ${duration(r.duration)}` : ""}" data-status="${r.status}"></span>`,
    );
  return html`<span class="ticks" role="img" aria-label="${runs.length} recent runs">${ticks}</span>`;
}

const statusBadge = (status: string) => html`<strong class="status-${status}">${status}</strong>`;

export function monitorsView(ctx: PageContext, orgSlug: string, items: MonitorListItem[]): SafeHtml {
  const o = encodeURIComponent(orgSlug);
  const body =
    items.length === 0
      ? html`<div class="panel empty"><p>No cron monitors yet.</p><p>Wrap a job with <code>sentry-cli monitors run --schedule "0 3 * * *" &lt;slug&gt; -- &lt;command&gt;</code>, send check-ins with <code>monitor_config</code> from an SDK, or create one through the API.</p></div>`
      : html`<div class="panel" style="padding:0;overflow:auto"><table class="stack monitors"><thead><tr><th>Monitor</th><th>Project</th><th>Schedule</th><th>Status</th><th>Recent runs</th><th>Next check-in</th></tr></thead><tbody>${items.map(
          (i) => {
            const config = configFromStored(i.monitor.config);
            const next = i.environments.map((e) => e.nextCheckIn).filter((t): t is number => t !== null);
            return html`<tr data-monitor="${i.monitor.slug}"><td><a href="/organizations/${o}/monitors/${encodeURIComponent(i.monitor.slug)}/">${i.monitor.name}</a>${i.monitor.status === "disabled" ? html` <span class="badge">disabled</span>` : ""}</td><td>${i.projectSlug}</td><td><code>${scheduleText(config)}</code></td><td>${i.environments.length === 0 ? html`<span class="muted">waiting for a check-in</span>` : i.environments.map((e) => html`<div>${e.environment}: ${statusBadge(e.status)}</div>`)}</td><td>${timeline(i.runs, ctx.now)}</td><td>${next.length ? html`<span title="${isoTime(Math.min(...next))}">${timeUntil(Math.min(...next), ctx.now)}</span>` : html`<span class="muted">—</span>`}</td></tr>`;
          },
        )}</tbody></table></div>`;
  return page(ctx, "monitors", "Crons", html`<h1>Crons</h1>${body}`);
}

export async function monitorsPage({ env, ctx, org }: OrgCall): Promise<Response> {
  const projects = await projectsOf(env.DB, org.id);
  const monitors = await listMonitors(
    shardDb(env, org.shard),
    org.id,
    projects.map((p) => p.id),
  );
  const envs = await environmentsOf(
    shardDb(env, org.shard),
    monitors.map((m) => m.id),
  );
  const items = await Promise.all(
    monitors.map(async (monitor) => ({
      monitor,
      projectSlug: projects.find((p) => p.id === monitor.projectId)?.slug ?? "",
      environments: envs.filter((e) => e.monitorId === monitor.id),
      runs: await recentCheckIns(shardDb(env, org.shard), monitor.id, null, MONITOR_TIMELINE_RUNS),
    })),
  );
  return htmlResponse(monitorsView(ctx, org.slug, items));
}

export interface MonitorDetail {
  monitor: MonitorRow;
  projectSlug: string;
  environments: MonitorEnvironmentRow[];
  runs: MonitorCheckInRow[];
  issues: { environment: string; id: number; status: string }[];
}

export function monitorDetailView(ctx: PageContext, orgSlug: string, d: MonitorDetail): SafeHtml {
  const o = encodeURIComponent(orgSlug);
  const c = configFromStored(d.monitor.config);
  const minutes = (n: number | null, fallback: string) => (n === null ? fallback : `${n} min`);
  return page(
    ctx,
    "monitors",
    d.monitor.name,
    html`<p class="muted" style="margin:0"><a href="/organizations/${o}/monitors/">Crons</a></p><h1>${d.monitor.name}</h1>
<div class="panel"><dl class="kv"><dt>Slug</dt><dd><code>${d.monitor.slug}</code></dd><dt>Project</dt><dd>${d.projectSlug}</dd><dt>Schedule</dt><dd><code>${scheduleText(c)}</code></dd><dt>Check-in margin</dt><dd>${minutes(c.checkinMargin, "1 min (default)")}</dd><dt>Max runtime</dt><dd>${minutes(c.maxRuntime, "30 min (default)")}</dd><dt>Thresholds</dt><dd>issue after ${c.failureIssueThreshold ?? 1} failure(s), resolved after ${c.recoveryThreshold ?? 1} ok run(s)</dd></dl></div>
<h2>Environments</h2>${
      d.environments.length === 0
        ? html`<p class="muted">No check-in yet.</p>`
        : html`<table class="stack"><thead><tr><th>Environment</th><th>Status</th><th>Last check-in</th><th>Next expected</th><th>Issue</th></tr></thead><tbody>${d.environments.map(
            (e) => {
              const issue = d.issues.find((i) => i.environment === e.environment);
              return html`<tr><td>${e.environment}</td><td>${statusBadge(e.status)}</td><td>${e.lastCheckIn ? html`<span title="${isoTime(e.lastCheckIn)}">${relativeTime(e.lastCheckIn, ctx.now)}</span>` : "—"}</td><td>${e.nextCheckIn ? isoTime(e.nextCheckIn) : "—"}</td><td>${issue ? html`<a class="monitor-issue" href="/organizations/${o}/issues/${issue.id}/">Cron failure issue</a> <span class="badge">${issue.status}</span>` : html`<span class="muted">none</span>`}</td></tr>`;
            },
          )}</tbody></table>`
    }
<h2>Recent runs</h2>${timeline(d.runs.slice(0, MONITOR_TIMELINE_RUNS), ctx.now)}${
      d.runs.length === 0
        ? ""
        : html`<table class="stack checkins" style="margin-top:8px"><thead><tr><th>Status</th><th>Environment</th><th>Started</th><th>Expected</th><th class="num">Duration</th></tr></thead><tbody>${d.runs.map(
            (r) =>
              html`<tr data-status="${r.status}"><td>${statusBadge(r.status)}</td><td>${r.environment}</td><td title="${isoTime(r.dateAdded)}">${relativeTime(r.dateAdded, ctx.now)}</td><td>${r.expectedTime ? isoTime(r.expectedTime) : "—"}</td><td class="num">${r.duration === null ? "—" : duration(r.duration)}</td></tr>`,
          )}</tbody></table>`
    }`,
  );
}

export async function monitorDetailPage({ env, ctx, org, param }: OrgCall): Promise<Response> {
  const monitor = await findMonitor(shardDb(env, org.shard), org.id, param("slug"));
  const projects = await projectsOf(env.DB, org.id);
  const project = projects.find((p) => p.id === monitor?.projectId);
  if (!monitor || !project) throw new FaultlineError(404, "not found");
  const environments = await environmentsOf(shardDb(env, org.shard), [monitor.id]);
  const issues = [];
  for (const e of environments) {
    const hash = monitorIssueHash({
      id: monitor.id,
      slug: monitor.slug,
      name: monitor.name,
      environment: e.environment,
    });
    const issue = await issueOfHash(shardDb(env, org.shard), monitor.projectId, hash);
    if (issue) issues.push({ environment: e.environment, id: issue.id, status: issue.status });
  }
  const runs = await recentCheckIns(shardDb(env, org.shard), monitor.id, null, MONITOR_CHECKINS_PAGE);
  return htmlResponse(
    monitorDetailView(ctx, org.slug, { monitor, projectSlug: project.slug, environments, runs, issues }),
  );
}
