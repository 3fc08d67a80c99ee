// Timestamps outside 1970..9999 (or not finite, or unreadable) are refused where they are read, and
// stored values format without ever throwing.
import { describe, expect, it } from "vitest";
import { MAX_TIMESTAMP_SECONDS } from "../../src/limits.ts";
import { parseLogItem, parseSessionItem, parseSpanItem } from "../../src/protocol/items/index.ts";
import { isoFromSeconds, parseTimestamp } from "../../src/protocol/items/json.ts";
import { normalizeEvent } from "../../src/protocol/normalize/index.ts";
import { isoDay, isoTime } from "../../src/ui/format.ts";

const RECEIVED = 1772359300;
const HOSTILE: unknown[] = [
  1e13,
  -1,
  -1e20,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  1e308,
  MAX_TIMESTAMP_SECONDS + 1,
  "garbage",
  "NaN",
  "Infinity",
  "99999-01-01T00:00:00Z",
  "9999-12-31T23:59:59-01:00",
  "1969-12-31T23:59:59Z",
];
const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe("parseTimestamp", () => {
  it.each(HOSTILE)("refuses %j", (value) => {
    expect(parseTimestamp(value)).toBeUndefined();
  });

  it("accepts the ends of the range", () => {
    expect(parseTimestamp(0)).toBe(0);
    expect(parseTimestamp(MAX_TIMESTAMP_SECONDS)).toBe(MAX_TIMESTAMP_SECONDS);
    expect(parseTimestamp("9999-12-31T23:59:59Z")).toBe(MAX_TIMESTAMP_SECONDS);
  });
});

describe("formatting stored values", () => {
  it.each([...HOSTILE, null, undefined, "1700000000"])("never throws for %j", (value) => {
    expect(isoFromSeconds(value)).toBeNull();
    expect(isoDay(value as number)).toBe("unknown time");
    expect(isoTime(value as number)).toBe("unknown time");
  });

  it("formats a value in range", () => {
    expect(isoFromSeconds(1700000000)).toBe("2023-11-14T22:13:20.000Z");
  });
});

describe("normalization of each item type", () => {
  it("events: a bad event timestamp becomes receive time, bad breadcrumb ones the event's, all noted", () => {
    const event = normalizeEvent(
      {
        message: "x",
        timestamp: 1e13,
        breadcrumbs: {
          values: HOSTILE.filter((v) => typeof v !== "number" || Number.isFinite(v)).map((timestamp) => ({
            timestamp,
            message: "m",
          })),
        },
      },
      { receivedAt: RECEIVED, itemType: "event" },
    );
    expect(event.timestamp).toBe(RECEIVED);
    for (const crumb of event.breadcrumbs?.values ?? []) expect(crumb.timestamp).toBe(RECEIVED);
    const noted = (event.errors ?? []).map((e) => e.name);
    expect(noted).toContain("timestamp");
    expect(noted).toContain("breadcrumbs.values.0.timestamp");
  });

  it("transactions: a start timestamp out of range is noted", () => {
    const event = normalizeEvent(
      { type: "transaction", transaction: "t", start_timestamp: 1e13, timestamp: RECEIVED - 1, spans: [] },
      { receivedAt: RECEIVED, itemType: "transaction" },
    );
    expect((event.errors ?? []).map((e) => e.name)).toContain("start_timestamp");
  });

  it("logs: a log with an out-of-range timestamp is dropped as invalid_timestamp", () => {
    const result = parseLogItem(
      { type: "log", item_count: 1, content_type: "application/vnd.sentry.items.log+json" },
      bytes({
        items: [{ timestamp: 1e13, level: "info", body: "b", trace_id: "0a1b2c3d4e5f60718293a4b5c6d7e8f9" }],
      }),
      { receivedAt: RECEIVED },
    );
    expect(result.invalid).toEqual([{ reason: "invalid_timestamp", quantity: 1 }]);
  });

  it("sessions: a session started out of range is dropped as invalid_timestamp", () => {
    const result = parseSessionItem(
      { type: "session" },
      bytes({
        sid: "8333339f56754f89a9a01c935255ab58",
        started: 1e13,
        status: "ok",
        attrs: { release: "a@1" },
      }),
      { receivedAt: RECEIVED, clientIp: "198.51.100.7" },
    );
    expect(result.records).toEqual([]);
    expect(result.invalid).toEqual([{ reason: "invalid_timestamp", quantity: 1 }]);
  });

  it("spans: a span ending out of range is dropped as invalid_timestamp", () => {
    const result = parseSpanItem(
      { type: "span" },
      bytes({
        trace_id: "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        span_id: "aaaaaaaaaaaaaaaa",
        start_timestamp: RECEIVED - 1,
        timestamp: 1e13,
        op: "x",
      }),
      { receivedAt: RECEIVED },
    );
    expect(JSON.stringify(result)).toContain("invalid_timestamp");
  });
});
