// The alerts queue's consumer (the Worker's `queue()` handler): one delivery per message. A 2xx is
// delivered; a 5xx, 429, timeout or network error is retried with exponential backoff until the last
// attempt, which leaves a dead-letter record ("dead") in the delivery log; any other answer, or a URL
// that may not be called, fails at once. Every attempt updates the delivery's row in the log.
import {
  type DeliveryRecord,
  memberEmails,
  projectSlugs,
  readAlertSettings,
  recordDelivery,
} from "../db/alert-rules.ts";
import {
  ALERT_DELIVERY_LOG_SIZE,
  ALERT_DELIVERY_MAX_ATTEMPTS,
  ALERT_DELIVERY_TIMEOUT_MS,
  ALERT_RETRY_FIRST_SECONDS,
  ALERT_RETRY_MAX_SECONDS,
} from "../limits.ts";
import { renderAlertEmail } from "./email.ts";
import { type DeliveryMessage, targetLabel } from "./messages.ts";
import { discordBody, type LinkContext, legacyWebhookBody, signBody, slackBody } from "./payloads.ts";
import { blockedReason } from "./url-guard.ts";

interface Attempt {
  outcome: "delivered" | "retry" | "failed";
  statusCode: number | null;
  error: string | null;
}

/**
 * What a delivery needs besides the message: the control plane (projects, members), the event shards
 * (alert settings and the delivery log), and the e-mail binding with its sender address.
 */
export interface DeliveryDeps {
  db: D1Database;
  shardDb: (name: string) => D1Database;
  email: SendEmail | undefined;
  emailFrom: string | undefined;
}

export async function deliverBatch(batch: MessageBatch<DeliveryMessage>, deps: DeliveryDeps): Promise<void> {
  for (const msg of batch.messages) {
    const m = msg.body;
    let attempt: Attempt;
    let shard: D1Database | null = null;
    try {
      const slugs = await projectSlugs(deps.db, m.projectId);
      shard = slugs ? deps.shardDb(slugs.shard) : null;
      attempt =
        slugs && shard
          ? await deliverOnce(m, slugs, shard, deps)
          : { outcome: "failed", statusCode: null, error: "the project no longer exists" };
    } catch (error) {
      attempt = { outcome: "retry", statusCode: null, error: errorText(error) };
    }
    const last = msg.attempts >= ALERT_DELIVERY_MAX_ATTEMPTS;
    const status: DeliveryRecord["status"] =
      attempt.outcome === "delivered"
        ? "delivered"
        : attempt.outcome === "failed"
          ? "failed"
          : last
            ? "dead"
            : "retrying";
    // A project that no longer exists (or a control plane that could not be read) has no log to keep.
    await (shard
      ? recordDelivery(
          shard,
          {
            projectId: m.projectId,
            deliveryKey: m.key,
            ruleId: m.ruleId,
            ruleName: m.ruleName,
            issueId: m.issueId,
            target: targetLabel(m.target),
            status,
            statusCode: attempt.statusCode,
            attempts: msg.attempts,
            error: attempt.error,
          },
          ALERT_DELIVERY_LOG_SIZE,
        )
      : Promise.resolve()
    ).catch((error: unknown) => console.error("alerts: could not record a delivery", error));
    if (status === "retrying") msg.retry({ delaySeconds: retryDelay(msg.attempts) });
    else msg.ack();
  }
}

/** Seconds before attempt `attempts + 1`: 1, 2, 4, 8… capped. */
export function retryDelay(attempts: number): number {
  return Math.min(ALERT_RETRY_MAX_SECONDS, ALERT_RETRY_FIRST_SECONDS * 2 ** Math.max(0, attempts - 1));
}

async function deliverOnce(
  m: DeliveryMessage,
  slugs: NonNullable<Awaited<ReturnType<typeof projectSlugs>>>,
  shard: D1Database,
  deps: DeliveryDeps,
): Promise<Attempt> {
  const settings = await readAlertSettings(shard, m.projectId);
  const link: LinkContext = { ...slugs, baseUrl: (settings?.baseUrl ?? "").replace(/\/+$/, "") };
  if (m.target.kind === "email") return sendEmail(m, link, slugs.organizationId, deps);
  const blocked = blockedReason(m.target.url, (settings?.allowPrivateTargets ?? 0) === 1);
  if (blocked) return { outcome: "failed", statusCode: null, error: `refused: ${blocked}` };
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "Faultline-Alerts/1",
  };
  let body: string;
  if (m.target.kind === "webhook") {
    body = JSON.stringify(legacyWebhookBody(m, link));
    headers["sentry-hook-resource"] = "event_alert";
    headers["x-faultline-delivery"] = m.key;
    if (settings) headers["sentry-hook-signature"] = await signBody(settings.webhookSecret, body);
  } else if (m.target.kind === "slack") {
    body = JSON.stringify(slackBody(m, link));
  } else {
    body = JSON.stringify(discordBody(m, link));
  }
  let response: Response;
  try {
    response = await fetch(m.target.url, {
      method: "POST",
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(ALERT_DELIVERY_TIMEOUT_MS),
    });
  } catch (error) {
    return { outcome: "retry", statusCode: null, error: errorText(error) };
  }
  // The body is not needed; cancel it so the connection is released.
  await response.body?.cancel();
  const code = response.status;
  if (code >= 200 && code < 300) return { outcome: "delivered", statusCode: code, error: null };
  if (code >= 500 || code === 429 || code === 408)
    return { outcome: "retry", statusCode: code, error: `HTTP ${code}` };
  return { outcome: "failed", statusCode: code, error: `HTTP ${code}` };
}

/**
 * Sentry's e-mail targets: a Member (one user, who must belong to the organization), or a Team and
 * IssueOwners, which Faultline (no team membership, no ownership rules) sends to every member.
 */
async function sendEmail(
  m: DeliveryMessage,
  link: LinkContext,
  organizationId: number,
  deps: DeliveryDeps,
): Promise<Attempt> {
  if (m.target.kind !== "email") throw new Error("not an e-mail target");
  if (!deps.email || !deps.emailFrom)
    return {
      outcome: "failed",
      statusCode: null,
      error: "e-mail is not configured (send_email binding EMAIL, ALERTS_EMAIL_FROM)",
    };
  const userId = m.target.targetType === "Member" ? m.target.targetIdentifier : null;
  if (m.target.targetType === "Member" && userId === null)
    return { outcome: "failed", statusCode: null, error: "no member named" };
  const to = await memberEmails(deps.db, organizationId, userId);
  if (to.length === 0)
    return { outcome: "failed", statusCode: null, error: "no recipient is a member of the organization" };
  const mail = renderAlertEmail(m, link);
  try {
    await deps.email.send({
      from: deps.emailFrom,
      to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
    });
  } catch (error) {
    return { outcome: "retry", statusCode: null, error: errorText(error) };
  }
  return { outcome: "delivered", statusCode: null, error: null };
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 500);
}
