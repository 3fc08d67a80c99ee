// Per-item size limits below the envelope cap, through the envelope endpoint (ENV §Size Limits): a
// check-in over MAX_CHECK_IN_BYTES and a client report over MAX_CLIENT_REPORT_BYTES are dropped on
// their own, counted as too_large in stats_v2, while the event beside them is stored; an item just
// under its limit is taken.
import { describe, expect, it } from "vitest";
import { MAX_CHECK_IN_BYTES, MAX_CLIENT_REPORT_BYTES } from "../../src/limits.ts";
import { createTenant, drainSpool, envelope, newEventId, postEnvelope } from "./helpers.ts";
import { call, outcomeTotals } from "./tenant-helpers.ts";

/** A JSON object padded with an `extra` string to exactly `bytes` bytes. */
function padded(value: Record<string, unknown>, bytes: number): string {
  const base = JSON.stringify({ ...value, extra: "" });
  return JSON.stringify({ ...value, extra: "x".repeat(bytes - base.length) });
}

const checkIn = (slug: string, bytes: number) =>
  padded({ check_in_id: newEventId(), monitor_slug: slug, status: "ok" }, bytes);

describe("per-item size limits", () => {
  it("drops an oversized check-in and client report by themselves and keeps the event", async () => {
    const t = await createTenant();
    const id = newEventId();
    const report = padded(
      {
        timestamp: new Date().toISOString(),
        discarded_events: [{ reason: "queue_overflow", category: "error", quantity: 1 }],
      },
      MAX_CLIENT_REPORT_BYTES + 1,
    );
    const res = await postEnvelope(
      t,
      envelope(
        { event_id: id },
        [{ type: "event" }, JSON.stringify({ event_id: id, message: "beside big items" })],
        [{ type: "check_in" }, checkIn("too-big", MAX_CHECK_IN_BYTES + 1)],
        [{ type: "client_report" }, report],
      ),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id });
    await drainSpool(t.projectId);
    const event = await call(t.token, "GET", `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${id}/`);
    expect(event.status).toBe(200);
    const monitor = await call(t.token, "GET", `/api/0/organizations/${t.orgSlug}/monitors/too-big/`);
    expect(monitor.status).toBe(404);
    const counted = await outcomeTotals(t);
    expect(counted["monitor/too_large"]).toBe(1);
    // The client report's own discards are not counted: the report itself was dropped.
    expect(counted["error/client_discard"]).toBeUndefined();
  });

  it("takes a check-in just under its limit", async () => {
    const t = await createTenant();
    const config = { schedule: { type: "crontab", value: "0 * * * *" } };
    const body = padded(
      { check_in_id: newEventId(), monitor_slug: "just-fits", status: "ok", monitor_config: config },
      MAX_CHECK_IN_BYTES,
    );
    expect((await postEnvelope(t, envelope({}, [{ type: "check_in" }, body]))).status).toBe(200);
    await drainSpool(t.projectId);
    const monitor = await call(t.token, "GET", `/api/0/organizations/${t.orgSlug}/monitors/just-fits/`);
    expect(monitor.status, monitor.text).toBe(200);
  });
});
