import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MAX_MESSAGE_CHARS } from "../../src/limits.ts";
import { parseLogItem } from "../../src/protocol/items/index.ts";
import type { JsonObject } from "../../src/protocol/types.ts";

const ctx = { receivedAt: 1772359300 };
const TRACE = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const LOG_TYPE = "application/vnd.sentry.items.log+json";
const bytes = (value: unknown) =>
  new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
const headers = (count: number): JsonObject => ({ type: "log", item_count: count, content_type: LOG_TYPE });

function log(overrides: JsonObject = {}): JsonObject {
  return {
    timestamp: 1772359200.5,
    trace_id: TRACE,
    level: "info",
    body: "hello",
    attributes: {},
    ...overrides,
  };
}

const parse = (entries: JsonObject[], count = entries.length) =>
  parseLogItem(headers(count), bytes({ items: entries }), ctx);

describe("sentry-rust log container (item_count, no length)", () => {
  const payload = readFileSync(new URL("../fixtures/items/rust-log-container.json", import.meta.url));
  const result = parseLogItem(headers(2), payload, ctx);

  it("reads both entries", () => {
    expect(result.invalid).toEqual([]);
    expect(result.records.map((l) => [l.level, l.severityNumber, l.body, l.timestamp])).toEqual([
      ["info", 9, "request served", 1772359200.25],
      ["warn", 13, "slow query", 1772359201.5],
    ]);
  });

  it("lifts release, environment and SDK name out of the attributes", () => {
    expect(result.records[0]).toMatchObject({
      traceId: TRACE,
      release: "api@1.4.0",
      environment: "production",
      sdkName: "sentry.rust",
    });
    expect(result.records[1]?.release).toBeUndefined();
  });

  it("keeps flat and typed attributes, including a u64 sent as a string", () => {
    const [first, second] = result.records;
    expect(first?.attributes).toMatchObject({ "code.line.number": 42, elapsed_ms: 12.5, "cache.hit": true });
    expect(first?.typedAttributes["code.line.number"]).toEqual({ type: "integer", value: 42 });
    expect(second?.attributes.rows).toBe("18446744073709551615");
    expect(second?.typedAttributes.rows).toEqual({ type: "integer", value: "18446744073709551615" });
  });

  it("rejects the container when item_count disagrees", () => {
    expect(parseLogItem(headers(3), payload, ctx)).toEqual({
      records: [],
      invalid: [{ reason: "item_count_mismatch", quantity: 3 }],
    });
    expect(parseLogItem({ type: "log" }, payload, ctx).invalid).toEqual([
      { reason: "item_count_mismatch", quantity: 2 },
    ]);
  });
});

describe("log levels", () => {
  it.each([
    ["trace", undefined, "trace"],
    ["DEBUG", undefined, "debug"],
    ["log", undefined, "info"],
    ["warning", undefined, "warn"],
    ["fatal", undefined, "fatal"],
    [undefined, 1, "trace"],
    [undefined, 8, "debug"],
    ["unknown", 12, "info"],
    [undefined, 13, "warn"],
    [undefined, 20, "error"],
    [undefined, 24, "fatal"],
  ])("level %s with severity %s is %s", (level, severity, expected) => {
    const entry = log({
      level: level ?? null,
      ...(severity === undefined ? {} : { severity_number: severity }),
    });
    expect(parse([entry]).records[0]?.level).toBe(expected);
  });

  it.each([
    ["no level and no severity", { level: null }],
    ["an unknown level", { level: "verbose" }],
    ["a prototype key as level", { level: "constructor" }],
    ["an out-of-range severity only", { level: null, severity_number: 25 }],
  ])("rejects %s", (_case, overrides) => {
    expect(parse([log(overrides as JsonObject)]).invalid).toEqual([{ reason: "invalid_level", quantity: 1 }]);
  });

  it("drops a severity number outside 1–24 but keeps the log", () => {
    const record = parse([log({ severity_number: 0 })]).records[0];
    expect(record?.level).toBe("info");
    expect(record).not.toHaveProperty("severityNumber");
  });
});

describe("bad log entries", () => {
  it.each([
    ["no timestamp", { timestamp: null }, "invalid_timestamp"],
    ["a negative timestamp", { timestamp: -5 }, "invalid_timestamp"],
    ["a bad trace id", { trace_id: "abc" }, "invalid_trace_id"],
    ["a bad span id", { span_id: "abc" }, "invalid_span_id"],
    ["no body", { body: null }, "missing_body"],
    ["a numeric body", { body: 42 }, "missing_body"],
  ])("drops an entry with %s and keeps the rest", (_case, overrides, reason) => {
    const result = parse([log(), log(overrides as JsonObject)]);
    expect(result.records).toHaveLength(1);
    expect(result.invalid).toEqual([{ reason, quantity: 1 }]);
  });

  it("counts non-object entries", () => {
    const result = parseLogItem(headers(2), bytes({ items: ["text", null] }), ctx);
    expect(result.invalid).toEqual([{ reason: "invalid_log", quantity: 2 }]);
  });

  it("accepts a log without trace id and keeps a valid span id", () => {
    const record = parse([log({ trace_id: null, span_id: "ABCDEFABCDEFABCD" })]).records[0];
    expect(record).not.toHaveProperty("traceId");
    expect(record?.spanId).toBe("abcdefabcdefabcd");
  });

  it("caps the body length", () => {
    const record = parse([log({ body: "x".repeat(MAX_MESSAGE_CHARS + 10) })]).records[0];
    expect(record?.body).toHaveLength(MAX_MESSAGE_CHARS);
  });

  it("reports invalid JSON with the declared count", () => {
    expect(parseLogItem(headers(5), bytes('{"items":[}'), ctx)).toEqual({
      records: [],
      invalid: [{ reason: "invalid_json", quantity: 5 }],
    });
  });
});
