// The "Inbound filters" form of a project's settings: Sentry's built-in filters and the message,
// release and IP lists, saved as the filter API saves them (one JSON object per project).
import type { ProjectRow } from "../../db/tenant-projects.ts";
import { MAX_SCRUB_FIELD_CHARS, MAX_SCRUB_FIELDS } from "../../limits.ts";
import {
  type InboundFilters,
  LEGACY_BROWSER_SUBFILTERS,
  type LegacyBrowserSubfilter,
  parseStoredFilters,
  storeFilters,
} from "../../protocol/filters/index.ts";
import { formString } from "../call.ts";
import { html, type SafeHtml } from "../html.ts";
import { csrfField, type PageContext } from "../layout.ts";

const TOGGLES: [keyof InboundFilters, string][] = [
  ["browserExtensions", "Errors known to be caused by browser extensions"],
  ["localhost", "Events coming from localhost (127.0.0.1, ::1, localhost URLs)"],
  ["webCrawlers", "Known web crawlers"],
  ["healthChecks", "Health check transactions (/health, /healthz, /ping, kube-probe…)"],
];

export function filtersForm(ctx: PageContext, action: string, project: ProjectRow): SafeHtml {
  const f = parseStoredFilters(project.inboundFilters);
  const on = (value: boolean) => (value ? html` checked` : "");
  const legacy = f.legacyBrowsers;
  return html`<form method="post" action="${action}" class="panel">${csrfField(ctx)}<input type="hidden" name="action" value="filters"><h2 style="margin-top:0">Inbound filters</h2>
<p class="muted">Matching events are dropped before they are stored and counted as <code>filtered</code> with the filter's name.</p>
${TOGGLES.map(([key, label]) => html`<p><label><input type="checkbox" name="${key}" value="1"${on(f[key] === true)}> ${label}</label></p>`)}
<p><label><input type="checkbox" name="legacyDefault" value="1"${on(legacy === "default")}> Legacy browsers (Sentry's default: IE below 10, Safari below 6, Opera below 15, Opera Mini below 8, Android below 4)</label></p>
<p class="muted">Or only these: ${LEGACY_BROWSER_SUBFILTERS.map((s) => html`<label style="margin-right:1em"><input type="checkbox" name="legacy" value="${s}"${on(legacy !== "default" && legacy.includes(s))}> ${s}</label>`)}</p>
<label for="ferrors">Error messages (globs, one per line)</label><textarea id="ferrors" name="errorMessages" rows="3">${f.errorMessages.join("\n")}</textarea>
<label for="freleases">Releases (globs, one per line)</label><textarea id="freleases" name="releases" rows="2">${f.releases.join("\n")}</textarea>
<label for="fips">IP addresses and ranges (one per line, e.g. 10.0.0.0/8)</label><textarea id="fips" name="blockedIps" rows="2">${f.blockedIps.join("\n")}</textarea>
<p><button class="primary" type="submit">Save inbound filters</button></p></form>`;
}

/** The form's filters as the stored JSON, or the reason a list is refused. */
export function filtersChange(form: FormData | null): { inboundFilters: string } | string {
  const list = (name: string) =>
    formString(form, name)
      .split("\n")
      .map((v) => v.trim())
      .filter((v) => v !== "");
  const lists = {
    errorMessages: list("errorMessages"),
    releases: list("releases"),
    blockedIps: list("blockedIps"),
  };
  for (const values of Object.values(lists)) {
    if (values.length > MAX_SCRUB_FIELDS) return `At most ${MAX_SCRUB_FIELDS} entries per list.`;
    if (values.some((v) => v.length > MAX_SCRUB_FIELD_CHARS))
      return `An entry is at most ${MAX_SCRUB_FIELD_CHARS} characters.`;
  }
  const checked = (name: string) => formString(form, name) === "1";
  const subfilters = (form?.getAll("legacy") ?? []).filter((v): v is LegacyBrowserSubfilter =>
    (LEGACY_BROWSER_SUBFILTERS as readonly unknown[]).includes(v),
  );
  const filters: InboundFilters = {
    browserExtensions: checked("browserExtensions"),
    localhost: checked("localhost"),
    webCrawlers: checked("webCrawlers"),
    healthChecks: checked("healthChecks"),
    legacyBrowsers: checked("legacyDefault") ? "default" : [...new Set(subfilters)],
    ...lists,
  };
  return { inboundFilters: storeFilters(filters) };
}
