// The payload segment format (locators, segment ids, per-payload deflate-raw, a segment as its parts
// one after the other) and the projection a row keeps of its payload for the queries.
import { describe, expect, it } from "vitest";
import {
  compressPayload,
  decompressPayload,
  formatLocator,
  newSegmentId,
  parseLocator,
  plainLocator,
  segmentOpenedAt,
} from "../../src/blobs/segment-format.ts";
import { payloadProjection } from "../../src/db/payload-projection.ts";
import { concatBytes } from "../../src/http/multipart.ts";
import type { JsonObject } from "../../src/protocol/types.ts";

describe("segment ids and locators", () => {
  it("names the second a segment opened, and sorts by it", () => {
    const a = newSegmentId(1_765_000_000_999);
    const b = newSegmentId(1_765_000_123_000);
    expect(segmentOpenedAt(a)).toBe(1_765_000_000);
    expect(segmentOpenedAt(b)).toBe(1_765_000_123);
    expect(a < b).toBe(true);
    expect(newSegmentId(1_765_000_000_000)).not.toBe(newSegmentId(1_765_000_000_000));
  });

  it("round-trips a locator and refuses what is not one", () => {
    const locator = { segment: newSegmentId(Date.now()), offset: 123_456, length: 789 };
    const text = formatLocator(locator);
    expect(parseLocator(text)).toEqual(locator);
    for (const bad of [
      "",
      "x/1/2",
      `${locator.segment}/1`,
      `${locator.segment}/-1/2`,
      `${locator.segment}/1/0`,
      `${locator.segment}/1/2/3`,
      `../${locator.segment}/1/2`,
    ])
      expect(parseLocator(bad)).toBeNull();
    expect(segmentOpenedAt("projects/1/x")).toBeNull();
  });

  it("writes the compact locator, ~13 bytes shorter, and still reads the plain text of older rows", () => {
    for (const locator of [
      { segment: "1765000000-00000000000000ff", offset: 0, length: 1 },
      { segment: "1765000000-ffffffffffffffff", offset: 999_999_999_999, length: 999_999_999 },
      { segment: "0000000001-0123456789abcdef", offset: 35, length: 36 },
      { segment: "9999999999-fedcba9876543210", offset: 123_456, length: 789 },
      { segment: newSegmentId(Date.now()), offset: 7_654_321, length: 1_234 },
    ]) {
      const compact = formatLocator(locator);
      const plain = plainLocator(locator);
      expect(parseLocator(compact)).toEqual(locator);
      expect(parseLocator(plain)).toEqual(locator);
      // The length stays the last `/` field, decimal: the counter's SQL reads it in either form.
      expect(compact.split("/")[2]).toBe(String(locator.length));
      expect(compact.split("/")).toHaveLength(3);
    }
    const typical = { segment: "1765000000-0123456789abcdef", offset: 1_234_567, length: 812 };
    expect(formatLocator(typical)).toBe("t6u2psASNFZ4mrze8/qglj/812");
    expect(plainLocator(typical).length - formatLocator(typical).length).toBe(13);
    // One text per locator: leading zeros and stray low bits of the random part are refused.
    const compact = formatLocator(typical);
    for (const bad of [
      `0${compact}`,
      compact.replace("/qglj/", "/0qglj/"),
      compact.replace("mrze8/", "mrze9/"),
      compact.replace("/812", "/0"),
      compact.replace("ASNFZ4mrze", "ASNFZ4mr+e"),
    ])
      expect(parseLocator(bad)).toBeNull();
  });
});

describe("payload bytes", () => {
  it("compresses each payload on its own and reads one back from a range of the segment", async () => {
    const payloads = [
      JSON.stringify({ event_id: "a".repeat(32), message: "first", extra: { n: 1 } }),
      JSON.stringify({ event_id: "b".repeat(32), message: "ünïcödé ✓", tags: [["k", "v"]] }),
      JSON.stringify({ event_id: "c".repeat(32), frames: Array.from({ length: 200 }, (_, i) => ({ i })) }),
    ];
    const parts = payloads.map(compressPayload);
    const segment = concatBytes(parts);
    let offset = 0;
    for (const [i, part] of parts.entries()) {
      const range = segment.slice(offset, offset + part.byteLength);
      expect(decompressPayload(range)).toBe(payloads[i]);
      offset += part.byteLength;
    }
    expect(segment.byteLength).toBe(offset);
    // Repetitive JSON compresses: the third payload's bytes are fewer than a third of its text.
    expect((parts[2] as Uint8Array).byteLength).toBeLessThan((payloads[2] as string).length / 3);
  });

  it("fails on bytes that are not a deflate-raw stream", () => {
    expect(() => decompressPayload(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toThrow();
  });
});

describe("payloadProjection", () => {
  const event = {
    event_id: "d".repeat(32),
    type: "error",
    timestamp: 1_765_000_000.5,
    message: "boom",
    logentry: { formatted: "boom 7", message: "boom %s", params: ["7"] },
    culprit: "app::main",
    dist: "42",
    logger: "app",
    server_name: "web-1",
    tags: [
      ["server_name", "web-1"],
      ["k", "v"],
    ],
    user: { id: "u1", email: "u@example.com", ip_address: "127.0.0.1" },
    request: { url: "https://example.com/x", method: "POST", headers: [["cookie", "secret"]], data: "body" },
    contexts: {
      os: { name: "Linux", version: "6.1", type: "os", kernel_version: "6.1.0" },
      runtime: { name: "rustc", version: "1.80", type: "runtime" },
      trace: { trace_id: "e".repeat(32), span_id: "f".repeat(16), op: "http", status: "ok" },
      device: { model: "x", memory_size: 1 },
    },
    sdk: { name: "sentry.rust", version: "0.37.0", packages: [{ name: "cargo:sentry" }] },
    exception: {
      values: [
        {
          type: "Error",
          value: "bad",
          mechanism: { type: "panic", handled: false, data: { a: 1 } },
          stacktrace: {
            frames: [
              { function: "std::rt", filename: "rt.rs", lineno: 10, in_app: false, vars: { x: 1 } },
              { function: "main", module: "app", lineno: 3, in_app: true, context_line: "panic!()" },
            ],
          },
        },
      ],
    },
    breadcrumbs: { values: [{ message: "clicked" }] },
    debug_meta: { images: [{ code_file: "/app" }] },
    extra: { big: "x".repeat(1000) },
  };
  const projected = JSON.parse(payloadProjection(event as unknown as JsonObject));

  it("keeps every field the queries read, at the same JSON paths", () => {
    expect(projected.tags).toEqual(event.tags);
    expect(projected.user).toEqual(event.user);
    expect(projected.logentry).toEqual({ formatted: "boom 7", message: "boom %s" });
    expect([
      projected.message,
      projected.culprit,
      projected.dist,
      projected.logger,
      projected.server_name,
    ]).toEqual(["boom", "app::main", "42", "app", "web-1"]);
    expect(projected.request).toEqual({ url: "https://example.com/x", method: "POST" });
    expect(projected.contexts.os).toEqual({ name: "Linux", version: "6.1" });
    expect(projected.contexts.trace).toEqual({ span_id: "f".repeat(16), op: "http", status: "ok" });
    expect(projected.sdk).toEqual({ name: "sentry.rust", version: "0.37.0" });
    const [value] = projected.exception.values;
    expect(value.type).toBe("Error");
    expect(value.mechanism).toEqual({ type: "panic", handled: false });
    // Every file name once, and the frame the location comes from (the last in-app one) in its place.
    expect(value.stacktrace.frames).toEqual(["rt.rs", { lineno: 3, in_app: true, module: "app" }]);
  });

  it("leaves out what the row's columns hold and what no query reads", () => {
    // The event's type and time are columns; a context's type is its key.
    expect(projected.type).toBeUndefined();
    expect(projected.timestamp).toBeUndefined();
    expect(projected.contexts.runtime).toEqual({ name: "rustc", version: "1.80" });
    // A transaction keeps both times: discover's transaction.duration is their difference.
    const transaction = { type: "transaction", timestamp: 1_765_000_001.25, start_timestamp: 1_765_000_000 };
    expect(JSON.parse(payloadProjection(transaction))).toEqual({
      timestamp: 1_765_000_001.25,
      start_timestamp: 1_765_000_000,
    });
  });

  it("leaves out what only the whole payload shows", () => {
    for (const key of ["breadcrumbs", "debug_meta", "extra", "event_id"])
      expect(projected[key]).toBeUndefined();
    expect(projected.contexts.device).toBeUndefined();
    expect(JSON.stringify(projected)).not.toContain("secret");
    expect(payloadProjection(event as unknown as JsonObject).length).toBeLessThan(
      JSON.stringify(event).length / 2,
    );
  });

  it("keeps each file name once in stack order and the location frame in its place, in-app or else the last", () => {
    const stack = (frames: object[]) => ({ exception: { values: [{ type: "E", stacktrace: { frames } }] } });
    const framesOf = (event: object) =>
      JSON.parse(payloadProjection(event as JsonObject)).exception.values[0].stacktrace.frames;
    const many = [
      { filename: "a.rs", lineno: 1, in_app: true, vars: { x: 1 } },
      { filename: "b.rs", lineno: 2, in_app: false },
      { filename: "a.rs", lineno: 5, in_app: true },
      { function: "std", in_app: false },
    ];
    expect(framesOf(stack(many))).toEqual(["a.rs", "b.rs", { filename: "a.rs", lineno: 5, in_app: true }]);
    const none = [
      { filename: "x.js", lineno: 1 },
      { filename: "y.js", lineno: 9, abs_path: "/y.js" },
    ];
    expect(framesOf(stack(none))).toEqual(["x.js", { filename: "y.js", lineno: 9 }]);
    expect(framesOf(stack([]))).toEqual([]);
  });

  it("projects a bare event to an empty object", () => {
    expect(payloadProjection({})).toBe("{}");
  });
});
