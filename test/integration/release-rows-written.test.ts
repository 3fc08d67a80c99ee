// What an error event, a transaction and a release cost the group commit, in D1 rows written (the ingest-stats endpoint: the project
// object's sums of D1 result metadata, the measure the ingest bench reports per event). An event of an
// issue already seen in its release pays one row more than one without a release: its release's
// release_event_stats row. first_release has its own statement, which touches no row once set.
// The local D1 counts changed table rows, not index entries, so what an index on a column of the
// counter update's SET list would cost is measured on D1 itself, not here.
import { describe, expect, it } from "vitest";
import {
  createTenant,
  envelope,
  newEventId,
  postEnvelope,
  type Tenant,
  transactionWithOneSpan,
} from "./helpers.ts";
import { call } from "./tenant-helpers.ts";

async function rowsWritten(t: Tenant): Promise<number> {
  const res = await call<{ d1RowsWritten: number }>(
    t.token,
    "GET",
    `/api/0/projects/${t.orgSlug}/${t.projectSlug}/ingest-stats/`,
  );
  expect(res.status).toBe(200);
  return res.body.d1RowsWritten;
}

function errorEnvelope(message: string, release?: string): Uint8Array {
  const id = newEventId();
  const event = { event_id: id, message, level: "error", platform: "rust", ...(release ? { release } : {}) };
  return envelope({ event_id: id }, [{ type: "event" }, JSON.stringify(event)]);
}

/** Rows written by one group commit of one more event of an issue the project already holds. */
async function rowsOfRepeat(t: Tenant, message: string, release?: string): Promise<number> {
  expect((await postEnvelope(t, errorEnvelope(message, release))).status).toBe(200);
  expect((await postEnvelope(t, errorEnvelope(message, release))).status).toBe(200);
  const before = await rowsWritten(t);
  expect((await postEnvelope(t, errorEnvelope(message, release))).status).toBe(200);
  return (await rowsWritten(t)) - before;
}

describe("rows written per event", () => {
  it("adds the release's stats row and nothing else to a repeat event's commit", async () => {
    const t = await createTenant();
    const plain = await rowsOfRepeat(t, "repeat without a release 0001");
    const released = await rowsOfRepeat(t, "repeat with a release 000001", "app@1.0.0");
    expect(plain).toBeGreaterThan(0);
    expect(released - plain).toBe(1);
  });

  it("writes an error event's row and two index entries, none by project and time", async () => {
    // Of the 8 rows a repeat event's commit writes, the event writes 3: its row (keyed by project and
    // id) and the entries of events_issue_timestamp and events_project_trace. A project's error events
    // by time are read through their issues (migration 0042), so there is no fourth entry; the other 5
    // are the commit's own, which the events of a larger commit share (the counters among them).
    const t = await createTenant();
    expect(await rowsOfRepeat(t, "repeat without a release 0002")).toBe(8);
  });

  it("writes a transaction's row without an entry in the issue index", async () => {
    // A transaction has no issue: its row's entries are its key, events_unissued_project_timestamp and
    // events_project_trace. Before migration 0043 it also wrote events_issue_timestamp under a NULL
    // issue, which no read asks for: the same commit wrote 12 rows, now 11 (its span and the commit's
    // own rows are the rest).
    const t = await createTenant();
    const now = Date.now() / 1000;
    const send = async () =>
      expect((await postEnvelope(t, transactionWithOneSpan(newEventId(), newEventId(), now))).status).toBe(
        200,
      );
    await send();
    await send();
    const before = await rowsWritten(t);
    await send();
    expect((await rowsWritten(t)) - before).toBe(11);
  });
});
