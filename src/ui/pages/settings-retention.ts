// The "Data retention" form of a project's settings (docs/retention.md): how many days the project's
// events and telemetry are kept, saved as the project API's `retentionDays` is.
import { parseRetentionDays } from "../../api/index.ts";
import type { ProjectRow } from "../../db/tenant-projects.ts";
import { FaultlineError } from "../../errors.ts";
import { DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS } from "../../limits.ts";
import { formString } from "../call.ts";
import { html, type SafeHtml } from "../html.ts";
import { csrfField, type PageContext } from "../layout.ts";

export function retentionForm(ctx: PageContext, action: string, project: ProjectRow): SafeHtml {
  const current = project.retentionDays === null ? "" : String(project.retentionDays);
  const kept = project.retentionDays ?? DEFAULT_RETENTION_DAYS;
  return html`<form method="post" action="${action}" class="panel" aria-label="Data retention">${csrfField(ctx)}<input type="hidden" name="action" value="retention"><h2 style="margin-top:0">Data retention</h2>
<p data-retention-days="${String(kept)}">Events, issues, transactions, logs, sessions and outcomes are kept <strong>${String(kept)} days</strong>${project.retentionDays === null ? " (the organization's default)" : ""}; older ones are deleted, with their stored bytes, within the hour.</p>
<label for="retention">Days (${String(MIN_RETENTION_DAYS)} to ${String(MAX_RETENTION_DAYS)}; empty: the default of ${String(DEFAULT_RETENTION_DAYS)})</label><input id="retention" name="retentionDays" inputmode="numeric" value="${current}">
<p><button class="primary" type="submit">Save retention</button></p></form>`;
}

/** The form's retention as a project change, or the reason it is refused. */
export function retentionChange(form: FormData | null): { retentionDays: number | null } | string {
  try {
    return { retentionDays: parseRetentionDays(formString(form, "retentionDays").trim()) };
  } catch (error) {
    if (error instanceof FaultlineError) return error.detail;
    throw error;
  }
}
