// The "Data scrubbing" form of a project's settings: Sentry's options (scrub data, use the default
// scrubbers, scrub IP addresses, additional sensitive fields, safe fields), saved as the API saves them.
import type { ProjectRow, ProjectUpdate } from "../../db/tenant-projects.ts";
import { MAX_SCRUB_FIELD_CHARS, MAX_SCRUB_FIELDS } from "../../limits.ts";
import { parseFieldList } from "../../protocol/scrub/index.ts";
import { formString } from "../call.ts";
import { html, type SafeHtml } from "../html.ts";
import { csrfField, type PageContext } from "../layout.ts";

export function scrubbingForm(ctx: PageContext, action: string, project: ProjectRow): SafeHtml {
  const checked = (on: number) => (on !== 0 ? html` checked` : "");
  return html`<form method="post" action="${action}" class="panel">${csrfField(ctx)}<input type="hidden" name="action" value="scrubbing"><h2 style="margin-top:0">Data scrubbing</h2>
<p class="muted">Applied before anything is stored. Scrubbed values read <code>[Filtered]</code>; each event lists what was removed and why.</p>
<p><label><input type="checkbox" name="dataScrubber" value="1"${checked(project.dataScrubber)}> Scrub data (secrets by key and value)</label></p>
<p><label><input type="checkbox" name="dataScrubberDefaults" value="1"${checked(project.dataScrubberDefaults)}> Use the default scrubbers (passwords, tokens, credit cards, keys, session cookies…)</label></p>
<p><label><input type="checkbox" name="scrubIPAddresses" value="1"${checked(project.scrubIpAddresses)}> Scrub IP addresses</label></p>
<label for="sensitive">Additional sensitive fields (one per line)</label><textarea id="sensitive" name="sensitiveFields" rows="3">${parseFieldList(project.sensitiveFields).join("\n")}</textarea>
<label for="safe">Safe fields, never scrubbed (one per line)</label><textarea id="safe" name="safeFields" rows="3">${parseFieldList(project.safeFields).join("\n")}</textarea>
<p><button class="primary" type="submit">Save data scrubbing</button></p></form>`;
}

/** The form's settings as the column values; undefined with the reason when a list is too long. */
export function scrubbingChanges(form: FormData | null): ProjectUpdate | string {
  const list = (name: string) => [
    ...new Set(
      formString(form, name)
        .split("\n")
        .map((v) => v.trim())
        .filter((v) => v !== ""),
    ),
  ];
  const sensitive = list("sensitiveFields");
  const safe = list("safeFields");
  for (const fields of [sensitive, safe]) {
    if (fields.length > MAX_SCRUB_FIELDS) return `At most ${MAX_SCRUB_FIELDS} fields per list.`;
    if (fields.some((f) => f.length > MAX_SCRUB_FIELD_CHARS)) {
      return `A field is at most ${MAX_SCRUB_FIELD_CHARS} characters.`;
    }
  }
  const on = (name: string) => (formString(form, name) === "1" ? 1 : 0);
  return {
    dataScrubber: on("dataScrubber"),
    dataScrubberDefaults: on("dataScrubberDefaults"),
    scrubIpAddresses: on("scrubIPAddresses"),
    sensitiveFields: JSON.stringify(sensitive),
    safeFields: JSON.stringify(safe),
  };
}
