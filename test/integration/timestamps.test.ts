// Out-of-range timestamps never break a page: hostile values are dropped at normalization (noted in the
// event's errors), and whatever a row holds, the issue page and `events/latest/` still render.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTenant, envelope, newEventId, postEnvelope, type Tenant } from "./helpers.ts";
import { call, createUser } from "./tenant-helpers.ts";
import { addUser, get, signIn } from "./ui-helpers.ts";

const HOSTILE = [1e13, -1e20, "garbage", "NaN", "Infinity", "-Infinity", "99999-01-01T00:00:00Z", 1e308];

async function ingest(t: Tenant, event: Record<string, unknown>): Promise<number> {
  const eventId = newEventId();
  const res = await postEnvelope(
    t,
    envelope({ event_id: eventId }, [{ type: "event" }, JSON.stringify({ event_id: eventId, ...event })]),
  );
  expect(res.status).toBe(200);
  for (let i = 0; i < 200; i++) {
    const row = await env.DB.prepare("SELECT issue_id FROM events WHERE project_id = ? AND event_id = ?")
      .bind(t.projectId, eventId)
      .first<{ issue_id: number | null }>();
    if (row?.issue_id) return row.issue_id;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("the event was not stored");
}

async function expectPagesRender(t: Tenant, issueId: number) {
  const owner = await createUser(t.orgId, "owner");
  const latest = await call<{ entries: unknown[]; dateCreated: string }>(
    owner.token,
    "GET",
    `/api/0/issues/${issueId}/events/latest/`,
  );
  expect(latest.status).toBe(200);
  const issue = await call(owner.token, "GET", `/api/0/issues/${issueId}/`);
  expect(issue.status).toBe(200);
  const browser = await signIn(await addUser(t, "owner"));
  const page = await get(browser, `/organizations/${t.orgSlug}/issues/${issueId}/`);
  expect(page.status).toBe(200);
  const stream = await get(browser, `/organizations/${t.orgSlug}/issues/`);
  expect(stream.status).toBe(200);
  return latest.body;
}

describe("hostile timestamps", () => {
  it("drops breadcrumb and event timestamps out of range, notes them, and the pages render", async () => {
    const t = await createTenant();
    const issueId = await ingest(t, {
      message: "hostile breadcrumbs",
      level: "error",
      timestamp: 1e13,
      start_timestamp: "garbage",
      breadcrumbs: {
        values: HOSTILE.map((timestamp, i) => ({ timestamp, message: `crumb ${i}`, category: "test" })),
      },
    });
    const body = (await expectPagesRender(t, issueId)) as {
      dateCreated: string;
      errors: { type: string; data: { name?: string } }[];
      entries: { type: string; data: { values: { timestamp: string | null }[] } }[];
    };
    expect(Math.abs(Date.parse(body.dateCreated) - Date.now())).toBeLessThan(600_000);
    const crumbs = body.entries.find((e) => e.type === "breadcrumbs")?.data.values ?? [];
    expect(crumbs).toHaveLength(HOSTILE.length);
    for (const c of crumbs) expect(Number.isNaN(Date.parse(c.timestamp ?? ""))).toBe(false);
    const noted = body.errors.map((e) => e.data.name);
    expect(noted).toContain("breadcrumbs.values.0.timestamp");
    expect(noted).toContain("timestamp");
  });

  it("renders a stored row whose timestamps are absurd", async () => {
    const t = await createTenant();
    const issueId = await ingest(t, { message: "stored absurd", level: "error" });
    await env.DB.prepare("UPDATE events SET timestamp = ?, received = ? WHERE issue_id = ?")
      .bind(1e13, -1e20, issueId)
      .run();
    await env.DB.prepare("UPDATE issues SET first_seen = ?, last_seen = ? WHERE id = ?")
      .bind(-1e20, 1e13, issueId)
      .run();
    await expectPagesRender(t, issueId);
  });
});
