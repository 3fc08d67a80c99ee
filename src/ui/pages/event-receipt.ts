// "Find an event": what became of an event id in the organization's projects — stored (with a link),
// on its way from the spool, dropped and why, possibly discarded by the SDK, or never seen. The same
// receipt as `GET /api/0/projects/{org}/{project}/events/{id}/receipt/`.
import { buildReceipt, type Receipt } from "../../api/index.ts";
import { projectEvent } from "../../db/events.ts";
import { shardDb } from "../../db/shards.ts";
import { projectsOf } from "../../db/tenant-reads.ts";
import { spooledEvent } from "../../project/index.ts";
import { normalizeEventId } from "../../protocol/envelope.ts";
import type { OrgCall } from "../call.ts";
import { html, type SafeHtml } from "../html.ts";
import { type PageContext, page } from "../layout.ts";
import { htmlResponse } from "../respond.ts";

const STATUS_WORDS: Record<Receipt["status"], string> = {
  stored: "Stored",
  spooled: "Received, being stored",
  dropped: "Dropped",
  client_discarded: "Not received: likely discarded by the SDK",
  unknown: "Never received",
};

/** The form, for the issue stream's header and this page. */
export function findEventForm(orgSlug: string, value = ""): SafeHtml {
  return html`<form method="get" action="/organizations/${encodeURIComponent(orgSlug)}/events/find/" class="row" role="search" style="margin-bottom:10px"><label for="find-event" class="muted">Find an event</label><input id="find-event" name="id" value="${value}" placeholder="event id" maxlength="36" style="max-width:22em"><button type="submit">Find</button></form>`;
}

function receiptView(
  ctx: PageContext,
  orgSlug: string,
  id: string,
  found: { receipt: Receipt; project: string } | null,
): SafeHtml {
  const o = encodeURIComponent(orgSlug);
  const body = found
    ? (() => {
        const r = found.receipt;
        const link =
          r.issueId && r.status === "stored"
            ? html`<p><a href="/organizations/${o}/issues/${encodeURIComponent(r.issueId)}/events/${r.eventId}/">Open the event${r.shortId ? html` in ${r.shortId}` : ""}</a></p>`
            : "";
        const rows: [string, string | null][] = [
          ["Project", found.project],
          ["Status", r.status],
          ["Outcome", r.outcome],
          ["Reason", r.reason],
          ["Received", r.receivedAt],
          ["Event time", r.dateCreated],
          ["Quota resets by", r.resetsAt],
        ];
        return html`<div class="panel"><h2 style="margin-top:0">${STATUS_WORDS[r.status]}</h2><p>${r.explanation}</p>${link}<dl class="kv">${rows
          .filter(([, v]) => v !== null)
          .map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>${
          r.clientDiscards.length > 0
            ? html`<h3>Discarded by the SDKs in the last 24 h</h3><ul>${r.clientDiscards.map((d) => html`<li>${d.quantity} × ${d.category}: ${d.reason}</li>`)}</ul>`
            : ""
        }${r.drops.length > 1 ? html`<h3>Every drop of this id</h3><ul>${r.drops.map((d) => html`<li>${d.at}: ${d.outcome} (${d.reason})</li>`)}</ul>` : ""}</div>`;
      })()
    : html`<p class="muted">${id ? "That is not an event id: 32 hexadecimal characters, dashes allowed." : "Paste the id an SDK returned (captureException's return value, or the id in the SDK's debug log)."}</p>`;
  return page(
    ctx,
    "issues",
    "Find an event",
    html`<h1>Find an event</h1>${findEventForm(orgSlug, id)}${body}`,
  );
}

export async function findEventPage({ env, ctx, org }: OrgCall): Promise<Response> {
  const raw = ctx.url.searchParams.get("id")?.trim() ?? "";
  const eventId = normalizeEventId(raw);
  if (!eventId) return htmlResponse(receiptView(ctx, org.slug, raw, null), raw ? 400 : 200);
  const projects = await projectsOf(env.DB, org.id);
  let first: { receipt: Receipt; project: string } | null = null;
  for (const p of projects) {
    const stored = await projectEvent(shardDb(env, org.shard), p.id, eventId);
    const spooled = stored ? null : await spooledEvent(env, p.id, eventId);
    const receipt = await buildReceipt(env, {
      shard: org.shard,
      projectId: p.id,
      projectSlug: p.slug,
      eventId,
      stored,
      spooled,
    });
    const found = { receipt, project: p.name };
    if (receipt.status === "stored" || receipt.status === "spooled" || receipt.status === "dropped") {
      return htmlResponse(receiptView(ctx, org.slug, raw, found));
    }
    // A likely SDK discard beats "never seen"; the first project answers otherwise.
    if (!first || (first.receipt.status === "unknown" && receipt.status === "client_discarded"))
      first = found;
  }
  return htmlResponse(receiptView(ctx, org.slug, raw, first));
}
