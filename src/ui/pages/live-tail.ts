// The live tail page of a project: what it receives, as it arrives — accepted items and dropped ones with
// their reason — paused and filtered in the page; and the WebSocket it opens (members only, through
// the signed-in session), held by the project's Durable Object.
import { projectBySlug } from "../../db/tenant-reads.ts";
import { FaultlineError } from "../../errors.ts";
import { openLiveTail } from "../../project/index.ts";
import type { OrgCall } from "../call.ts";
import { html } from "../html.ts";
import { page } from "../layout.ts";
import { htmlResponse } from "../respond.ts";

const KINDS = [
  "error",
  "default",
  "transaction",
  "span",
  "log",
  "session",
  "check_in",
  "feedback",
  "attachment",
];
const LEVELS = ["fatal", "error", "warning", "info", "debug"];

async function project(call: OrgCall) {
  const found = await projectBySlug(call.env.DB, call.org.id, call.param("project"));
  if (!found) throw new FaultlineError(404, "not found");
  return found;
}

export async function liveTailPage(call: OrgCall): Promise<Response> {
  const p = await project(call);
  const socket = `/organizations/${encodeURIComponent(call.org.slug)}/projects/${encodeURIComponent(p.slug)}/tail/socket/`;
  return htmlResponse(
    page(
      call.ctx,
      "issues",
      `Live tail · ${p.name}`,
      html`<h1>Live tail <span class="muted">· ${p.name}</span></h1>
<div data-tail="${socket}"><div class="row" style="margin-bottom:8px"><span data-tail-state class="muted">Connecting…</span><button type="button" data-tail-pause>Pause</button>
<label for="tail-kind" class="muted">Type</label><select id="tail-kind" data-tail-kind><option value="">All</option>${KINDS.map((k) => html`<option>${k}</option>`)}</select>
<label for="tail-level" class="muted">Level</label><select id="tail-level" data-tail-level><option value="">All</option>${LEVELS.map((l) => html`<option>${l}</option>`)}</select></div>
<div class="panel" style="padding:0"><ul class="tail" data-tail-list aria-live="polite"></ul></div>
<p class="muted">Newest first. Over 50 items a second the rest of the second is summarized.</p></div>`,
    ),
  );
}

export async function liveTailSocket(call: OrgCall): Promise<Response> {
  const p = await project(call);
  if (call.request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    throw new FaultlineError(400, "expected a WebSocket upgrade");
  }
  return openLiveTail(call.env, p.id);
}
