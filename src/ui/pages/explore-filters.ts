// What the logs explorer and trace search pages share: the time ranges offered, the project picker and
// reading both from the page's query string.
import type { ProjectSummary } from "../../db/rows.ts";
import { html, type SafeHtml } from "../html.ts";

/** Periods offered by the time-range picker, with their length in seconds. */
export const PERIODS: readonly [string, number][] = [
  ["1h", 3600],
  ["24h", 86400],
  ["7d", 7 * 86400],
  ["14d", 14 * 86400],
  ["30d", 30 * 86400],
];

export function periodOf(url: URL, fallback = "24h"): { name: string; seconds: number } {
  const wanted = url.searchParams.get("period") ?? fallback;
  const found = PERIODS.find(([name]) => name === wanted) ?? PERIODS.find(([name]) => name === fallback);
  return { name: found?.[0] ?? "24h", seconds: found?.[1] ?? 86400 };
}

/**
 * The projects a page queries: the one picked (by slug), else the organization's first `max` (the
 * bound of one query); `truncated` says when more were left out, for the page to tell.
 */
export function pickedProjects(
  url: URL,
  projects: readonly ProjectSummary[],
  max: number,
): { projects: ProjectSummary[]; truncated: boolean } {
  const slug = url.searchParams.get("project") ?? "";
  const picked = slug === "" ? [...projects] : projects.filter((p) => p.slug === slug);
  return { projects: picked.slice(0, max), truncated: picked.length > max };
}

export function truncatedNote(truncated: boolean, max: number): SafeHtml | "" {
  return truncated
    ? html`<p class="muted" role="status">Showing the first ${max} projects only: pick a project to see another.</p>`
    : "";
}

export function select(
  name: string,
  label: string,
  options: readonly [string, string][],
  current: string,
): SafeHtml {
  return html`<label>${label}<select name="${name}">${options.map(([value, text]) => html`<option value="${value}"${value === current ? html` selected` : ""}>${text}</option>`)}</select></label>`;
}

export function textField(name: string, label: string, current: string, placeholder = ""): SafeHtml {
  return html`<label>${label}<input type="text" name="${name}" value="${current}" placeholder="${placeholder}"></label>`;
}

export function periodSelect(current: string): SafeHtml {
  return select(
    "period",
    "Time range",
    PERIODS.map(([name]) => [name, `Last ${name}`]),
    current,
  );
}

export function projectSelect(projects: readonly ProjectSummary[], current: string): SafeHtml {
  return select(
    "project",
    "Project",
    [["", "All projects"], ...projects.map((p): [string, string] => [p.slug, p.slug])],
    current,
  );
}
