import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  parseSpanItem,
  parseTransactionSpans,
  SPAN_V2_CONTENT_TYPE,
  spansFromTransaction,
} from "../../src/protocol/items/index.ts";
import type { JsonObject, NormalizedEvent } from "../../src/protocol/types.ts";

const ctx = { receivedAt: 1772359300 };
const TRACE = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const bytes = (value: unknown) =>
  new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
const v2Headers = (count: unknown): JsonObject => ({
  type: "span",
  content_type: SPAN_V2_CONTENT_TYPE,
  ...(count === undefined ? {} : { item_count: count as number }),
});

function v2Span(overrides: JsonObject = {}): JsonObject {
  return {
    trace_id: TRACE,
    span_id: "aaaaaaaaaaaaaaaa",
    parent_span_id: "bbbbbbbbbbbbbbbb",
    name: "SELECT 1",
    status: "ok",
    is_segment: false,
    start_timestamp: 1772359200,
    end_timestamp: 1772359200.25,
    attributes: { "sentry.op": { type: "string", value: "db" } },
    ...overrides,
  };
}

function parseV2(spans: JsonObject[], count: number = spans.length) {
  return parseSpanItem(v2Headers(count), bytes({ version: 2, items: spans }), ctx);
}

describe("span v2 container: framing", () => {
  it("rejects the whole container when item_count does not match", () => {
    expect(parseV2([v2Span(), v2Span({ span_id: "cccccccccccccccc" })], 3)).toEqual({
      records: [],
      invalid: [{ reason: "item_count_mismatch", quantity: 3 }],
    });
  });

  it("rejects a container without item_count", () => {
    const result = parseSpanItem(v2Headers(undefined), bytes({ version: 2, items: [v2Span()] }), ctx);
    expect(result).toEqual({ records: [], invalid: [{ reason: "item_count_mismatch", quantity: 1 }] });
  });

  it.each([
    ["invalid JSON", '{"items":[', "invalid_json"],
    ["not UTF-8", new Uint8Array([0x7b, 0xff, 0x7d]), "invalid_json"],
    ["no items array", '{"version":2}', "invalid_container"],
    ["items not an array", '{"items":{}}', "invalid_container"],
  ])("counts a container with %s as invalid", (_case, payload, reason) => {
    const body = typeof payload === "string" ? bytes(payload) : payload;
    expect(parseSpanItem(v2Headers(2), body, ctx)).toEqual({
      records: [],
      invalid: [{ reason, quantity: 2 }],
    });
  });

  it("keeps the first 1000 entries and counts the rest", () => {
    const spans = Array.from({ length: 1001 }, (_, i) =>
      v2Span({ span_id: i.toString(16).padStart(16, "0") }),
    );
    const result = parseV2(spans);
    expect(result.records).toHaveLength(1000);
    expect(result.invalid).toEqual([{ reason: "too_many_items", quantity: 1 }]);
  });

  it("recognises a container by its shape when the SDK sends no content type", () => {
    const result = parseSpanItem({ type: "span", item_count: 1 }, bytes({ items: [v2Span()] }), ctx);
    expect(result.records.map((s) => s.spanId)).toEqual(["aaaaaaaaaaaaaaaa"]);
  });

  it("ignores the per-entry __header of Relay's container format", () => {
    const result = parseV2([{ ...v2Span(), __header: { byte_size: 12 } }]);
    expect(result.records[0]?.attributes).not.toHaveProperty("sentry.__header");
  });
});

describe("span v2 entries", () => {
  it.each([
    ["bad trace id", { trace_id: "xyz" }, "invalid_trace_id"],
    ["short trace id", { trace_id: "0a1b2c3d" }, "invalid_trace_id"],
    ["missing trace id", { trace_id: null }, "invalid_trace_id"],
    ["bad span id", { span_id: "0a1b2c3d4e5f60718293" }, "invalid_span_id"],
    ["bad parent span id", { parent_span_id: "zzzzzzzzzzzzzzzz" }, "invalid_parent_span_id"],
    ["missing start", { start_timestamp: null }, "invalid_timestamp"],
    ["string garbage end", { end_timestamp: "yesterday" }, "invalid_timestamp"],
    ["end before start", { end_timestamp: 1772359199 }, "end_before_start"],
    ["no name and no op", { name: "", attributes: {} }, "missing_name"],
  ])("drops a span with %s and keeps the others", (_case, overrides, reason) => {
    const result = parseV2([v2Span({ span_id: "cccccccccccccccc" }), v2Span(overrides as JsonObject)]);
    expect(result.records.map((s) => s.spanId)).toEqual(["cccccccccccccccc"]);
    expect(result.invalid).toEqual([{ reason, quantity: 1 }]);
  });

  it("merges repeated reasons into one count", () => {
    const result = parseV2([
      v2Span({ trace_id: "x" }),
      v2Span({ trace_id: "y" }),
      42 as unknown as JsonObject,
    ]);
    expect(result.invalid).toEqual([
      { reason: "invalid_trace_id", quantity: 2 },
      { reason: "invalid_span", quantity: 1 },
    ]);
  });

  it("lowercases ids and accepts a hyphenated trace id", () => {
    const span = parseV2([
      v2Span({ trace_id: "0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9", span_id: "AAAAAAAAAAAAAAAA" }),
    ]).records[0];
    expect(span).toMatchObject({ traceId: TRACE, spanId: "aaaaaaaaaaaaaaaa" });
  });

  it("falls back to the op for the name and infers is_segment from a missing parent", () => {
    const span = parseV2([v2Span({ name: null, is_segment: null, parent_span_id: null })]).records[0];
    expect(span).toMatchObject({ name: "db", op: "db", isSegment: true, segmentId: "aaaaaaaaaaaaaaaa" });
  });

  it("keeps unknown top-level fields and an error status", () => {
    const links = [{ trace_id: TRACE, span_id: "dddddddddddddddd", sampled: true }];
    const span = parseV2([v2Span({ status: "error", kind: "server", links })]).records[0];
    expect(span?.status).toBe("error");
    expect(span?.attributes["sentry.kind"]).toBe("server");
    expect(span?.attributes["sentry.links"]).toEqual(links);
    expect(span?.typedAttributes["sentry.links"]).toEqual({ type: "array", value: links });
  });

  it("drops attributes that are not {type, value} objects", () => {
    const attributes = {
      good: { type: "string", value: "x" },
      bare: "x",
      nothing: { type: "string", value: null },
    };
    const span = parseV2([v2Span({ attributes })]).records[0];
    expect(span?.attributes).toEqual({ good: "x" });
  });
});

describe("hostile attribute keys", () => {
  it("never lets __proto__ change a map, and treats inherited names as ordinary keys", () => {
    const payload = `{"items":[{"trace_id":"${TRACE}","span_id":"aaaaaaaaaaaaaaaa","name":"n","start_timestamp":1,"end_timestamp":2,"attributes":{"__proto__":{"type":"string","value":"x"},"toString":{"type":"string","value":"y"}}}]}`;
    const span = parseSpanItem({ type: "span", item_count: 1 }, bytes(payload), ctx).records[0];
    expect(Object.getPrototypeOf(span?.attributes)).toBe(Object.prototype);
    expect(span?.attributes).toEqual({ toString: "y" });

    const legacy = `{"trace_id":"${TRACE}","span_id":"aaaaaaaaaaaaaaaa","start_timestamp":1,"timestamp":2,"tags":{"constructor":"c","__proto__":"p"}}`;
    const v1 = parseSpanItem({ type: "span" }, bytes(legacy), ctx).records[0];
    expect(v1?.attributes.constructor).toBe("c");
    expect(Object.getPrototypeOf(v1?.typedAttributes)).toBe(Object.prototype);
  });
});

describe("legacy single span item", () => {
  const legacy = {
    trace_id: TRACE,
    span_id: "eeeeeeeeeeeeeeee",
    op: "ui.webvital.cls",
    description: "body > div",
    start_timestamp: "2026-03-01T10:00:00Z",
    timestamp: "2026-03-01T10:00:00.500Z",
    is_segment: true,
    segment_id: "eeeeeeeeeeeeeeee",
    data: { "sentry.origin": "auto.http.browser.cls" },
    measurements: { cls: { value: 0.12 } },
    exclusive_time: 500,
  };

  it("reads a v1 span with RFC 3339 times", () => {
    const result = parseSpanItem({ type: "span" }, bytes(legacy), ctx);
    expect(result.invalid).toEqual([]);
    expect(result.records[0]).toMatchObject({
      traceId: TRACE,
      spanId: "eeeeeeeeeeeeeeee",
      name: "body > div",
      op: "ui.webvital.cls",
      isSegment: true,
      segmentId: "eeeeeeeeeeeeeeee",
      startTimestamp: 1772359200,
      endTimestamp: 1772359200.5,
      durationMs: 500,
      origin: "auto.http.browser.cls",
    });
    expect(result.records[0]?.attributes).toMatchObject({ cls: 0.12, "sentry.exclusive_time": 500 });
  });

  it.each([
    ["invalid JSON", bytes("{"), "invalid_json"],
    ["no span id", bytes({ ...legacy, span_id: undefined }), "invalid_span_id"],
    ["no end timestamp", bytes({ ...legacy, timestamp: undefined }), "invalid_timestamp"],
    ["no trace id", bytes({ ...legacy, trace_id: undefined }), "invalid_trace_id"],
    ["an array", bytes([legacy]), "invalid_span"],
  ])("counts a legacy span with %s as invalid", (_case, payload, reason) => {
    expect(parseSpanItem({ type: "span" }, payload, ctx)).toEqual({
      records: [],
      invalid: [{ reason, quantity: 1 }],
    });
  });
});

describe("spans of a transaction", () => {
  const tx = JSON.parse(
    readFileSync(new URL("../fixtures/items/transaction.json", import.meta.url), "utf8"),
  ) as NormalizedEvent;
  const result = parseTransactionSpans(tx);
  const [root, db, cache] = result.records;

  it("builds the root span from contexts.trace", () => {
    expect(root).toMatchObject({
      traceId: TRACE,
      spanId: "1111111111111111",
      parentSpanId: "9999999999999999",
      segmentId: "1111111111111111",
      isSegment: true,
      name: "GET /orders/:id",
      op: "http.server",
      status: "internal_error",
      origin: "auto.tracing",
      startTimestamp: 1772359200,
      endTimestamp: 1772359201.5,
      durationMs: 1500,
      transaction: "GET /orders/:id",
      release: "api@1.4.0",
      environment: "production",
      eventId: "3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c",
    });
    expect(root?.attributes).toEqual({
      "http.route": "/orders/:id",
      region: "eu",
      "http.method": "GET",
      ttfb: 12.5,
      "sentry.segment.name.source": "route",
    });
  });

  it("links every child to the root segment and the event", () => {
    expect(db).toMatchObject({
      traceId: TRACE,
      spanId: "2222222222222222",
      parentSpanId: "1111111111111111",
      segmentId: "1111111111111111",
      isSegment: false,
      name: "SELECT * FROM orders WHERE id = $1",
      op: "db.query",
      status: "ok",
      endTimestamp: 1772359200.6,
      eventId: tx.event_id,
      transaction: "GET /orders/:id",
      release: "api@1.4.0",
    });
    expect(db?.durationMs).toBeCloseTo(500, 6);
    // `data` wins over tags of the same name; other top-level fields are kept.
    expect(db?.attributes).toMatchObject({
      "db.system": "sqlite",
      "code.line.number": 40,
      "sentry.same_process_as_parent": true,
      "sentry.exclusive_time": 500,
    });
    expect(cache).toMatchObject({ traceId: TRACE, parentSpanId: "2222222222222222", name: "cache.get" });
  });

  it("counts the spans it could not read", () => {
    expect(result.records).toHaveLength(3);
    expect(result.invalid).toEqual([
      { reason: "invalid_span_id", quantity: 1 },
      { reason: "end_before_start", quantity: 1 },
    ]);
    expect(spansFromTransaction(tx)).toEqual(result.records);
  });

  it("yields nothing without a valid trace context", () => {
    const broken = {
      ...tx,
      contexts: { trace: { trace_id: "nope", span_id: "1111111111111111" } },
    } as NormalizedEvent;
    expect(spansFromTransaction(broken)).toEqual([]);
    expect(parseTransactionSpans(broken).invalid).toEqual([{ reason: "invalid_trace_id", quantity: 5 }]);
  });

  it("names an unnamed transaction and survives a missing spans list", () => {
    const { transaction: _name, spans: _spans, ...bare } = tx;
    const records = spansFromTransaction(bare as NormalizedEvent);
    expect(records).toHaveLength(1);
    expect(records[0]?.name).toBe("<unlabeled transaction>");
  });
});
