// The e-mail of an issue alert (Sentry's NotifyEmailAction): subject, plain text and HTML with the issue
// title, culprit, the top in-app frames, counts, release, environment and a link to the issue page.
// Sent through Cloudflare's `send_email` binding in its message-builder form (Email Service), which
// builds the MIME message itself; wrangler's local simulation stores the text and HTML parts in files.
import type { DeliveryMessage } from "./messages.ts";
import { issueUrl, type LinkContext } from "./payloads.ts";

export interface AlertEmail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function renderAlertEmail(m: DeliveryMessage, l: LinkContext): AlertEmail {
  const e = m.event;
  const url = issueUrl(m, l);
  const level = e.level.toUpperCase();
  // Sentry's subject: "[Sentry] PROJECT-SHORTID - title"; Faultline names the project and the level.
  const subject = `${m.test ? "[Test] " : ""}[Faultline] ${l.projectSlug} ${level}: ${e.title}`.slice(0, 250);
  const facts: [string, string][] = [
    ["Project", l.projectSlug],
    ["Level", e.level],
    ["Events", String(e.count)],
    ...(e.release ? ([["Release", e.release]] as [string, string][]) : []),
    ...(e.environment ? ([["Environment", e.environment]] as [string, string][]) : []),
    ["Rule", m.ruleName],
  ];
  const frames = e.frames.map(
    (f) => `${f.function ?? "?"} (${f.filename ?? "?"}${f.lineno === null ? "" : `:${f.lineno}`})`,
  );
  const text = [
    e.title,
    e.culprit,
    "",
    ...facts.map(([k, v]) => `${k}: ${v}`),
    ...(frames.length > 0
      ? ["", "Stack trace (most recent call first):", ...frames.map((f) => `  ${f}`)]
      : []),
    "",
    `View the issue: ${url}`,
    "",
    `You receive this because of the alert rule "${m.ruleName}".`,
  ].join("\n");
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<h2 style="margin:0"><a href="${escapeHtml(url)}">${escapeHtml(e.title)}</a></h2>
<p style="color:#666">${escapeHtml(e.culprit)}</p>
<table>${facts.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join("")}</table>
${frames.length > 0 ? `<pre>${frames.map(escapeHtml).join("\n")}</pre>` : ""}
<p><a href="${escapeHtml(url)}">View the issue in Faultline</a></p>
<p style="color:#999;font-size:12px">Alert rule: ${escapeHtml(m.ruleName)}</p>
</body></html>`;
  return { subject, text, html };
}
