// An event's trace id is stored as the 16 bytes its 32 hex digits spell (the row and its entry in
// events_project_trace hold 16 bytes, not 32 characters), and every read of it answers as before: the
// trace view and its counts, trace search's error counts, discover's `trace` column and `trace:` filter,
// the event list, event detail and the trace page. Rows written before hold the id as text and answer
// the same; an id that is not lowercase hex stays text and reads back as it came.
import { describe, expect, it } from "vitest";
import { apiGet } from "./api-reads.ts";
import {
  createTenant,
  drainSpool,
  envelope,
  newEventId,
  postEnvelope,
  projectDb,
  type Tenant,
  transactionWithOneSpan,
} from "./helpers.ts";
import { addUser, get as getPage, signIn } from "./ui-helpers.ts";

const TRACE = "c3".repeat(16);

async function sendError(t: Tenant, traceId: string, spanId: string): Promise<string> {
  const id = newEventId();
  const body = {
    event_id: id,
    level: "error",
    platform: "native",
    timestamp: Date.now() / 1000,
    contexts: { trace: { trace_id: traceId, span_id: spanId } },
    exception: { values: [{ type: "panic", value: `order ${id.slice(0, 6)} missing` }] },
  };
  const res = await postEnvelope(t, envelope({ event_id: id }, [{ type: "event" }, JSON.stringify(body)]));
  expect(res.status).toBe(200);
  return id;
}

/** Everything the API and the trace page answer about the trace's events. */
async function reads(t: Tenant, traceId: string, errorId: string, page: () => Promise<string>) {
  const org = `organizations/${t.orgSlug}`;
  const discover = (query: string, dataset = "errors") =>
    apiGet(t, `${org}/events/`, [
      ["field", "id"],
      ["field", "trace"],
      ["field", "count_unique(trace)"],
      ["sort", "id"],
      ["dataset", dataset],
      ["query", query],
      ["statsPeriod", "24h"],
    ]);
  const traces = (await apiGet(t, `${org}/traces/`, [
    ["project", String(t.projectId)],
    ["statsPeriod", "24h"],
  ])) as { data: { trace: string; numErrors: number }[] };
  return {
    tree: await apiGet(t, `${org}/trace/${traceId}/`),
    meta: await apiGet(t, `${org}/trace-meta/${traceId}/`),
    traces: traces.data.map((r) => [r.trace, r.numErrors]),
    discover: await discover(`trace:${traceId}`),
    discoverAll: await discover(""),
    transactions: await discover(`trace:${traceId}`, "transactions"),
    list: await apiGet(t, `projects/${t.orgSlug}/${t.projectSlug}/events/`),
    detail: await apiGet(t, `projects/${t.orgSlug}/${t.projectSlug}/events/${errorId}/`),
    page: await page(),
  };
}

async function traceIdForms(t: Tenant) {
  return (
    await (
      await projectDb(t.projectId)
    )
      .prepare(
        "SELECT type, typeof(trace_id) AS kind, length(trace_id) AS bytes FROM events WHERE project_id = ? ORDER BY type",
      )
      .bind(t.projectId)
      .all<{ type: string; kind: string; bytes: number }>()
  ).results;
}

describe("an event's trace id", () => {
  it("is stored as 16 bytes and every read answers as from a row holding it as text", async () => {
    const t = await createTenant();
    const browser = await signIn(await addUser(t, "owner"));
    const errorId = await sendError(t, TRACE, "b".repeat(16));
    const now = Date.now() / 1000;
    expect((await postEnvelope(t, transactionWithOneSpan(newEventId(), TRACE, now))).status).toBe(200);
    await drainSpool(t.projectId);

    expect(await traceIdForms(t)).toEqual([
      { type: "error", kind: "blob", bytes: 16 },
      { type: "transaction", kind: "blob", bytes: 16 },
    ]);

    const page = async () => {
      const res = await getPage(browser, `/organizations/${t.orgSlug}/performance/trace/${TRACE}/`);
      expect(res.status).toBe(200);
      const html = await res.text();
      // The page's error list: its title and link, not the rest of the page (which names the time).
      return html.slice(html.indexOf(errorId.slice(0, 8)) - 200, html.indexOf(errorId.slice(0, 8)) + 200);
    };
    const before = await reads(t, TRACE, errorId, page);
    // The reads found the trace's events by the id as SDKs spell it.
    expect(before.meta).toMatchObject({ errors: 1, transactions: 1 });
    expect(JSON.stringify(before.tree)).toContain(errorId);
    expect(before.traces).toEqual([[TRACE, 1]]);
    expect((before.discover as { data: { id: string; trace: string }[] }).data).toEqual([
      expect.objectContaining({ id: errorId, trace: TRACE, "count_unique(trace)": 1 }),
    ]);
    expect((before.transactions as { data: { trace: string }[] }).data).toEqual([
      expect.objectContaining({ trace: TRACE }),
    ]);
    expect(before.page).toContain(errorId.slice(0, 8));

    // Rows written before hold the trace id as its hex text: every read answers the same.
    await (await projectDb(t.projectId))
      .prepare("UPDATE events SET trace_id = lower(hex(trace_id)) WHERE project_id = ?")
      .bind(t.projectId)
      .run();
    expect((await traceIdForms(t)).map((r) => r.kind)).toEqual(["text", "text"]);
    expect(await reads(t, TRACE, errorId, page)).toEqual(before);
  });

  it("that is not lowercase hex stays text, reads back as sent and is not matched by its lowercase form", async () => {
    const t = await createTenant();
    const upper = "D4".repeat(16);
    const id = await sendError(t, upper, "e".repeat(16));
    await drainSpool(t.projectId);
    const row = await (await projectDb(t.projectId))
      .prepare("SELECT typeof(trace_id) AS kind, trace_id FROM events WHERE project_id = ? AND event_id = ?")
      .bind(t.projectId, id)
      .first<{ kind: string; trace_id: string }>();
    // Not 32 lowercase hex digits: kept as the text that came.
    expect(row).toEqual({ kind: "text", trace_id: upper });
    const discover = async (trace: string) =>
      (
        (await apiGet(t, `organizations/${t.orgSlug}/events/`, [
          ["field", "id"],
          ["field", "trace"],
          ["dataset", "errors"],
          ["query", `trace:${trace}`],
          ["statsPeriod", "24h"],
        ])) as { data: { id: string; trace: string }[] }
      ).data;
    expect(await discover(upper)).toEqual([expect.objectContaining({ id, trace: upper })]);
    expect(await discover(upper.toLowerCase())).toEqual([]);
  });
});
