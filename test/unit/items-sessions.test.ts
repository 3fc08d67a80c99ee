import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MAX_SESSION_AGE_SECONDS } from "../../src/limits.ts";
import { type ItemContext, parseSessionItem, parseSessionsItem } from "../../src/protocol/items/index.ts";
import type { JsonValue } from "../../src/protocol/types.ts";

const T0 = 1772359200; // 2026-03-01T10:00:00Z
const ctx = { receivedAt: T0 + 10, clientIp: "198.51.100.7" };
const bytes = (value: unknown) =>
  new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
const fixture = (name: string) => readFileSync(new URL(`../fixtures/items/${name}`, import.meta.url));

function session(
  overrides: Record<string, JsonValue | undefined> = {},
): Record<string, JsonValue | undefined> {
  return {
    sid: "8333339f56754f89a9a01c935255ab58",
    started: "2026-03-01T10:00:00Z",
    timestamp: "2026-03-01T10:00:05Z",
    status: "ok",
    attrs: { release: "app@1.0.0", environment: "production" },
    ...overrides,
  };
}

const parseOne = (value: unknown, context: ItemContext = ctx) =>
  parseSessionItem({ type: "session" }, bytes(value), context);

describe("session update", () => {
  it("reads the sentry-rust shape: did null, hyphenated sid, RFC 3339 times with nanoseconds", () => {
    const result = parseSessionItem({ type: "session", length: 219 }, fixture("rust-session.json"), ctx);
    expect(result.invalid).toEqual([]);
    const update = result.records[0];
    expect(update).toEqual({
      sid: "6f1c2a7e5d7b4b8e9b8a3c2d1e0f9a8b",
      timestamp: expect.closeTo(T0 + 5.123456789, 6),
      started: T0,
      init: true,
      status: "crashed",
      errors: 1,
      release: "api@1.4.0",
      environment: "production",
    });
    expect(update).not.toHaveProperty("did");
  });

  it("clamps a timestamp before started to started", () => {
    const update = parseOne(session({ timestamp: "2026-03-01T09:59:00Z" })).records[0];
    expect(update?.timestamp).toBe(T0);
  });

  it("defaults status, errors and timestamp like Relay", () => {
    const update = parseOne(session({ status: undefined, timestamp: undefined })).records[0];
    expect(update).toMatchObject({ status: "ok", errors: 0, timestamp: ctx.receivedAt, init: false });
  });

  it("fills {{auto}} from the request, never from the body", () => {
    const attrs = { release: "app@1.0.0", ip_address: "{{auto}}", user_agent: "Firefox/130.0" };
    expect(parseOne(session({ attrs })).records[0]).toMatchObject({
      ipAddress: "198.51.100.7",
      userAgent: "Firefox/130.0",
    });
    const noIp = parseOne(session({ attrs }), {
      receivedAt: ctx.receivedAt,
      clientIp: undefined as unknown as string,
    });
    expect(noIp.records[0]).not.toHaveProperty("ipAddress");
  });

  it.each([
    ["an IPv4 address", "10.0.0.1", "10.0.0.1"],
    ["an IPv6 address", "2001:DB8::1", "2001:db8::1"],
    ["garbage", "<script>", undefined],
    ["an out-of-range IPv4", "300.1.1.1", undefined],
  ])("keeps only a real address for %s", (_case, ip, expected) => {
    const update = parseOne(session({ attrs: { release: "app@1.0.0", ip_address: ip } })).records[0];
    expect(update?.ipAddress).toBe(expected);
  });

  it("generates a session id when none is sent", () => {
    expect(parseOne(session({ sid: undefined })).records[0]?.sid).toMatch(/^[0-9a-f]{32}$/);
  });

  it("keeps only known abnormal mechanisms and a non-negative duration", () => {
    const update = parseOne(session({ abnormal_mechanism: "anr_foreground", duration: 12.5, seq: 4 }))
      .records[0];
    expect(update).toMatchObject({ abnormalMechanism: "anr_foreground", duration: 12.5, seq: 4 });
    const other = parseOne(session({ abnormal_mechanism: "none", duration: -1 })).records[0];
    expect(other).not.toHaveProperty("abnormalMechanism");
    expect(other).not.toHaveProperty("duration");
  });

  it("drops an invalid environment but keeps the session", () => {
    const update = parseOne(session({ attrs: { release: "app@1.0.0", environment: "prod/eu" } })).records[0];
    expect(update?.release).toBe("app@1.0.0");
    expect(update).not.toHaveProperty("environment");
  });

  it.each([
    ["invalid JSON", '{"sid":', "invalid_json"],
    ["an array", [session()], "invalid_session"],
    ["no attrs", session({ attrs: undefined }), "missing_release"],
    ["an empty release", session({ attrs: { release: "  " } }), "missing_release"],
    ["release latest", session({ attrs: { release: "latest" } }), "invalid_release"],
    ["release with a slash", session({ attrs: { release: "app/1.0" } }), "invalid_release"],
    ["release with a newline", session({ attrs: { release: "app\n1.0" } }), "invalid_release"],
    ["a numeric release", session({ attrs: { release: 1 } }), "invalid_release"],
    ["a release over 200 chars", session({ attrs: { release: "r".repeat(201) } }), "invalid_release"],
    ["no started", session({ started: undefined }), "invalid_timestamp"],
    ["an unparsable timestamp", session({ timestamp: "2026-02-30T10:00:00Z" }), "invalid_timestamp"],
    ["a bad sid", session({ sid: "not-a-uuid" }), "invalid_sid"],
    ["an unknown status", session({ status: "healthy" }), "invalid_status"],
  ])("rejects a session with %s", (_case, value, reason) => {
    expect(parseOne(value)).toEqual({ records: [], invalid: [{ reason, quantity: 1 }] });
  });

  it.each([
    ["started more than 5 days ago", T0 + MAX_SESSION_AGE_SECONDS + 1, "too_old"],
    ["updated more than 60 s ahead", T0 - 61, "in_future"],
  ])("rejects a session %s", (_case, receivedAt, reason) => {
    expect(parseOne(session(), { receivedAt, clientIp: "" }).invalid).toEqual([{ reason, quantity: 1 }]);
  });

  it("shifts the times of a client whose clock is off by the drift, before the age checks", () => {
    // The client's clock is two hours ahead: without the shift the session would be in the future.
    const ahead = session({ started: "2026-03-01T12:00:00Z", timestamp: "2026-03-01T12:00:05Z" });
    expect(parseOne(ahead).invalid).toEqual([{ reason: "in_future", quantity: 1 }]);
    const shifted = parseOne(ahead, { ...ctx, clockDrift: -7200 }).records[0];
    expect(shifted).toMatchObject({ started: T0, timestamp: T0 + 5 });
    const aggregates = {
      aggregates: [{ started: "2026-03-01T12:00:30Z", exited: 2 }],
      attrs: { release: "a@1" },
    };
    const result = parseSessionsItem({ type: "sessions" }, bytes(aggregates), { ...ctx, clockDrift: -7200 });
    expect(result.records).toEqual([expect.objectContaining({ started: T0, exited: 2 })]);
  });

  it("accepts a session exactly at the age limit", () => {
    expect(
      parseOne(session(), { receivedAt: T0 + MAX_SESSION_AGE_SECONDS, clientIp: "" }).records,
    ).toHaveLength(1);
  });
});

describe("session aggregates", () => {
  it("reads the sentry-rust buckets, rounding started down to the minute", () => {
    const later = { receivedAt: T0 + 300 };
    const result = parseSessionsItem({ type: "sessions" }, fixture("rust-sessions.json"), later);
    expect(result.invalid).toEqual([]);
    expect(result.records).toEqual([
      {
        started: T0 + 60,
        did: "user-1",
        exited: 3,
        errored: 1,
        abnormal: 0,
        unhandled: 0,
        crashed: 0,
        release: "api@1.4.0",
        environment: "production",
      },
      {
        started: T0 + 120,
        exited: 0,
        errored: 0,
        abnormal: 0,
        unhandled: 0,
        crashed: 1,
        release: "api@1.4.0",
        environment: "production",
      },
      {
        started: T0 + 120,
        exited: 5,
        errored: 0,
        abnormal: 2,
        unhandled: 0,
        crashed: 0,
        release: "api@1.4.0",
        environment: "production",
      },
    ]);
  });

  it("keeps 100 buckets and counts the rest as too_many_sessions", () => {
    const aggregates = Array.from({ length: 101 }, () => ({ started: "2026-03-01T10:00:00Z", exited: 1 }));
    const result = parseSessionsItem(
      { type: "sessions" },
      bytes({ aggregates, attrs: { release: "a@1" } }),
      ctx,
    );
    expect(result.records).toHaveLength(100);
    expect(result.invalid).toEqual([{ reason: "too_many_sessions", quantity: 1 }]);
  });

  it("drops old and undated buckets one by one", () => {
    const aggregates = [
      { started: "2026-03-01T10:00:00Z", exited: 1 },
      { started: "2026-02-01T10:00:00Z", exited: 1 },
      { started: "2026-03-01T12:00:00Z", exited: 1 },
      { exited: 1 },
      "bucket",
    ];
    const result = parseSessionsItem(
      { type: "sessions" },
      bytes({ aggregates, attrs: { release: "a@1" } }),
      ctx,
    );
    expect(result.records).toHaveLength(1);
    expect(result.invalid).toEqual([
      { reason: "too_old", quantity: 1 },
      { reason: "in_future", quantity: 1 },
      { reason: "invalid_timestamp", quantity: 2 },
    ]);
  });

  it("ignores negative or fractional counters", () => {
    const aggregates = [{ started: "2026-03-01T10:00:00Z", exited: -3, errored: 1.5, crashed: 2 }];
    const record = parseSessionsItem(
      { type: "sessions" },
      bytes({ aggregates, attrs: { release: "a@1" } }),
      ctx,
    ).records[0];
    expect(record).toMatchObject({ exited: 0, errored: 0, crashed: 2 });
  });

  it.each([
    ["invalid JSON", "[", "invalid_json", 1],
    ["aggregates not an array", { aggregates: {}, attrs: { release: "a@1" } }, "invalid_sessions", 1],
    [
      "no release, counted per bucket",
      { aggregates: [{ started: "2026-03-01T10:00:00Z" }, { started: "2026-03-01T10:00:00Z" }] },
      "missing_release",
      2,
    ],
  ])("rejects %s", (_case, value, reason, quantity) => {
    expect(parseSessionsItem({ type: "sessions" }, bytes(value), ctx)).toEqual({
      records: [],
      invalid: [{ reason, quantity }],
    });
  });
});
