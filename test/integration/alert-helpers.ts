// Alert test helpers: a project whose deliveries may reach the local receiver, rules through the API,
// error events through ingest, and the receiver's and the delivery log's view of what was delivered.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { createTenant, envelope, newEventId, postEnvelope, type Tenant } from "./helpers.ts";
import { call, createUser, type TestUser } from "./tenant-helpers.ts";

export const FIRST_SEEN = "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition";
export const REGRESSION = "sentry.rules.conditions.regression_event.RegressionEventCondition";
export const REAPPEARED = "sentry.rules.conditions.reappeared_event.ReappearedEventCondition";
export const FREQUENCY = "sentry.rules.conditions.event_frequency.EventFrequencyCondition";
export const UNIQUE_USERS = "sentry.rules.conditions.event_frequency.EventUniqueUserFrequencyCondition";
export const WEBHOOKS = {
  id: "sentry.rules.actions.notify_event_service.NotifyEventServiceAction",
  service: "webhooks",
};

export interface AlertProject {
  t: Tenant;
  owner: TestUser;
  rules: string;
  /** The receiver name deliveries of this project's webhooks plugin go to. */
  name: string;
}

let counter = 0;

/** A project with private targets allowed (the receiver is on 127.0.0.1) and its webhooks plugin URL. */
export async function alertProject(webhookPath = "ok"): Promise<AlertProject> {
  const t = await createTenant();
  const owner = await createUser(t.orgId, "owner");
  counter += 1;
  // The receiver outlives one test file (whose D1, and so its project ids, are its own): names must not repeat.
  const name = `p${t.projectId}-${counter}-${crypto.randomUUID()}`;
  const base = `/api/0/projects/${t.orgSlug}/${t.projectSlug}`;
  expect(
    (await call(owner.token, "PUT", `${base}/alert-settings/`, { allowPrivateTargets: true })).status,
  ).toBe(200);
  const urls = `${env.TEST_RECEIVER_URL}/${webhookPath}/${name}`;
  expect((await call(owner.token, "PUT", `${base}/plugins/webhooks/`, { urls })).status).toBe(200);
  return { t, owner, rules: `${base}/rules/`, name };
}

export async function createRule(p: AlertProject, rule: Record<string, unknown>): Promise<string> {
  const res = await call<{ id: string }>(p.owner.token, "POST", p.rules, {
    name: "rule",
    actionMatch: "all",
    filterMatch: "all",
    frequency: 5,
    actions: [WEBHOOKS],
    ...rule,
  });
  expect(res.status, res.text).toBe(200);
  return res.body.id;
}

export interface ErrorOptions {
  message?: string;
  level?: string;
  release?: string;
  environment?: string;
  tags?: Record<string, string>;
  user?: string;
  /** Unix seconds (the SDK's clock); none: the time of ingest. */
  timestamp?: number;
}

/** Sends one error event (grouped by its message) and waits until it is committed. */
export async function sendError(t: Tenant, o: ErrorOptions = {}): Promise<string> {
  const eventId = newEventId();
  const event = {
    event_id: eventId,
    message: o.message ?? "alert test",
    level: o.level ?? "error",
    platform: "javascript",
    ...(o.release ? { release: o.release } : {}),
    ...(o.environment ? { environment: o.environment } : {}),
    ...(o.tags ? { tags: o.tags } : {}),
    ...(o.user ? { user: { id: o.user } } : {}),
    ...(o.timestamp !== undefined ? { timestamp: o.timestamp } : {}),
  };
  const res = await postEnvelope(
    t,
    envelope({ event_id: eventId }, [{ type: "event" }, JSON.stringify(event)]),
  );
  expect(res.status).toBe(200);
  return eventId;
}

export interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

export async function received(name: string): Promise<Received[]> {
  const res = await fetch(`${env.TEST_RECEIVER_URL}/__received/${name}`);
  return (await res.json()) as Received[];
}

/** Waits until the receiver got at least `n` requests for `name` (fails after `timeoutMs`). */
export async function waitForReceived(name: string, n = 1, timeoutMs = 15_000): Promise<Received[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await received(name);
    if (got.length >= n) return got;
    if (Date.now() > deadline) throw new Error(`receiver ${name}: ${got.length} of ${n} requests`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits long enough for a delivery that should not happen (the queue's batch timeout is 1 s). */
export const settle = (ms = 2500) => new Promise((r) => setTimeout(r, ms));

export interface DeliveryJson {
  id: string;
  rule: string | null;
  ruleName: string;
  issue: string | null;
  target: string;
  status: string;
  statusCode: number | null;
  attempts: number;
  error: string | null;
}

export async function deliveries(p: AlertProject, query = ""): Promise<DeliveryJson[]> {
  const base = `/api/0/projects/${p.t.orgSlug}/${p.t.projectSlug}/alert-deliveries/${query}`;
  const res = await call<DeliveryJson[]>(p.owner.token, "GET", base);
  expect(res.status).toBe(200);
  return res.body;
}

/** Waits until the delivery log has a row matching `test` (fails after `timeoutMs`). */
export async function waitForDelivery(
  p: AlertProject,
  test: (d: DeliveryJson) => boolean,
  timeoutMs = 30_000,
): Promise<DeliveryJson> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await deliveries(p)).find(test);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no such delivery: ${JSON.stringify(await deliveries(p))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function issueIdOf(t: Tenant, eventId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT issue_id FROM events WHERE project_id = ? AND event_id = ?")
    .bind(t.projectId, eventId)
    .first<{ issue_id: number }>();
  if (!row) throw new Error("event not stored");
  return row.issue_id;
}
