// Issue detail: title, culprit, status and actions, counts, first/last seen with releases, tag
// distribution, event navigation and the selected event (see event-view.ts); attachment downloads.
import { eventPayloadText, readBlobStream } from "../../blobs/event-blobs.ts";
import { listDeliveries } from "../../db/alert-rules.ts";
import {
  type EventNeighbours,
  type EventPick,
  eventAttachments,
  eventNeighbours,
  issueEvent,
} from "../../db/events.ts";
import { issueInOrg, issueTagDistribution } from "../../db/issues.ts";
import type {
  EventTableRow as EventRow,
  IssueTableRow as IssueRow,
  ProjectSummary,
  TagValueCount,
} from "../../db/rows.ts";
import { shardDb } from "../../db/shards.ts";
import { projectById } from "../../db/tenant-reads.ts";
import type { Env } from "../../env.ts";
import { FaultlineError } from "../../errors.ts";
import { payloadReader } from "../../project/index.ts";
import { formString, type OrgCall } from "../call.ts";
import { asObj, renderEventBody } from "../event-view.ts";
import { compactNumber, isoTime, percent, relativeTime } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";
import { applyIssueAction, ISSUE_ACTIONS, type IssueAction } from "../issue-actions.ts";
import { csrfField, type PageContext, page } from "../layout.ts";
import { renderNativeCrash } from "../native-crash-view.ts";
import { htmlResponse, redirect } from "../respond.ts";

export interface TagSummary {
  key: string;
  total: number;
  top: { value: string; n: number }[];
}

/** Top values per tag key with their share of the sampled events that carry the key. */
export function summarizeTags(rows: TagValueCount[], topN = 5): TagSummary[] {
  const byKey = new Map<string, { value: string; n: number }[]>();
  for (const r of rows) byKey.set(r.key, [...(byKey.get(r.key) ?? []), { value: String(r.value), n: r.n }]);
  return [...byKey.entries()]
    .map(([key, values]) => ({
      key,
      total: values.reduce((a, v) => a + v.n, 0),
      top: values.sort((a, b) => b.n - a.n || a.value.localeCompare(b.value)).slice(0, topN),
    }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

export interface IssueDetail {
  orgSlug: string;
  issue: IssueRow;
  project: ProjectSummary;
  tags: TagSummary[];
  event: EventRow | null;
  neighbours: EventNeighbours | null;
  eventBody: SafeHtml | null;
  canDelete: boolean;
  /** Alert deliveries for this issue, newest first (which rules fired, and whether they got through). */
  alerts?: { ruleName: string; target: string; status: string; at: number }[];
}

function statusBadge(issue: IssueRow): SafeHtml {
  if (issue.status === "unresolved" && issue.substatus === "regressed")
    return html`<span class="badge regressed">Regressed</span>`;
  if (issue.status === "resolved") {
    let how = "";
    try {
      const r = JSON.parse(issue.resolution ?? "null") as { type?: string; release?: string | null } | null;
      if (r?.type === "in_next_release")
        how = r.release ? ` in the release after ${r.release}` : " in the next release";
      if (r?.type === "in_release") how = ` in ${r.release ?? ""}`;
    } catch {
      how = "";
    }
    return html`<span class="badge ok">Resolved${how}</span>`;
  }
  return html`<span class="badge">${issue.status === "ignored" ? "Ignored" : issue.substatus === "new" ? "New" : "Unresolved"}</span>`;
}

function alertsFired(d: IssueDetail): SafeHtml | "" {
  const alerts = d.alerts ?? [];
  if (alerts.length === 0) return "";
  return html`<div class="panel" aria-label="Alerts fired"><h2 style="margin-top:0">Alerts fired</h2><ul>${alerts.map(
    (a) =>
      html`<li><strong>${a.ruleName}</strong> → <code>${a.target}</code> <span class="badge${a.status === "delivered" ? " ok" : ""}">${a.status}</span> <span class="muted">${isoTime(a.at)}</span></li>`,
  )}</ul><a href="/settings/${encodeURIComponent(d.orgSlug)}/projects/${encodeURIComponent(d.project.slug)}/alerts/">Alert rules</a></div>`;
}

export function issueDetailView(ctx: PageContext, d: IssueDetail): SafeHtml {
  const o = encodeURIComponent(d.orgSlug);
  const base = `/organizations/${o}/issues/${d.issue.id}/`;
  const i = d.issue;
  const button = (action: IssueAction, label: string, extra: SafeHtml | "" = "") =>
    html`<button type="submit" name="action" value="${action}"${extra}>${label}</button>`;
  const actions = html`<form method="post" action="${base}actions/" class="row" aria-label="Issue actions">${csrfField(ctx)}${
    i.status === "unresolved"
      ? html`${button("resolve", "Resolve", html` class="primary"`)}${button("resolve_next", "Resolve in next release")}${button("ignore", "Ignore")}`
      : button("unresolve", "Unresolve", html` class="primary"`)
  }${i.is_bookmarked ? button("unbookmark", "★ Remove bookmark") : button("bookmark", "☆ Bookmark")}${
    d.canDelete
      ? button("delete", "Delete", html` class="danger" data-confirm="Delete this issue and all its events?"`)
      : ""
  }</form>`;
  const seen = (label: string, at: number, release: string | null) =>
    html`<dt>${label}</dt><dd><span title="${isoTime(at)}">${relativeTime(at, ctx.now)}</span>${release ? html`<br><a href="/organizations/${o}/releases/${encodeURIComponent(release)}/" class="badge">${release}</a>` : ""}</dd>`;
  const sidebar = html`<aside><div class="panel"><dl class="kv"><dt>Events</dt><dd><strong>${compactNumber(i.times_seen)}</strong></dd><dt>Users</dt><dd><strong>${compactNumber(i.user_count)}</strong></dd>${seen("First seen", i.first_seen, i.first_release)}${seen("Last seen", i.last_seen, i.last_release)}<dt>Project</dt><dd><a href="/organizations/${o}/issues/?project=${encodeURIComponent(d.project.slug)}">${d.project.name}</a></dd></dl></div>
${alertsFired(d)}<div class="panel"><h2 style="margin-top:0">Tags</h2>${
    d.tags.length === 0
      ? html`<p class="muted">No tags.</p>`
      : d.tags.map(
          (t) =>
            html`<h3>${t.key}</h3>${t.top.map(
              (v) =>
                html`<div style="margin:3px 0"><div class="row" style="font-size:12.5px"><span class="grow" style="word-break:break-all">${v.value}</span><span class="muted">${percent(v.n, t.total)}</span></div><div class="tag-bar"><span style="width:${percent(v.n, t.total)}"></span></div></div>`,
            )}`,
        )
  }</div></aside>`;
  const ev = d.event;
  const nav = (label: string, id: string | null, rel: string) =>
    id && id !== ev?.event_id
      ? html`<a class="btn" href="${base}events/${id}/" rel="${rel}">${label}</a>`
      : html`<button disabled>${label}</button>`;
  const eventHeader = ev
    ? html`<div class="panel"><div class="row"><div class="grow"><strong>Event</strong> <code>${ev.event_id}</code><div class="muted" style="font-size:12px">${isoTime(ev.timestamp)}${ev.release ? html` · release ${ev.release}` : ""}${ev.environment ? html` · ${ev.environment}` : ""}</div></div>
<nav class="row" aria-label="Events">${nav("Oldest", d.neighbours?.oldest ?? null, "first")}${nav("Older", d.neighbours?.older ?? null, "prev")}${nav("Newer", d.neighbours?.newer ?? null, "next")}${nav("Latest", d.neighbours?.latest ?? null, "last")}</nav>
<form method="get" action="${base}" class="row" role="search"><label class="skip" for="jump">Event id</label><input id="jump" name="event" placeholder="event id" size="16" pattern="[0-9a-fA-F-]{32,36}"><button type="submit">Go</button></form></div></div>`
    : html`<div class="panel empty">No events are stored for this issue.</div>`;
  return page(
    ctx,
    "issues",
    i.title,
    html`<p class="muted" style="margin:0"><a href="/organizations/${o}/issues/?project=${encodeURIComponent(d.project.slug)}">${d.project.name}</a> / issue ${i.id}</p>
<h1><span class="lvl lvl-${i.level}" title="${i.level}"></span>${i.title}</h1><p class="culprit muted" style="margin-top:-6px">${i.culprit}</p>
<div class="row" style="margin-bottom:12px">${statusBadge(i)}<span class="badge">${i.level}</span><span class="grow"></span>${actions}</div>
<div class="grid2"><div style="min-width:0">${eventHeader}${d.eventBody ?? ""}</div>${sidebar}</div>`,
  );
}

function pickFrom(value: string): EventPick {
  if (value === "latest" || value === "recommended") return "latest";
  if (value === "oldest") return "oldest";
  return { eventId: value.replaceAll("-", "").toLowerCase() };
}

/** The event's normalized JSON, from the row or from R2 when it was too large for a row. */
async function eventPayload(env: Env, event: EventRow): Promise<unknown> {
  const text = await eventPayloadText(payloadReader(env), event);
  if (text === null) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}

async function loadIssue(call: OrgCall): Promise<{ issue: IssueRow; project: ProjectSummary }> {
  const issueId = Number.parseInt(call.param("issueId"), 10);
  if (!Number.isSafeInteger(issueId)) throw new FaultlineError(404, "not found");
  const shard = { name: call.org.shard, db: shardDb(call.env, call.org.shard) };
  const issue = await issueInOrg(shard, call.env.DB, call.org.id, issueId, call.ctx.now);
  const project = issue ? await projectById(call.env.DB, issue.project_id) : null;
  if (!issue || !project) throw new FaultlineError(404, "not found");
  return { issue, project };
}

export async function issueDetailPage(call: OrgCall): Promise<Response> {
  const { env, ctx, org } = call;
  const { issue, project } = await loadIssue(call);
  const events = shardDb(env, org.shard);
  const base = `/organizations/${encodeURIComponent(org.slug)}/issues/${issue.id}/`;
  const jump = ctx.url.searchParams.get("event");
  if (jump)
    return redirect(
      `${base}events/${encodeURIComponent(jump.trim().replaceAll("-", "").toLowerCase())}/`,
      {},
      302,
    );
  const eventParam = call.param("eventId");
  const event = await issueEvent(events, issue.id, pickFrom(eventParam || "latest"));
  if (eventParam && !event && eventParam !== "latest" && eventParam !== "oldest")
    throw new FaultlineError(404, "not found");
  const [tags, neighbours, payload, attachments, alerts] = await Promise.all([
    issueTagDistribution(events, issue.id),
    event ? eventNeighbours(events, event) : Promise.resolve(null),
    event ? eventPayload(env, event) : Promise.resolve(null),
    event ? eventAttachments(events, project.id, event.event_id) : Promise.resolve([]),
    listDeliveries(events, project.id, issue.id, 10),
  ]);
  const attachmentViews = event
    ? attachments.map((a) => ({
        name: a.name,
        size: a.size,
        contentType: a.content_type,
        attachmentType: a.attachment_type,
        href: `${base}events/${event.event_id}/attachments/${a.id}/`,
      }))
    : [];
  const eventBody = event
    ? renderEventBody(payload, {
        attachments: attachmentViews,
        afterException: renderNativeCrash(asObj(payload) ?? {}, attachmentViews),
        traceHref: event.trace_id
          ? `/organizations/${encodeURIComponent(org.slug)}/performance/trace/${encodeURIComponent(event.trace_id)}/`
          : null,
        traceLogsHref: event.trace_id
          ? `/organizations/${encodeURIComponent(org.slug)}/explore/logs/?trace=${encodeURIComponent(event.trace_id)}&period=30d`
          : null,
      })
    : null;
  return htmlResponse(
    issueDetailView(ctx, {
      orgSlug: org.slug,
      issue,
      project,
      tags: summarizeTags(tags.tags),
      event,
      neighbours,
      eventBody,
      canDelete: true,
      alerts: alerts.map((a) => ({
        ruleName: a.ruleName,
        target: a.target,
        status: a.status,
        at: a.updatedAt,
      })),
    }),
  );
}

export async function issueActionSubmit(call: OrgCall): Promise<Response> {
  const { issue, project } = await loadIssue(call);
  const action = formString(call.form, "action");
  if (!ISSUE_ACTIONS.has(action)) throw new FaultlineError(400, "unknown action");
  const userId = call.session.user.id;
  await applyIssueAction(call.env, call.org.shard, project.id, [issue.id], action as IssueAction, userId);
  const o = encodeURIComponent(call.org.slug);
  return redirect(
    action === "delete"
      ? `/organizations/${o}/issues/?project=${encodeURIComponent(project.slug)}`
      : `/organizations/${o}/issues/${issue.id}/`,
  );
}

/** Attachment bytes from R2, always as a download (never rendered inline, whatever the SDK claimed). */
export async function attachmentDownload(call: OrgCall): Promise<Response> {
  const { issue, project } = await loadIssue(call);
  const eventId = call.param("eventId").replaceAll("-", "").toLowerCase();
  const event = await issueEvent(shardDb(call.env, call.org.shard), issue.id, { eventId });
  if (!event) throw new FaultlineError(404, "not found");
  const attachmentId = Number.parseInt(call.param("attachmentId"), 10);
  const attachment = (
    await eventAttachments(shardDb(call.env, call.org.shard), project.id, event.event_id)
  ).find((a) => a.id === attachmentId);
  if (!attachment) throw new FaultlineError(404, "not found");
  const object = await readBlobStream(call.env.BLOBS, attachment.blob_key);
  if (!object) throw new FaultlineError(404, "not found");
  const filename = attachment.name.replace(/[^\w.-]+/g, "_").slice(0, 120) || "attachment";
  return new Response(object.body, {
    headers: {
      "content-type": "application/octet-stream",
      "content-disposition": `attachment; filename="${filename}"; filename*=UTF-8''${encodeURIComponent(attachment.name)}`,
      "content-length": String(object.size),
      "x-content-type-options": "nosniff",
      "content-security-policy": "sandbox",
      "cache-control": "private, no-store",
    },
  });
}
