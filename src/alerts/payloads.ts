// The bodies each kind of delivery sends: Sentry's legacy webhooks plugin JSON, a Slack incoming-webhook
// message (text + blocks), a Discord webhook message (content + embed), and the HMAC-SHA256 signature
// of a webhook body with the project's secret.
import type { JsonObject } from "../protocol/types.ts";
import type { DeliveryMessage } from "./messages.ts";

export interface LinkContext {
  projectSlug: string;
  projectName: string;
  orgSlug: string;
  /** The server's public URL, as the API that saved the rules saw it (no trailing slash). */
  baseUrl: string;
}

export function issueUrl(m: DeliveryMessage, l: LinkContext): string {
  return `${l.baseUrl}/organizations/${l.orgSlug}/issues/${m.issueId}/`;
}

/** Sentry's legacy webhook payload (sentry-plugins `WebHooksPlugin.get_group_data`). */
export function legacyWebhookBody(m: DeliveryMessage, l: LinkContext): JsonObject {
  const e = m.event;
  const tags: JsonObject[] = e.tags.map(([key, value]) => [key, value]) as unknown as JsonObject[];
  return {
    id: String(m.issueId),
    project: l.projectSlug,
    project_name: l.projectName,
    project_slug: l.projectSlug,
    logger: e.logger,
    level: e.level,
    culprit: e.culprit,
    message: e.message || e.title,
    url: `${issueUrl(m, l)}?referrer=webhooks_plugin`,
    triggering_rules: [m.ruleName],
    event: {
      event_id: e.eventId,
      id: e.eventId,
      title: e.title,
      culprit: e.culprit,
      level: e.level,
      message: e.message,
      platform: e.platform,
      logger: e.logger,
      release: e.release,
      environment: e.environment,
      timestamp: e.timestamp,
      tags,
      ...(m.test ? { test: true } : {}),
    },
  };
}

function frameLines(m: DeliveryMessage): string[] {
  return m.event.frames.map(
    (f) => `${f.function ?? "?"} (${f.filename ?? "?"}${f.lineno === null ? "" : `:${f.lineno}`})`,
  );
}

function facts(m: DeliveryMessage): string {
  const e = m.event;
  return [
    `level: ${e.level}`,
    e.release ? `release: ${e.release}` : null,
    e.environment ? `environment: ${e.environment}` : null,
  ]
    .filter((x) => x !== null)
    .join(" · ");
}

export function slackBody(m: DeliveryMessage, l: LinkContext): JsonObject {
  const url = issueUrl(m, l);
  const frames = frameLines(m);
  const text = `${m.test ? "[test] " : ""}${m.event.title}`;
  return {
    text: `${text} — ${url}`,
    blocks: [
      {
        type: "section",
        text: { type: "mrkdwn", text: `*<${url}|${escapeSlack(text)}>*\n${escapeSlack(m.event.culprit)}` },
      },
      {
        type: "context",
        elements: [
          { type: "mrkdwn", text: escapeSlack(`${l.projectSlug} · ${facts(m)} · rule: ${m.ruleName}`) },
        ],
      },
      ...(frames.length > 0
        ? [
            {
              type: "section",
              text: { type: "mrkdwn", text: `\`\`\`${escapeSlack(frames.join("\n"))}\`\`\`` },
            },
          ]
        : []),
    ],
  };
}

const escapeSlack = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function discordBody(m: DeliveryMessage, l: LinkContext): JsonObject {
  const frames = frameLines(m);
  const level = m.event.level;
  // Discord embed colors: red for errors and worse, amber for warnings, grey otherwise.
  const color = level === "fatal" || level === "error" ? 0xe03e2f : level === "warning" ? 0xf2b712 : 0x8d8d8d;
  return {
    content: m.test ? "Test notification from Faultline" : null,
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: m.event.title.slice(0, 256),
        url: issueUrl(m, l),
        description: [m.event.culprit, frames.length > 0 ? `\`\`\`\n${frames.join("\n")}\n\`\`\`` : ""]
          .filter((s) => s !== "")
          .join("\n")
          .slice(0, 4000),
        color,
        fields: [
          { name: "Project", value: l.projectSlug, inline: true },
          { name: "Level", value: level, inline: true },
          ...(m.event.release ? [{ name: "Release", value: m.event.release, inline: true }] : []),
          ...(m.event.environment ? [{ name: "Environment", value: m.event.environment, inline: true }] : []),
        ],
        footer: { text: `rule: ${m.ruleName}` },
      },
    ],
  };
}

/** Hex HMAC-SHA256 of the body under the project's webhook secret (the `Sentry-Hook-Signature` header). */
export async function signBody(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body));
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
