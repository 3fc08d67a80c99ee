// The "Data retention" forms (docs/retention.md): the organization's retention, the default of its
// projects, on the organization's settings page, and a project's own, which may only be lower, on the
// project's; saved as the organization and project APIs' `retentionDays` are.
import { parseRetentionDays } from "../../api/index.ts";
import type { ProjectRow } from "../../db/tenant-projects.ts";
import { FaultlineError } from "../../errors.ts";
import {
  DEFAULT_RETENTION_DAYS,
  effectiveRetentionDays,
  MAX_RETENTION_DAYS,
  MIN_RETENTION_DAYS,
} from "../../limits.ts";
import { formString } from "../call.ts";
import { html, type SafeHtml } from "../html.ts";
import { csrfField, type PageContext } from "../layout.ts";

const KEPT = "Events, issues, transactions, logs, sessions and outcomes are kept";

export function retentionForm(
  ctx: PageContext,
  action: string,
  project: ProjectRow,
  organizationRetentionDays: number | null,
): SafeHtml {
  const current = project.retentionDays === null ? "" : String(project.retentionDays);
  const max = effectiveRetentionDays(null, organizationRetentionDays);
  const kept = effectiveRetentionDays(project.retentionDays, organizationRetentionDays);
  const own = project.retentionDays !== null && project.retentionDays < max;
  return html`<form method="post" action="${action}" class="panel" aria-label="Data retention">${csrfField(ctx)}<input type="hidden" name="action" value="retention"><h2 style="margin-top:0">Data retention</h2>
<p data-retention-days="${String(kept)}">${KEPT} <strong>${String(kept)} days</strong>${own ? "" : " (the organization's retention)"}; older ones are deleted, with their stored bytes, within the hour.</p>
<label for="retention">Days (${String(MIN_RETENTION_DAYS)} to ${String(max)}, the organization's retention; empty: the organization's)</label><input id="retention" name="retentionDays" inputmode="numeric" value="${current}">
<p><button class="primary" type="submit">Save retention</button></p></form>`;
}

/** The organization's retention: a form for owners and admins, the value for everyone else. */
export function organizationRetentionForm(
  ctx: PageContext,
  action: string,
  organizationRetentionDays: number | null,
  admin: boolean,
): SafeHtml {
  const kept = effectiveRetentionDays(null, organizationRetentionDays);
  const summary = html`<p data-organization-retention-days="${String(kept)}">${KEPT} <strong>${String(kept)} days</strong>${organizationRetentionDays === null ? ` (the default of ${String(DEFAULT_RETENTION_DAYS)})` : ""} in every project that sets no fewer days of its own.</p>`;
  if (!admin)
    return html`<div class="panel" aria-label="Data retention"><h2 style="margin-top:0">Data retention</h2>${summary}<p class="muted">Only owners and admins can change it.</p></div>`;
  const current = organizationRetentionDays === null ? "" : String(organizationRetentionDays);
  return html`<form method="post" action="${action}" class="panel" aria-label="Data retention">${csrfField(ctx)}<input type="hidden" name="action" value="retention"><h2 style="margin-top:0">Data retention</h2>${summary}
<label for="org-retention">Days (${String(MIN_RETENTION_DAYS)} to ${String(MAX_RETENTION_DAYS)}; empty: the default of ${String(DEFAULT_RETENTION_DAYS)})</label><input id="org-retention" name="retentionDays" inputmode="numeric" value="${current}">
<p><button class="primary" type="submit">Save retention</button></p></form>`;
}

/**
 * The form's retention as a change, or the reason it is refused; a project's is capped by its
 * organization's (`organizationRetentionDays`, null: the default), an organization's by the maximum.
 */
export function retentionChange(
  form: FormData | null,
  organizationRetentionDays: number | null = null,
): { retentionDays: number | null } | string {
  try {
    const max = effectiveRetentionDays(null, organizationRetentionDays);
    return { retentionDays: parseRetentionDays(formString(form, "retentionDays").trim(), max) };
  } catch (error) {
    if (error instanceof FaultlineError) return error.detail;
    throw error;
  }
}
