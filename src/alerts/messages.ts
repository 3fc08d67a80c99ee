// What the project's Durable Object hands to the alerts queue: one message per delivery (one webhook
// URL, one chat webhook, one e-mail action), carrying the event's summary so the consumer never reads
// the event back. `key` names the delivery in the log across its attempts.
import { ALERT_MESSAGE_FRAMES } from "../limits.ts";
import type { JsonObject, JsonValue } from "../protocol/types.ts";

export type DeliveryTarget =
  | { kind: "webhook"; url: string }
  | { kind: "slack"; url: string }
  | { kind: "discord"; url: string }
  | { kind: "email"; targetType: string; targetIdentifier: number | null };

export interface EventSummary {
  eventId: string;
  title: string;
  culprit: string;
  level: string;
  message: string;
  platform: string;
  logger: string | null;
  release: string | null;
  environment: string | null;
  timestamp: number;
  tags: [string, string][];
  /** The top in-app frames, innermost first. */
  frames: { function: string | null; filename: string | null; lineno: number | null }[];
  /** Events of the issue in this commit and, when the windows are kept, in the last hour. */
  count: number;
}

export interface DeliveryMessage {
  key: string;
  projectId: number;
  organizationId: number;
  ruleId: number | null;
  ruleName: string;
  issueId: number;
  target: DeliveryTarget;
  event: EventSummary;
  /** A "send test notification" delivery (not caused by an event). */
  test: boolean;
}

/** A short label of a target for the delivery log (a URL's origin and path, never its query). */
export function targetLabel(target: DeliveryTarget): string {
  if (target.kind === "email")
    return `email:${target.targetType}${target.targetIdentifier ? `:${target.targetIdentifier}` : ""}`;
  try {
    const u = new URL(target.url);
    // Slack and Discord webhook URLs are credentials: show only the host.
    return target.kind === "webhook" ? `${u.origin}${u.pathname}` : `${target.kind}:${u.host}`;
  } catch {
    return target.kind;
  }
}

/** Tags and the top in-app frames of a stored payload (normalized JSON), for rules and messages. */
export function payloadDetails(payload: string | null): {
  tags: [string, string][];
  frames: EventSummary["frames"];
} {
  if (!payload) return { tags: [], frames: [] };
  let parsed: JsonValue;
  try {
    parsed = JSON.parse(payload) as JsonValue;
  } catch {
    return { tags: [], frames: [] };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { tags: [], frames: [] };
  const tags = Array.isArray(parsed.tags)
    ? parsed.tags.filter(
        (t): t is [string, string] =>
          Array.isArray(t) && typeof t[0] === "string" && typeof t[1] === "string",
      )
    : [];
  return { tags, frames: inAppFrames(parsed) };
}

function inAppFrames(event: JsonObject): EventSummary["frames"] {
  const exception = event.exception;
  const values =
    typeof exception === "object" &&
    exception !== null &&
    !Array.isArray(exception) &&
    Array.isArray(exception.values)
      ? exception.values
      : [];
  // The last exception is the one raised; its innermost frames come last in Sentry's order.
  const last = values[values.length - 1];
  const stack = typeof last === "object" && last !== null && !Array.isArray(last) ? last.stacktrace : null;
  const frames =
    typeof stack === "object" && stack !== null && !Array.isArray(stack) && Array.isArray(stack.frames)
      ? stack.frames
      : [];
  const objects = frames.filter(
    (f): f is JsonObject => typeof f === "object" && f !== null && !Array.isArray(f),
  );
  const inApp = objects.filter((f) => f.in_app === true);
  return (inApp.length > 0 ? inApp : objects)
    .slice(-ALERT_MESSAGE_FRAMES)
    .reverse()
    .map((f) => ({
      function: typeof f.function === "string" ? f.function : null,
      filename:
        typeof f.filename === "string" ? f.filename : typeof f.abs_path === "string" ? f.abs_path : null,
      lineno: typeof f.lineno === "number" ? f.lineno : null,
    }));
}

/** A fresh per-project webhook signing secret (256 bits, hex). */
export const newWebhookSecret = (): string =>
  [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0")).join("");

/** A delivery of a sample event, marked as a test (Sentry sends one like it from "Send Test Notification"). */
export function testMessage(
  organizationId: number,
  projectId: number,
  target: DeliveryMessage["target"],
  ruleName: string,
): DeliveryMessage {
  return {
    key: crypto.randomUUID(),
    projectId,
    organizationId,
    ruleId: null,
    ruleName,
    issueId: 0,
    target,
    test: true,
    event: {
      eventId: "0".repeat(32),
      title: "This is an example Python exception",
      culprit: "raven.scripts.runner in main",
      level: "error",
      message: "This is a test notification from Faultline",
      platform: "python",
      logger: null,
      release: null,
      environment: "prod",
      timestamp: Date.now() / 1000,
      tags: [["level", "error"]],
      frames: [{ function: "main", filename: "raven/scripts/runner.py", lineno: 112 }],
      count: 1,
    },
  };
}
