// The cost meter end to end inside workerd: envelopes through the real ingest path (the Worker's fetch
// handler and the project's Durable Object), the meter read back through the usage API in platform
// units and dollars, and checked against the D1 result metadata the benchmark reads (the ingest-stats
// endpoint: the project object's group-commit counters). Budgets through the API shed ingest with a
// 429 every SDK parses, an outcome the receipt explains, and an alert through the rules.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { IDLE_USAGE_WRITE_AFTER_MS } from "../../src/limits.ts";
import { alertProject, createRule, received, sendError, settle, waitForReceived } from "./alert-helpers.ts";
import {
  createTenant,
  drainSpool,
  envelope,
  newEventId,
  postEnvelope,
  type Tenant,
  transactionWithOneSpan,
} from "./helpers.ts";
import { call, createUser, orgToken } from "./tenant-helpers.ts";

const BUDGET = "faultline.rules.conditions.budget.BudgetExceededCondition";

interface Usage {
  d1RowsRead: number;
  d1RowsWritten: number;
  r2ClassA: number;
  r2ClassB: number;
  r2BytesPut: number;
  doRequests: number;
  doActiveMs: number;
  queueMessages: number;
  workerRequests: number;
}
interface Priced {
  usage: Usage;
  cost: { totalUsd: number; d1Usd: number; r2Usd: number; durableObjectsUsd: number };
}
interface UsageJson {
  monthToDate: Priced & { bySource: { project_object: Priced; worker: Priced } };
  budget: { monthlyBudgetUsd: number | null; state: string; shedAtUsd: number | null };
  hours: (Priced & { hour: string })[];
  pricesTaken: string;
}
interface IngestStats {
  d1RowsWritten: number;
  d1RowsRead: number;
  eventsStored: number;
}

const usagePath = (t: Tenant) => `/api/0/projects/${t.orgSlug}/${t.projectSlug}/usage/`;

async function usage(t: Tenant, token = t.token): Promise<UsageJson> {
  const res = await call<UsageJson>(token, "GET", usagePath(t));
  expect(res.status, res.text).toBe(200);
  return res.body;
}

async function ingestStats(t: Tenant): Promise<IngestStats> {
  const res = await call<IngestStats>(
    t.token,
    "GET",
    `/api/0/projects/${t.orgSlug}/${t.projectSlug}/ingest-stats/`,
  );
  expect(res.status).toBe(200);
  return res.body;
}

function errorEnvelope(message: string, attachment?: string): Uint8Array {
  const id = newEventId();
  const items: [object, string][] = [
    [{ type: "event" }, JSON.stringify({ event_id: id, message, level: "error", platform: "rust" })],
  ];
  if (attachment) items.push([{ type: "attachment", filename: "log.txt" }, attachment]);
  return envelope({ event_id: id }, ...items);
}

describe("cost meter", () => {
  it("counts exactly the D1 rows the bench measures from D1 result metadata for the same load", async () => {
    const t = await createTenant();
    // Warm the project's object: its first flush reads the spool mark, its first commit the alert rules,
    // its first envelope the month's spend; none of these is per load.
    expect((await postEnvelope(t, errorEnvelope("warm-up"))).status).toBe(200);
    const before = await ingestStats(t);
    const meterBefore = (await usage(t)).monthToDate.bySource.project_object.usage;

    // The load: 40 error events over 8 issues, sent concurrently (several per group commit), then drained.
    const sent = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        postEnvelope(t, errorEnvelope(`load issue ${i % 8}`), {}, { drain: false }),
      ),
    );
    expect(sent.every((r) => r.status === 200)).toBe(true);
    await drainSpool(t.projectId);
    const after = await ingestStats(t);
    const meterAfter = (await usage(t)).monthToDate.bySource.project_object.usage;

    expect(after.eventsStored - before.eventsStored).toBe(40);
    const benchWritten = after.d1RowsWritten - before.d1RowsWritten;
    const benchRead = after.d1RowsRead - before.d1RowsRead;
    expect(benchWritten).toBeGreaterThan(40);
    expect(meterAfter.d1RowsWritten - meterBefore.d1RowsWritten).toBe(benchWritten);
    expect(meterAfter.d1RowsRead - meterBefore.d1RowsRead).toBe(benchRead);
    // Each envelope is one request to the project's object.
    expect(meterAfter.doRequests - meterBefore.doRequests).toBeGreaterThanOrEqual(40);
  });

  it("writes what the project object metered when no group commit comes to carry it", async () => {
    const t = await createTenant();
    expect((await postEnvelope(t, errorEnvelope("then idle"))).status).toBe(200);
    const stored = async () =>
      (
        await env.DB.prepare(
          "SELECT COALESCE(SUM(do_requests), 0) AS n FROM usage_hourly WHERE project_id = ? AND source = 'project_object'",
        )
          .bind(t.projectId)
          .first<{ n: number }>()
      )?.n ?? 0;
    const before = await stored();
    await ingestStats(t); // a request to the object, and no envelope after it
    await new Promise((r) => setTimeout(r, IDLE_USAGE_WRITE_AFTER_MS + 500));
    // The spool's backstop alarm (armed by the envelope) runs; workerd may run it late, the test runs it now.
    const stub = env.PROJECTS.get(env.PROJECTS.idFromName(String(t.projectId)));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stored()).toBeGreaterThan(before);
  });

  it("shows usage of real envelopes per hour, in platform units and dollars, by source", async () => {
    const t = await createTenant();
    expect((await postEnvelope(t, errorEnvelope("with a log", "x".repeat(4000)))).status).toBe(200);
    const body = await usage(t);
    expect(body.pricesTaken).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const mtd = body.monthToDate;
    expect(mtd.bySource.project_object.usage.d1RowsWritten).toBeGreaterThan(0);
    expect(mtd.bySource.project_object.usage.doRequests).toBeGreaterThan(0);
    expect(mtd.bySource.project_object.usage.doActiveMs).toBeGreaterThan(0);
    // The attachment's bytes went to R2 from the ingest Worker, for this project.
    expect(mtd.bySource.worker.usage.r2ClassA).toBeGreaterThanOrEqual(1);
    expect(mtd.bySource.worker.usage.r2BytesPut).toBeGreaterThanOrEqual(4000);
    expect(mtd.bySource.worker.usage.workerRequests).toBeGreaterThanOrEqual(1);
    expect(mtd.cost.totalUsd).toBeGreaterThan(0);
    expect(mtd.usage.d1RowsWritten).toBe(
      mtd.bySource.project_object.usage.d1RowsWritten + mtd.bySource.worker.usage.d1RowsWritten,
    );
    expect(body.hours).toHaveLength(24);
    const last = body.hours[body.hours.length - 1]!;
    expect(Date.parse(last.hour)).toBeLessThanOrEqual(Date.now());
    expect(last.usage.d1RowsWritten).toBeGreaterThan(0);
    expect(body.budget).toMatchObject({ monthlyBudgetUsd: null, state: "ok" });
  });

  it("sheds ingest with 429 and a quota header once the budget is reached, explains it, alerts", async () => {
    const p = await alertProject();
    await createRule(p, { name: "Budget", conditions: [{ id: BUDGET }] });
    await sendError(p.t, { message: "paid for" });
    const base = `/api/0/projects/${p.t.orgSlug}/${p.t.projectSlug}/`;
    // A budget the month's spend is already past: shedding starts with the next envelope.
    const put = await call<{ options: Record<string, string> }>(p.owner.token, "PUT", base, {
      options: { "faultline:monthlyBudgetUsd": "0.0000001" },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body.options["faultline:monthlyBudgetUsd"]).toBe("1e-7");

    const id = newEventId();
    const refused = await postEnvelope(
      p.t,
      envelope({ event_id: id }, [
        { type: "event" },
        JSON.stringify({ event_id: id, message: "over budget" }),
      ]),
    );
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("300");
    expect(refused.headers.get("x-sentry-rate-limits")).toBe("300::project:cost_budget");

    const receipt = await call<{ status: string; outcome: string; reason: string; explanation: string }>(
      p.owner.token,
      "GET",
      `${base}events/${id}/receipt/`,
    );
    expect(receipt.body).toMatchObject({ status: "dropped", outcome: "rate_limited", reason: "cost_budget" });
    expect(receipt.body.explanation).toMatch(/monthly budget/);

    // Everything the project receives is refused, not only errors: a transaction too.
    const tx = await postEnvelope(p.t, transactionWithOneSpan(newEventId(), newEventId(), Date.now() / 1000));
    expect(tx.status).toBe(429);

    const [hit] = await waitForReceived(p.name);
    const alert = JSON.parse(hit!.body) as { message: string; triggering_rules: string[] };
    expect(alert.triggering_rules).toEqual(["Budget"]);
    expect(alert.message).toMatch(/^Monthly cost budget reached: \$\d/);
    const after = await usage(p.t, p.owner.token);
    expect(after.budget.state).toBe("shedding");
    // The alert went through the project object's queue producer: metered as a queue message.
    expect(after.monthToDate.bySource.project_object.usage.queueMessages).toBeGreaterThanOrEqual(1);

    // Removing the budget lets events in again; the alert was sent once.
    const removed = await call<{ options: Record<string, string> }>(p.owner.token, "PUT", base, {
      options: { "faultline:monthlyBudgetUsd": "" },
    });
    expect(removed.status).toBe(200);
    expect(removed.body.options).not.toHaveProperty("faultline:monthlyBudgetUsd");
    expect((await postEnvelope(p.t, errorEnvelope("back in"))).status).toBe(200);
    expect(await received(p.name)).toHaveLength(1);
  });

  it("a budget rule never fires for an event, whatever its actionMatch", async () => {
    const p = await alertProject();
    await createRule(p, { name: "Budget (none)", actionMatch: "none", conditions: [{ id: BUDGET }] });
    await sendError(p.t, { message: "under budget" });
    await settle();
    expect(await received(p.name)).toHaveLength(0);
  });

  it("an organization budget sheds every project of the organization; the org usage lists them", async () => {
    const t = await createTenant();
    const owner = await createUser(t.orgId, "owner");
    expect((await postEnvelope(t, errorEnvelope("org spend"))).status).toBe(200);
    const orgPath = `/api/0/organizations/${t.orgSlug}/usage/`;
    const put = await call<UsageJson>(owner.token, "PUT", orgPath, { monthlyBudgetUsd: 0.0000001 });
    expect(put.status, put.text).toBe(200);
    expect(put.body.budget).toMatchObject({ monthlyBudgetUsd: 0.0000001, state: "shedding" });
    const refused = await postEnvelope(t, errorEnvelope("org over budget"));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("x-sentry-rate-limits")).toBe("300::organization:cost_budget");
    const org = await call<UsageJson & { projects: { id: string | null; cost: { totalUsd: number } }[] }>(
      owner.token,
      "GET",
      orgPath,
    );
    expect(org.body.projects.find((p) => p.id === String(t.projectId))?.cost.totalUsd).toBeGreaterThan(0);
    expect((await call(owner.token, "PUT", orgPath, { monthlyBudgetUsd: null })).status).toBe(200);
    expect((await postEnvelope(t, errorEnvelope("org back in"))).status).toBe(200);
  });

  it("is tenant-isolated, and only owners and admins set budgets", async () => {
    const t = await createTenant();
    const other = await createTenant();
    expect((await call(other.token, "GET", usagePath(t))).status).toBe(404);
    expect((await call(other.token, "GET", `/api/0/organizations/${t.orgSlug}/usage/`)).status).toBe(404);
    const foreignOrg = await orgToken(
      other.orgId,
      "org:read org:write project:read project:write project:admin",
    );
    expect((await call(foreignOrg, "PUT", usagePath(t), { monthlyBudgetUsd: 1 })).status).toBe(404);
    const member = await createUser(t.orgId, "member");
    expect((await call(member.token, "GET", usagePath(t))).status).toBe(200);
    expect((await call(member.token, "PUT", usagePath(t), { monthlyBudgetUsd: 1 })).status).toBe(403);
    expect(
      (await call(member.token, "PUT", `/api/0/organizations/${t.orgSlug}/usage/`, { monthlyBudgetUsd: 1 }))
        .status,
    ).toBe(403);
    // project:write without project:admin (the tenant's token) may not change the budget option either.
    const base = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/`;
    expect((await call(t.token, "PUT", base, { options: { "faultline:monthlyBudgetUsd": 5 } })).status).toBe(
      403,
    );
    const bad = await call<{ detail: string }>(t.token, "GET", `${usagePath(t)}?hours=0`);
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/^hours:/);
    const admin = await createUser(t.orgId, "admin");
    const badBudget = await call<{ detail: string }>(admin.token, "PUT", usagePath(t), {
      monthlyBudgetUsd: -1,
    });
    expect(badBudget.status).toBe(400);
    expect(badBudget.body.detail).toMatch(/^monthlyBudgetUsd:/);
    const ok = await call<UsageJson>(admin.token, "PUT", usagePath(t), { monthlyBudgetUsd: 12.5 });
    expect(ok.status).toBe(200);
    expect(ok.body.budget).toMatchObject({ monthlyBudgetUsd: 12.5, state: "ok" });
  });
});
