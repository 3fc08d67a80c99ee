// A project's usage and costs (docs/costs.md): month to date in platform units and dollars, the last 24
// hours as charts and a table, the monthly budget form (owners and admins) and whether ingest is being
// shed for the budget, and the organization's stored bytes against its storage quota (docs/retention.md).
// Figures are the usage API's.
import {
  changeProjectBudget,
  loadProjectUsage,
  loadStorage,
  parseBudget,
  reportWindow,
  type StorageJson,
  type UsageReport,
} from "../../api/index.ts";
import type { ProjectSummary } from "../../db/rows.ts";
import { projectBySlug } from "../../db/tenant-reads.ts";
import { FaultlineError } from "../../errors.ts";
import { formString, isAdmin, type OrgCall, requireAdmin } from "../call.ts";
import { barChart } from "../charts.ts";
import { doneMessage } from "../flash.ts";
import { bytes, compactNumber } from "../format.ts";
import { html, type SafeHtml } from "../html.ts";
import { csrfField, flash, type PageContext, page } from "../layout.ts";
import { htmlResponse, redirect } from "../respond.ts";
import { settingsNav } from "../settings-nav.ts";

const usd = (n: number) => `$${n < 0.01 && n > 0 ? n.toPrecision(3) : n.toFixed(2)}`;

function monthTable(r: UsageReport): SafeHtml {
  const u = r.monthToDate.usage;
  const c = r.monthToDate.cost;
  const row = (product: string, units: SafeHtml | string, cost: number) =>
    html`<tr><td>${product}</td><td>${units}</td><td class="num">${usd(cost)}</td></tr>`;
  return html`<table class="table" aria-label="Month to date"><thead><tr><th>Product</th><th>Units</th><th class="num">Dollars</th></tr></thead><tbody>
${row("D1", `${compactNumber(u.d1RowsRead)} rows read, ${compactNumber(u.d1RowsWritten)} rows written`, c.d1Usd)}
${row("R2", `${compactNumber(u.r2ClassA)} Class A, ${compactNumber(u.r2ClassB)} Class B, ${bytes(u.r2BytesPut)} put`, c.r2Usd)}
${row("Durable Objects", `${compactNumber(u.doRequests)} requests, ${(u.doActiveMs / 1000).toFixed(0)} s active`, c.durableObjectsUsd)}
${row("Queues", `${compactNumber(u.queueMessages)} messages`, c.queuesUsd)}
${row("Workers", `${compactNumber(u.workerRequests)} requests`, c.workersUsd)}
<tr><th>Total</th><td></td><th class="num" data-total>${usd(c.totalUsd)}</th></tr></tbody></table>`;
}

function hoursTable(r: UsageReport): SafeHtml {
  const recent = [...r.hours].reverse();
  return html`<table class="table" aria-label="By hour"><thead><tr><th>Hour (UTC)</th><th class="num">D1 rows read</th><th class="num">D1 rows written</th><th class="num">R2 A</th><th class="num">R2 B</th><th class="num">DO requests</th><th class="num">Dollars</th></tr></thead><tbody>${recent.map(
    (h) =>
      html`<tr><td>${h.hour.slice(0, 13).replace("T", " ")}:00</td><td class="num">${String(h.usage.d1RowsRead)}</td><td class="num">${String(h.usage.d1RowsWritten)}</td><td class="num">${String(h.usage.r2ClassA)}</td><td class="num">${String(h.usage.r2ClassB)}</td><td class="num">${String(h.usage.doRequests)}</td><td class="num">${usd(h.cost.totalUsd)}</td></tr>`,
  )}</tbody></table>`;
}

/** The organization's stored bytes against its quota (all its projects together). */
function storagePanel(s: StorageJson): SafeHtml {
  const share = s.quotaBytes > 0 ? Math.min(100, (s.usedBytes / s.quotaBytes) * 100) : 100;
  const state =
    s.state === "over_quota"
      ? html`<span class="badge regressed" data-storage-state="over_quota">Over quota</span> Ingest is refused with 429 (<code>storage_quota</code>) until retention frees room or the quota is raised.`
      : html`<span class="badge ok" data-storage-state="ok">Under quota</span>`;
  return html`<div class="panel" aria-label="Organization storage"><h2 style="margin-top:0">Organization storage</h2>
<p><strong data-storage-used="${String(s.usedBytes)}">${bytes(s.usedBytes)}</strong> of <strong data-storage-quota="${String(s.quotaBytes)}">${bytes(s.quotaBytes)}</strong> (${share.toFixed(1)} %)${s.defaultQuota ? " — the default quota" : ""}</p>
<p>${state}</p>
<p class="muted">Event payloads, attachments and raw items of all the organization's projects. Owners and admins set the quota with <code>PUT /api/0/organizations/{org}/usage/</code> <code>{"storageQuotaBytes": n}</code>.</p></div>`;
}

export function usageView(
  ctx: PageContext,
  p: {
    orgSlug: string;
    project: ProjectSummary;
    report: UsageReport;
    storage: StorageJson;
    admin: boolean;
    message: string | null;
    error: string | null;
  },
): SafeHtml {
  const { report: r } = p;
  const action = `/settings/${encodeURIComponent(p.orgSlug)}/projects/${encodeURIComponent(p.project.slug)}/usage/`;
  const shedding = r.budget.state === "shedding";
  const label = (h: { hour: string }) => `${h.hour.slice(11, 13)}:00 UTC`;
  const dollars = r.hours.map((h) => ({ label: label(h), value: Number(h.cost.totalUsd.toPrecision(3)) }));
  const written = r.hours.map((h) => ({ label: label(h), value: h.usage.d1RowsWritten }));
  const state = shedding
    ? html`<p><span class="badge regressed" data-state="shedding">Shedding</span> The month's spend reached the budget less ${String(r.budget.shedMargin * 100)} %: ingest is refused with 429 (<code>cost_budget</code>).</p>`
    : html`<p><span class="badge ok" data-state="ok">${r.budget.monthlyBudgetUsd === null ? "No budget" : "Under budget"}</span></p>`;
  const current = r.budget.monthlyBudgetUsd === null ? "" : String(r.budget.monthlyBudgetUsd);
  const form = p.admin
    ? html`<form method="post" action="${action}" class="panel" aria-label="Monthly budget">${csrfField(ctx)}<input type="hidden" name="action" value="budget"><h2 style="margin-top:0">Monthly budget</h2>
<label for="budget">Dollars per month (empty: no budget)</label><input id="budget" name="monthlyBudgetUsd" inputmode="decimal" value="${current}">
<p class="muted">Ingest is shed when the month-to-date spend of this project, or of its organization against the organization's budget, reaches the budget less ${String(r.budget.shedMargin * 100)} %.</p>
<button class="primary" type="submit">Save budget</button></form>`
    : html`<p class="muted">Owners and admins set the monthly budget${current ? html` (now $${current})` : ""}.</p>`;
  return page(
    ctx,
    "settings",
    `${p.project.name} usage`,
    html`<h1>Usage and costs</h1>${settingsNav(p.orgSlug, "usage", p.project)}${flash(p.message)}${flash(p.error, "error")}
${state}
<div class="grid2"><div class="panel"><h2 style="margin-top:0">Month to date (since ${r.monthToDate.start.slice(0, 10)})</h2>${monthTable(r)}
<p class="muted">At Cloudflare's Workers Paid list prices of ${r.pricesTaken}, without the plan's included allowances.</p></div><div>${form}</div></div>
${storagePanel(p.storage)}
<div class="panel"><h2 style="margin-top:0">Last 24 hours</h2><p>Dollars by hour</p>${barChart(dollars, 480, 64, "dollars")}<p>D1 rows written by hour</p>${barChart(written, 480, 64, "rows")}${hoursTable(r)}</div>`,
  );
}

async function load(call: OrgCall): Promise<ProjectSummary> {
  const project = await projectBySlug(call.env.DB, call.org.id, call.param("project"));
  if (!project) throw new FaultlineError(404, "not found");
  return project;
}

async function render(call: OrgCall, project: ProjectSummary, error: string | null): Promise<Response> {
  const [report, storage] = await Promise.all([
    loadProjectUsage(call.env, call.org, project.id, reportWindow(24)),
    loadStorage(call.env, call.org),
  ]);
  const view = usageView(call.ctx, {
    orgSlug: call.org.slug,
    project,
    report,
    storage,
    admin: isAdmin(call.org),
    message: doneMessage(call.ctx.url),
    error,
  });
  return htmlResponse(view, error ? 400 : 200);
}

export async function usagePage(call: OrgCall): Promise<Response> {
  return render(call, await load(call), null);
}

export async function usageSubmit(call: OrgCall): Promise<Response> {
  const project = await load(call);
  requireAdmin(call.org);
  let budget: number | null;
  try {
    budget = parseBudget(formString(call.form, "monthlyBudgetUsd"), "Monthly budget");
  } catch (error) {
    if (error instanceof FaultlineError) return render(call, project, error.detail);
    throw error;
  }
  await changeProjectBudget(call.env, call.org, project.id, budget);
  const back = `/settings/${encodeURIComponent(call.org.slug)}/projects/${encodeURIComponent(project.slug)}/usage/`;
  return redirect(`${back}?done=saved`);
}
