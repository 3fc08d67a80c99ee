// Sub-navigation shared by the organization settings pages.
import { html, type SafeHtml } from "./html.ts";

export function settingsNav(
  orgSlug: string,
  current: "projects" | "members" | "keys" | "project" | "alerts" | "usage",
  project?: { slug: string; name: string },
): SafeHtml {
  const o = encodeURIComponent(orgSlug);
  const a = (href: string, label: string, on: boolean) =>
    html`<a href="${href}"${on ? html` aria-current="page"` : ""}>${label}</a>`;
  return html`<nav class="tabs" aria-label="Settings">${a(`/settings/${o}/projects/`, "Projects", current === "projects")}${a(`/settings/${o}/members/`, "Members", current === "members")}${
    project
      ? html`${a(`/settings/${o}/projects/${encodeURIComponent(project.slug)}/`, `${project.name}: general`, current === "project")}${a(`/settings/${o}/projects/${encodeURIComponent(project.slug)}/keys/`, `${project.name}: client keys`, current === "keys")}${a(`/settings/${o}/projects/${encodeURIComponent(project.slug)}/alerts/`, `${project.name}: alerts`, current === "alerts")}${a(`/settings/${o}/projects/${encodeURIComponent(project.slug)}/usage/`, `${project.name}: usage`, current === "usage")}`
      : ""
  }</nav>`;
}

export function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^\w\s-]/g, "")
    .trim()
    .replace(/[\s_]+/g, "-")
    .replace(/-+/g, "-")
    .slice(0, 50)
    .replace(/^-|-$/g, "");
}
