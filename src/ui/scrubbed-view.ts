// The "Scrubbed data" panel of an event: every value server-side scrubbing replaced with "[Filtered]"
// (or removed), where it was and why, from the event's `_meta`.
import { RULE_REASONS, scrubbedPaths } from "../protocol/scrub/index.ts";
import { html, type SafeHtml } from "./html.ts";

export function renderScrubbed(meta: unknown): SafeHtml | "" {
  const paths = scrubbedPaths(meta);
  if (paths.length === 0) return "";
  return html`<h2>Scrubbed data</h2><div class="panel"><p class="muted">Replaced with <code>[Filtered]</code> or removed before the event was stored (project data scrubbing settings).</p><table class="stack"><thead><tr><th>Where</th><th>Why</th></tr></thead><tbody>${paths.map(
    (p) =>
      html`<tr><td class="mono">${p.path}</td><td>${p.rules.map((r) => RULE_REASONS[r] ?? r).join("; ")} <span class="muted mono">${p.rules.join(", ")}</span></td></tr>`,
  )}</tbody></table></div>`;
}
