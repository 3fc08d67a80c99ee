// `npm run faultline -- receipt <event_id>`: asks a running Faultline what became of an event id
// (GET /api/0/projects/{org}/{project}/events/{id}/receipt/) and prints the answer. Defaults fit
// `npm start`: http://127.0.0.1:$PORT, organization `faultline`, project `default`, and the local token
// (`--token`, SENTRY_AUTH_TOKEN, or the one `npm start` keeps).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULTS, ROOT } from "./local-server.mjs";

function localToken() {
  const stateDir = process.env.FAULTLINE_STATE_DIR ?? join(ROOT, ".wrangler");
  const file = join(stateDir, "faultline-local.json");
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")).token : undefined;
}

/** The receipt as lines a person reads. */
export function formatReceipt(r) {
  const lines = [`event ${r.eventId}: ${r.status}`];
  const row = (label, value) => {
    if (value !== null && value !== undefined && value !== "") lines.push(`  ${label.padEnd(8)} ${value}`);
  };
  row("outcome", r.outcome ? `${r.outcome}${r.reason ? ` (${r.reason})` : ""}` : null);
  row("why", r.explanation);
  row("issue", r.shortId ?? r.issueId);
  row("when", r.receivedAt);
  row("resets", r.resetsAt);
  for (const d of r.clientDiscards ?? []) row("sdk", `${d.quantity} × ${d.category} discarded: ${d.reason}`);
  if ((r.drops ?? []).length > 1) for (const d of r.drops) row("drop", `${d.at} ${d.outcome} (${d.reason})`);
  return lines.join("\n");
}

/** Where the running server is and who asks: options, then the environment, then `npm start`'s. */
export function connection(options) {
  const url = (options.url ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`).replace(/\/$/, "");
  const token = options.token ?? process.env.SENTRY_AUTH_TOKEN ?? localToken();
  if (!token) throw new Error("no API token: pass --token or set SENTRY_AUTH_TOKEN");
  const org = options.org ?? process.env.SENTRY_ORG ?? DEFAULTS.orgSlug;
  const project = options.project ?? process.env.SENTRY_PROJECT ?? DEFAULTS.projectSlug;
  return { url, token, org, project };
}

export async function receipt(eventId, options) {
  if (!eventId) throw new Error("receipt needs <event_id>");
  const { url, token, org, project } = connection(options);
  const path = `/api/0/projects/${encodeURIComponent(org)}/${encodeURIComponent(project)}/events/${encodeURIComponent(eventId)}/receipt/`;
  const res = await fetch(url + path, { headers: { authorization: `Bearer ${token}` } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${res.status}: ${body.detail ?? res.statusText}`);
  return formatReceipt(body);
}
