// The item parsers against the real bytes @sentry/node 11.12 sent (one JSON line per HTTP request).
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  parseCheckIn,
  parseClientReport,
  parseLogItem,
  parseSessionItem,
  parseSpanItem,
  type SpanRecord,
} from "../../src/protocol/items/index.ts";
import type { JsonObject } from "../../src/protocol/types.ts";

interface CapturedItem {
  headers: JsonObject;
  payload: Uint8Array;
}

/** Minimal envelope splitter for the fixture (the real parser lives elsewhere): honours `length`. */
function splitEnvelope(body: Uint8Array): CapturedItem[] {
  const items: CapturedItem[] = [];
  const lineEnd = (from: number) => {
    const at = body.indexOf(0x0a, from);
    return at < 0 ? body.length : at;
  };
  let pos = lineEnd(0) + 1; // skip the envelope header
  const text = new TextDecoder();
  while (pos < body.length) {
    const headerEnd = lineEnd(pos);
    const headers = JSON.parse(text.decode(body.subarray(pos, headerEnd))) as JsonObject;
    const start = headerEnd + 1;
    const end = typeof headers.length === "number" ? start + headers.length : lineEnd(start);
    items.push({ headers, payload: body.subarray(start, end) });
    pos = end + 1;
  }
  return items;
}

function loadCapturedItems(): CapturedItem[] {
  const lines = readFileSync(
    new URL("../fixtures/captures/sentry-javascript-node-11.12.jsonl", import.meta.url),
    "utf8",
  )
    .split("\n")
    .filter((line) => line.trim() !== "");
  return lines.flatMap((line) => {
    const request = JSON.parse(line) as { body: string };
    let body: Uint8Array = Buffer.from(request.body, "base64");
    if (body[0] === 0x1f && body[1] === 0x8b) body = gunzipSync(body);
    return splitEnvelope(body);
  });
}

const items = loadCapturedItems();
const ofType = (type: string) => items.filter((item) => item.headers.type === type);
const only = (type: string): CapturedItem => {
  const found = ofType(type);
  expect(found).toHaveLength(1);
  return found[0] as CapturedItem;
};

// The capture was taken at 2026-11-24T06:50:53Z.
const ctx = { receivedAt: 1795503053.4, clientIp: "203.0.113.9" };
const TRACE = "64df6f4f00ea4dd3810c884729514de0";

describe("span v2 container from @sentry/node 11.12", () => {
  const item = only("span");
  const result = parseSpanItem(item.headers, item.payload, ctx);
  const byName = new Map(result.records.map((span) => [span.name, span]));
  const span = (name: string) => byName.get(name) as SpanRecord;

  it("reads every span of the container", () => {
    expect(item.headers.item_count).toBe(3);
    expect(result.invalid).toEqual([]);
    expect([...byName.keys()].sort()).toEqual(["GET /orders/:id", "SELECT orders", "charge"]);
  });

  it("keeps trace ids, parent links and the segment", () => {
    for (const s of result.records) expect(s.traceId).toBe(TRACE);
    const root = span("GET /orders/:id");
    expect(root).toMatchObject({
      spanId: "ae1f4defa87184db",
      isSegment: true,
      segmentId: "ae1f4defa87184db",
    });
    expect(root.parentSpanId).toBeUndefined();
    expect(span("SELECT orders")).toMatchObject({
      spanId: "b264ba6bf790d36c",
      parentSpanId: "ae1f4defa87184db",
      segmentId: "ae1f4defa87184db",
      isSegment: false,
    });
    expect(span("charge")).toMatchObject({ spanId: "99189f3a7dc24b2d", parentSpanId: "ae1f4defa87184db" });
  });

  it("derives op, status, transaction, release and environment from the attributes", () => {
    expect(span("SELECT orders")).toMatchObject({
      op: "db.query",
      status: "ok",
      origin: "manual",
      transaction: "GET /orders/:id",
      release: "holdout-node@1.2.3",
      environment: "staging",
    });
    expect(span("charge").op).toBe("http.client");
    expect(span("GET /orders/:id").op).toBe("http.server");
  });

  it("computes times and durations from the float timestamps", () => {
    const db = span("SELECT orders");
    expect(db.startTimestamp).toBe(1795503053.30946);
    expect(db.endTimestamp).toBe(1795503053.3294728);
    expect(db.durationMs).toBeCloseTo(20.0128, 3);
  });

  it("keeps the attributes both plain and typed", () => {
    const root = span("GET /orders/:id");
    expect(root.attributes["sentry.sample_rate"]).toBe(1);
    expect(root.attributes["user.email"]).toBe("ops@example.com");
    expect(root.typedAttributes["sentry.sample_rate"]).toEqual({ type: "integer", value: 1 });
    expect(root.typedAttributes["device.archs"]).toEqual({ type: "array", value: ["x64"] });
    expect(root.attributes["sentry.is_localhost"]).toBe(false);
  });
});

describe("log container from @sentry/node 11.12", () => {
  const item = only("log");
  const result = parseLogItem(item.headers, item.payload, ctx);

  it("reads both logs with level, severity, body and trace", () => {
    expect(result.invalid).toEqual([]);
    expect(result.records.map((log) => [log.level, log.severityNumber, log.body])).toEqual([
      ["info", 9, "order processed"],
      ["error", 17, "payment failed"],
    ]);
    for (const log of result.records) {
      expect(log.traceId).toBe(TRACE);
      expect(log.release).toBe("holdout-node@1.2.3");
      expect(log.environment).toBe("staging");
      expect(log.sdkName).toBe("sentry.javascript.node");
    }
    expect(result.records[0]?.timestamp).toBe(1795503053.3418458);
  });

  it("flattens the attributes and keeps the typed form", () => {
    const log = result.records[1];
    expect(log?.attributes.order).toBe(8);
    expect(log?.attributes["server.address"]).toBe("vm");
    expect(log?.typedAttributes.order).toEqual({ type: "integer", value: 8 });
  });
});

describe("session updates from @sentry/node 11.12", () => {
  const sessions = ofType("session").map((item) => parseSessionItem(item.headers, item.payload, ctx));

  it("reads the initial and the final update of one session", () => {
    expect(sessions).toHaveLength(2);
    const [first, last] = sessions.map((result) => {
      expect(result.invalid).toEqual([]);
      return result.records[0];
    });
    expect(first).toMatchObject({
      sid: "200096bd26d545a78bce572a018da3b8",
      did: "u-42",
      init: true,
      status: "ok",
      errors: 1,
      release: "holdout-node@1.2.3",
      environment: "staging",
      started: 1795503053.3,
    });
    expect(first?.timestamp).toBeCloseTo(1795503053.314, 6);
    expect(first?.duration).toBeCloseTo(0.013577, 5);
    expect(last).toMatchObject({ sid: first?.sid, init: false, status: "exited" });
  });
});

describe("check-ins from @sentry/node 11.12", () => {
  const checkIns = ofType("check_in").map((item) => parseCheckIn(item.headers, item.payload, ctx).records[0]);

  it("reads the in_progress and ok check-ins of one run", () => {
    expect(checkIns.map((c) => c?.status)).toEqual(["in_progress", "ok"]);
    for (const checkIn of checkIns) {
      expect(checkIn).toMatchObject({
        checkInId: "40801e050ad347c6ae95ef45e1eeb212",
        monitorSlug: "nightly-job",
        release: "holdout-node@1.2.3",
        environment: "staging",
        traceId: TRACE,
        timestamp: ctx.receivedAt,
      });
    }
  });
});

describe("client report from @sentry/node 11.12", () => {
  it("reads the discarded events", () => {
    const item = only("client_report");
    const result = parseClientReport(item.headers, item.payload, ctx);
    expect(result.invalid).toEqual([]);
    expect(result.records).toEqual([
      {
        timestamp: 1795503053.342,
        discarded: [{ kind: "discarded", reason: "event_processor", category: "error", quantity: 2 }],
      },
    ]);
  });
});
