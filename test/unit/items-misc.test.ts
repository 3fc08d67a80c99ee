// Client reports, check-ins, user reports and opaque item metadata.
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { MAX_MONITOR_SLUG_CHARS, MAX_OPAQUE_SUMMARY_BYTES } from "../../src/limits.ts";
import {
  parseCheckIn,
  parseClientReport,
  parseUserReport,
  summarizeOpaqueItem,
} from "../../src/protocol/items/index.ts";
import type { JsonValue } from "../../src/protocol/types.ts";

type Loose = Record<string, JsonValue | undefined>;
const NOW = 1772359200;
const ctx = { receivedAt: NOW, envelopeEventId: "9f8a1c0e4b2d4a7f8e6c5b4a39281706" };
const bytes = (value: unknown) =>
  new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

describe("client reports", () => {
  const parse = (value: unknown) => parseClientReport({ type: "client_report" }, bytes(value), ctx);

  it("reads all four lists with their kind and an RFC 3339 timestamp", () => {
    const result = parse({
      timestamp: "2026-03-01T09:59:00Z",
      discarded_events: [
        { reason: "queue_overflow", category: "error", quantity: 3 },
        { reason: "sample_rate", category: "transaction", quantity: 0 },
      ],
      rate_limited_events: [{ reason: "ratelimit_backoff", category: "log_item", quantity: 1 }],
      filtered_events: [{ reason: "release-version", category: "error", quantity: 2 }],
      filtered_sampling_events: [{ reason: "Sampled:3", category: "span", quantity: 7 }],
    });
    expect(result).toEqual({
      records: [
        {
          timestamp: NOW - 60,
          discarded: [
            { kind: "discarded", reason: "queue_overflow", category: "error", quantity: 3 },
            { kind: "rate_limited", reason: "ratelimit_backoff", category: "log_item", quantity: 1 },
            { kind: "filtered", reason: "release-version", category: "error", quantity: 2 },
            { kind: "filtered_sampling", reason: "Sampled:3", category: "span", quantity: 7 },
          ],
        },
      ],
      invalid: [],
    });
  });

  it("defaults the timestamp to the receive time", () => {
    expect(parse({ discarded_events: [] }).records).toEqual([{ timestamp: NOW, discarded: [] }]);
  });

  it.each([
    ["a negative quantity", { reason: "send_error", category: "error", quantity: -1 }],
    ["a fractional quantity", { reason: "send_error", category: "error", quantity: 1.5 }],
    ["no reason", { category: "error", quantity: 1 }],
    ["a reason with spaces", { reason: "drop table", category: "error", quantity: 1 }],
    ["an uppercase category", { reason: "send_error", category: "Error", quantity: 1 }],
    ["a non-object", "send_error"],
  ])("counts an entry with %s and keeps the others", (_case, bad) => {
    const good = { reason: "send_error", category: "error", quantity: 1 };
    const result = parse({ discarded_events: [good, bad] });
    expect(result.records[0]?.discarded).toEqual([{ kind: "discarded", ...good }]);
    expect(result.invalid).toEqual([{ reason: "invalid_entry", quantity: 1 }]);
  });

  it.each([
    ["invalid JSON", "{", "invalid_json"],
    ["an array", [], "invalid_client_report"],
    ["a bad timestamp", { timestamp: "soon" }, "invalid_timestamp"],
    ["a timestamp 31 days old", { timestamp: NOW - 31 * 86400 }, "too_old"],
    ["a timestamp 2 minutes ahead", { timestamp: NOW + 120 }, "in_future"],
  ])("rejects a report with %s", (_case, value, reason) => {
    expect(parse(value)).toEqual({ records: [], invalid: [{ reason, quantity: 1 }] });
  });
});

describe("check-ins", () => {
  const base: Loose = {
    check_in_id: "40801E05-0AD3-47C6-AE95-EF45E1EEB212",
    monitor_slug: "nightly-job",
    status: "ok",
    duration: 1.5,
  };
  const parse = (overrides: Loose) =>
    parseCheckIn({ type: "check_in" }, bytes({ ...base, ...overrides }), ctx);

  it("reads a sentry-cli style check-in with an interval config", () => {
    const monitorConfig = {
      schedule: { type: "interval", value: 1, unit: "day" },
      checkin_margin: 5,
      max_runtime: 30,
      timezone: "UTC",
    };
    const result = parse({ monitor_config: monitorConfig, environment: "production", release: "cli@3.8.0" });
    expect(result).toEqual({
      records: [
        {
          checkInId: "40801e050ad347c6ae95ef45e1eeb212",
          monitorSlug: "nightly-job",
          status: "ok",
          duration: 1.5,
          environment: "production",
          release: "cli@3.8.0",
          monitorConfig,
          timestamp: NOW,
        },
      ],
      invalid: [],
    });
  });

  it("cuts a long slug to 50 characters", () => {
    expect(parse({ monitor_slug: "s".repeat(80) }).records[0]?.monitorSlug).toHaveLength(
      MAX_MONITOR_SLUG_CHARS,
    );
  });

  it("drops a negative duration and an invalid release, keeping the check-in", () => {
    const record = parse({ duration: -2, release: "latest" }).records[0];
    expect(record).not.toHaveProperty("duration");
    expect(record).not.toHaveProperty("release");
  });

  it.each([
    ["status missed (server-computed)", { status: "missed" }, "invalid_status"],
    ["no status", { status: undefined }, "invalid_status"],
    ["status OK in capitals", { status: "OK" }, "invalid_status"],
    ["an empty slug", { monitor_slug: "   " }, "missing_slug"],
    ["no slug", { monitor_slug: undefined }, "missing_slug"],
    ["no check-in id", { check_in_id: undefined }, "invalid_check_in_id"],
    ["a bad check-in id", { check_in_id: "123" }, "invalid_check_in_id"],
    ["a config without schedule", { monitor_config: { checkin_margin: 5 } }, "invalid_monitor_config"],
    [
      "an interval of zero",
      { monitor_config: { schedule: { type: "interval", value: 0, unit: "day" } } },
      "invalid_monitor_config",
    ],
    [
      "an unknown interval unit",
      { monitor_config: { schedule: { type: "interval", value: 1, unit: "fortnight" } } },
      "invalid_monitor_config",
    ],
    [
      "an empty crontab",
      { monitor_config: { schedule: { type: "crontab", value: "" } } },
      "invalid_monitor_config",
    ],
    ["a config that is a string", { monitor_config: "0 3 * * *" }, "invalid_monitor_config"],
    ["a bad trace id", { contexts: { trace: { trace_id: "abc" } } }, "invalid_trace_id"],
  ])("rejects a check-in with %s", (_case, overrides, reason) => {
    expect(parse(overrides as Loose)).toEqual({ records: [], invalid: [{ reason, quantity: 1 }] });
  });

  it("accepts a crontab schedule", () => {
    const config = { schedule: { type: "crontab", value: "0 3 * * *" } };
    expect(parse({ monitor_config: config }).records[0]?.monitorConfig).toEqual(config);
  });

  it("rejects invalid JSON", () => {
    expect(parseCheckIn({ type: "check_in" }, bytes("{"), ctx).invalid).toEqual([
      { reason: "invalid_json", quantity: 1 },
    ]);
  });
});

describe("user reports", () => {
  const parse = (value: unknown) => parseUserReport({ type: "user_report" }, bytes(value), ctx);

  it("reads a report and normalizes its event id", () => {
    const result = parse({
      event_id: "6F1C2A7E-5D7B-4B8E-9B8A-3C2D1E0F9A8B",
      email: "ann@example.com",
      name: "Ann",
      comments: "It crashed when I clicked save",
    });
    expect(result).toEqual({
      records: [
        {
          eventId: "6f1c2a7e5d7b4b8e9b8a3c2d1e0f9a8b",
          email: "ann@example.com",
          name: "Ann",
          comments: "It crashed when I clicked save",
        },
      ],
      invalid: [],
    });
  });

  it("falls back to the envelope's event id and allows no name or email", () => {
    expect(parse({ comments: "broken" }).records).toEqual([
      { eventId: ctx.envelopeEventId, comments: "broken" },
    ]);
  });

  it.each([
    ["a bad event id", { event_id: "zzz", comments: "x" }, "invalid_event_id"],
    ["no comments", { event_id: ctx.envelopeEventId, comments: "  " }, "missing_comments"],
    ["invalid JSON", "{", "invalid_json"],
    ["a string payload", '"hello"', "invalid_user_report"],
  ])("rejects a report with %s", (_case, value, reason) => {
    expect(parse(value)).toEqual({ records: [], invalid: [{ reason, quantity: 1 }] });
  });

  it("rejects a report without any event id", () => {
    const noEnvelopeId = parseUserReport({ type: "user_report" }, bytes({ comments: "x" }), {
      receivedAt: NOW,
    });
    expect(noEnvelopeId.invalid).toEqual([{ reason: "invalid_event_id", quantity: 1 }]);
  });
});

describe("opaque item metadata", () => {
  it("summarizes a sample profile", () => {
    const profile = {
      event_id: "A1B2C3D4E5F60718293A4B5C6D7E8F90",
      platform: "python",
      version: "1",
      release: "app@2",
      environment: "prod",
      timestamp: "2026-03-01T10:00:00Z",
      transaction: {
        id: "3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c",
        name: "GET /",
        trace_id: "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
      },
      profile: { samples: [], stacks: [], frames: [] },
    };
    expect(summarizeOpaqueItem("profile", { type: "profile" }, bytes(profile))).toEqual({
      size: bytes(profile).byteLength,
      profile_id: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
      transaction_id: "3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c",
      trace_id: "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
      transaction: "GET /",
      platform: "python",
      release: "app@2",
      environment: "prod",
      timestamp: NOW,
      version: "1",
    });
  });

  it("summarizes the older Android profile shape", () => {
    const profile = {
      profile_id: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
      transaction_name: "Main",
      trace_id: "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    };
    expect(summarizeOpaqueItem("profile", {}, bytes(profile))).toMatchObject({
      profile_id: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
      transaction: "Main",
      trace_id: "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    });
  });

  it("summarizes a replay event, keeping only valid ids", () => {
    const replay = {
      replay_id: "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a",
      segment_id: 3,
      replay_type: "session",
      timestamp: NOW,
      replay_start_timestamp: NOW - 30,
      urls: ["https://shop.example.com/cart"],
      error_ids: ["3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c", "junk", "3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c"],
      trace_ids: ["0a1b2c3d4e5f60718293a4b5c6d7e8f9"],
    };
    expect(summarizeOpaqueItem("replay_event", { type: "replay_event" }, bytes(replay))).toMatchObject({
      replay_id: "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a",
      segment_id: 3,
      replay_type: "session",
      timestamp: NOW,
      replay_start_timestamp: NOW - 30,
      urls: ["https://shop.example.com/cart"],
      error_ids: ["3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c"],
      trace_ids: ["0a1b2c3d4e5f60718293a4b5c6d7e8f9"],
    });
  });

  it("reads the segment id from a compressed replay recording's header line", () => {
    const body = gzipSync(Buffer.from("[]"));
    const payload = concat(bytes('{"segment_id":7}\n'), body);
    expect(
      summarizeOpaqueItem("replay_recording", { type: "replay_recording", length: payload.length }, payload),
    ).toEqual({
      size: payload.length,
      segment_id: 7,
      compressed: true,
      recording_size: body.length,
    });
    expect(summarizeOpaqueItem("replay_recording", {}, bytes("no header"))).toMatchObject({
      valid_header: false,
    });
  });

  it("counts statsd lines and metric buckets", () => {
    expect(summarizeOpaqueItem("statsd", {}, bytes("a@none:1|c\nb@second:2|d|#env:prod\n\n"))).toMatchObject({
      line_count: 2,
    });
    expect(summarizeOpaqueItem("metric_buckets", {}, bytes([{}, {}, {}]))).toMatchObject({ bucket_count: 3 });
  });

  it("summarizes a trace metric container and reports a count mismatch", () => {
    const payload = bytes({
      items: [{ name: "orders", type: "counter", value: 1 }, { name: "orders" }, { name: "latency" }],
    });
    expect(summarizeOpaqueItem("trace_metric", { item_count: 3 }, payload)).toMatchObject({
      metric_count: 3,
      names: ["orders", "latency"],
    });
    expect(summarizeOpaqueItem("trace_metric", { item_count: 2 }, payload)).toMatchObject({
      invalid: "item_count_mismatch",
    });
  });

  it("keeps content type and filename, and never throws on junk", () => {
    const headers = { content_type: "application/x-msgpack", filename: "video.webm" };
    expect(summarizeOpaqueItem("replay_video", headers, new Uint8Array([0x83, 0xff]))).toEqual({
      size: 2,
      content_type: "application/x-msgpack",
      filename: "video.webm",
    });
    expect(summarizeOpaqueItem("profile", {}, bytes("{not json"))).toMatchObject({ valid_json: false });
    expect(summarizeOpaqueItem("profile_chunk", { platform: "android" }, bytes("null"))).toEqual({
      size: 4,
      platform: "android",
    });
  });

  it("does not parse a profile larger than the summary limit", () => {
    const big = new Uint8Array(MAX_OPAQUE_SUMMARY_BYTES + 1).fill(0x20);
    expect(summarizeOpaqueItem("profile", {}, big)).toEqual({ size: big.length, summarized: false });
  });
});
