// Event normalization: SDK payload shapes (sentry-rust, sentry-python, real @sentry/node 11.12 bytes)
// and the lenient handling of ill-typed, oversized and hostile fields.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { FaultlineError } from "../../src/errors.ts";
import {
  MAX_BREADCRUMBS,
  MAX_DATABAG_DEPTH,
  MAX_ENVIRONMENT_CHARS,
  MAX_EXCEPTIONS,
  MAX_FRAMES,
  MAX_MESSAGE_CHARS,
  MAX_RELEASE_CHARS,
  MAX_TAG_KEY_CHARS,
  MAX_TAG_VALUE_CHARS,
  MAX_TAGS,
} from "../../src/limits.ts";
import { normalizeEventId } from "../../src/protocol/envelope.ts";
import {
  formatMessage,
  type NormalizeContext,
  Notes,
  normalizeAddress,
  normalizeEvent,
  normalizeLevel,
  searchableTagValues,
} from "../../src/protocol/normalize/index.ts";
import type { JsonObject, JsonValue, NormalizedEvent } from "../../src/protocol/types.ts";

// 2026-03-01T10:00:01Z
const RECEIVED = 1772359201;
const ctx = (extra: Partial<NormalizeContext> = {}): NormalizeContext => ({
  receivedAt: RECEIVED,
  itemType: "event",
  ...extra,
});
const HEX32 = /^[0-9a-f]{32}$/;
const errorNames = (event: NormalizedEvent) => (event.errors ?? []).map((e) => `${e.type}:${e.name}`);

describe("sentry-rust", () => {
  const headerId = "6F1C2A7E-5D7B-4B8E-9B8A-3C2D1E0F9A8B";
  const panic: JsonObject = {
    event_id: "0123456789abcdef0123456789abcdef",
    level: "fatal",
    platform: "native",
    timestamp: 1772359200.52,
    server_name: "web-1",
    release: "api@1.4.0",
    environment: "production",
    exception: {
      values: [
        {
          type: "panic",
          value: "called `Option::unwrap()` on a `None` value",
          mechanism: { type: "panic", handled: false },
          stacktrace: {
            frames: [
              { function: "<unknown>", instruction_addr: "0x55D0C0A1B2C3", in_app: true },
              { function: "<unknown>", instruction_addr: "0x000055d0c0a1a010", in_app: true },
              { function: "<unknown>", instruction_addr: "0x000055d0c0a1a010", in_app: true },
            ],
          },
        },
      ],
    },
    contexts: {
      os: { type: "os", name: "Linux", version: "6.1.0" },
      rust: { type: "runtime", name: "rustc", version: "1.80.0", channel: "stable" },
    },
    breadcrumbs: {
      values: [
        { timestamp: 1772359100.25, type: "log", category: "api::db", level: "warning", message: "slow" },
        { timestamp: "2026-03-01T09:59:59.5Z", category: "api::http", message: "GET /" },
      ],
    },
    debug_meta: {
      images: [
        {
          type: "symbolic",
          name: "/usr/local/bin/api",
          arch: null,
          image_addr: "0x55d0c0800000",
          image_size: 8388608,
          id: "C0BCC3F1-9827-FE65-3058-404B2831D9E6",
          code_id: "F1C3BCC0279865FE3058404B2831D9E64135386C",
        },
        {
          type: "symbolic",
          name: "linux-vdso.so.1",
          arch: null,
          image_addr: 140737354125312,
          image_size: 8192,
          image_vmaddr: 4096,
          id: "a1b2c3d4e5f60718293a4b5c6d7e8f90",
        },
      ],
    },
    sdk: {
      name: "sentry.rust",
      version: "0.34.0",
      packages: [{ name: "cargo:sentry", version: "0.34.0" }],
      integrations: ["attach-stacktrace", "debug-images", "contexts", "panic", "process-stacktrace"],
    },
  };

  it("a stripped panic: the hyphenated header id wins, addresses and images are normalized", () => {
    const envelopeEventId = normalizeEventId(headerId);
    const event = normalizeEvent(panic, ctx({ envelopeEventId }));
    expect(event.event_id).toBe("6f1c2a7e5d7b4b8e9b8a3c2d1e0f9a8b");
    expect(event).toMatchObject({
      type: "error",
      level: "fatal",
      platform: "native",
      timestamp: 1772359200.52,
      received: RECEIVED,
      release: "api@1.4.0",
      environment: "production",
      server_name: "web-1",
      // Derived from the os context, as Sentry tags it.
      tags: [
        ["os", "Linux 6.1.0"],
        ["os.name", "Linux"],
      ],
    });
    const [exception] = event.exception?.values ?? [];
    expect(exception?.mechanism).toEqual({ type: "panic", handled: false });
    expect(exception?.stacktrace?.frames).toEqual([
      { function: "<unknown>", instruction_addr: "0x55d0c0a1b2c3", in_app: true },
      { function: "<unknown>", instruction_addr: "0x55d0c0a1a010", in_app: true },
      { function: "<unknown>", instruction_addr: "0x55d0c0a1a010", in_app: true },
    ]);
    expect(event.debug_meta?.images).toEqual([
      {
        type: "elf",
        code_file: "/usr/local/bin/api",
        debug_id: "c0bcc3f1-9827-fe65-3058-404b2831d9e6",
        code_id: "f1c3bcc0279865fe3058404b2831d9e64135386c",
        image_addr: "0x55d0c0800000",
        image_size: 8388608,
      },
      {
        type: "symbolic",
        code_file: "linux-vdso.so.1",
        debug_id: "a1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90",
        image_addr: "0x7ffff7ffd000",
        image_size: 8192,
        image_vmaddr: "0x1000",
      },
    ]);
    expect(event.errors).toBeUndefined();
  });

  it("mixed float and RFC 3339 breadcrumb timestamps, levels and types defaulted", () => {
    const event = normalizeEvent(panic, ctx());
    expect(event.event_id).toBe("0123456789abcdef0123456789abcdef");
    expect(event.breadcrumbs?.values).toEqual([
      { timestamp: 1772359100.25, type: "log", category: "api::db", level: "warning", message: "slow" },
      { timestamp: 1772359199.5, type: "default", category: "api::http", level: "info", message: "GET /" },
    ]);
  });

  it("an anyhow chain: level omitted is error, root cause first, no mechanism, fake frame removed", () => {
    const anyhow: JsonObject = {
      event_id: "9f8a1c0e4b2d4a7f8e6c5b4a39281706",
      platform: "native",
      timestamp: 1772359200,
      exception: {
        values: [
          { type: "Os", value: "No such file or directory (os error 2)" },
          {
            type: "Error",
            value: "loading config",
            stacktrace: { frames: [{ function: "disabled backtrace" }] },
          },
        ],
      },
    };
    const event = normalizeEvent(anyhow, ctx());
    expect(event.level).toBe("error");
    expect(event.type).toBe("error");
    expect(event.exception?.values).toEqual([
      { type: "Os", value: "No such file or directory (os error 2)" },
      { type: "Error", value: "loading config" },
    ]);
    expect(errorNames(event)).toEqual(["invalid_data:exception.values.1.stacktrace.frames.0"]);
  });

  it("a transaction with RFC 3339 end, float start and mixed span timestamps", () => {
    const tx: JsonObject = {
      event_id: "9f8a1c0e4b2d4a7f8e6c5b4a39281706",
      type: "transaction",
      transaction: "GET /orders",
      start_timestamp: 1772359199.25,
      timestamp: "2026-03-01T10:00:00.750Z",
      contexts: { trace: { trace_id: "64df6f4f00ea4dd3810c884729514de0", span_id: "b4f4bca516007d31" } },
      spans: [
        {
          span_id: "852c61b9fd691232",
          start_timestamp: 1772359199.5,
          timestamp: "2026-03-01T10:00:00.000000Z",
          op: "db",
        },
        "not a span",
      ],
      transaction_info: { source: "route" },
    };
    const event = normalizeEvent(tx, ctx({ itemType: "transaction" }));
    expect(event).toMatchObject({
      type: "transaction",
      level: "info",
      platform: "other",
      timestamp: 1772359200.75,
      start_timestamp: 1772359199.25,
      transaction: "GET /orders",
      transaction_info: { source: "route" },
    });
    expect(event.spans).toEqual([
      { span_id: "852c61b9fd691232", start_timestamp: 1772359199.5, timestamp: 1772359200, op: "db" },
    ]);
    expect(errorNames(event)).toEqual(["invalid_data:spans.1"]);
  });
});

describe("sentry-python", () => {
  const event: JsonObject = {
    event_id: "8E7FBA5C-1D2B-4C3D-9E8F-A0B1C2D3E4F5",
    level: "warning",
    platform: "python",
    timestamp: "2026-03-01T10:00:00.123456Z",
    logger: "app.jobs",
    logentry: { message: "job %s failed after %d tries", params: ["sync", 3] },
    server_name: "worker-2",
    release: "jobs@2.0",
    environment: "prod",
    exception: {
      values: [
        {
          type: "KeyError",
          value: "'id'",
          module: null,
          mechanism: { type: "chained", handled: true, exception_id: 1, parent_id: 0, source: "__context__" },
          stacktrace: {
            frames: [
              {
                filename: "app/jobs.py",
                abs_path: "/srv/app/jobs.py",
                function: "load",
                module: "app.jobs",
                lineno: 12,
                pre_context: ["def load(row):", null],
                context_line: "    return row['id']",
                post_context: [],
                vars: { row: { name: "x" } },
                in_app: true,
              },
            ],
          },
        },
        {
          type: "RuntimeError",
          value: "sync failed",
          mechanism: { type: "logging", handled: true, exception_id: 0 },
          stacktrace: { frames: [{ filename: "app/run.py", function: "main", lineno: 40, in_app: true }] },
        },
      ],
    },
    tags: { queue: "default", attempt: 3 },
    extra: { "sys.argv": ["worker.py"] },
    user: { id: 42, email: "a@example.com", ip_address: "{{auto}}" },
    request: {
      url: "https://example.com/jobs",
      method: "post",
      headers: { "Content-Type": "application/json", "X-Id": "1" },
      query_string: "?a=1",
      data: { id: 1 },
      env: { SERVER_NAME: "worker-2" },
    },
    breadcrumbs: {
      values: [{ timestamp: "2026-03-01T09:59:58.000000Z", type: "log", category: "httpx", level: "info" }],
    },
    contexts: { runtime: { name: "CPython", version: "3.12.1" }, broken: "not an object" },
    sdk: { name: "sentry.python", version: "2.68.0" },
    modules: { django: "5.0", broken: 3 },
  };

  it("normalizes a logging event with a chained exception", () => {
    const result = normalizeEvent(
      event,
      ctx({ sentAt: "2026-03-01T10:00:00.500000Z", clientIp: "203.0.113.7" }),
    );
    expect(result).toMatchObject({
      event_id: "8e7fba5c1d2b4c3d9e8fa0b1c2d3e4f5",
      type: "error",
      level: "warning",
      platform: "python",
      timestamp: 1772359200.123456,
      logger: "app.jobs",
      message: "job sync failed after 3 tries",
      logentry: {
        message: "job %s failed after %d tries",
        params: ["sync", 3],
        formatted: "job sync failed after 3 tries",
      },
      tags: [
        ["queue", "default"],
        ["attempt", "3"],
        ["runtime", "CPython 3.12.1"],
        ["runtime.name", "CPython"],
      ],
      extra: { "sys.argv": ["worker.py"] },
      user: { id: "42", email: "a@example.com", ip_address: "203.0.113.7" },
      request: {
        url: "https://example.com/jobs",
        method: "POST",
        headers: [
          ["Content-Type", "application/json"],
          ["X-Id", "1"],
        ],
        query_string: "a=1",
        data: { id: 1 },
        env: { SERVER_NAME: "worker-2" },
      },
      contexts: { runtime: { name: "CPython", version: "3.12.1" } },
      modules: { django: "5.0" },
    });
    const [cause, raised] = result.exception?.values ?? [];
    expect(cause?.mechanism).toEqual({
      type: "chained",
      handled: true,
      exception_id: 1,
      parent_id: 0,
      source: "__context__",
    });
    expect(cause?.stacktrace?.frames[0]).toEqual({
      filename: "app/jobs.py",
      abs_path: "/srv/app/jobs.py",
      function: "load",
      module: "app.jobs",
      lineno: 12,
      pre_context: ["def load(row):", ""],
      context_line: "    return row['id']",
      post_context: [],
      vars: { row: { name: "x" } },
      in_app: true,
    });
    expect(raised?.type).toBe("RuntimeError");
    expect(result.breadcrumbs?.values).toEqual([
      { timestamp: 1772359198, type: "log", category: "httpx", level: "info" },
    ]);
    expect(errorNames(result)).toEqual(["invalid_data:contexts.broken", "invalid_data:modules.broken"]);
  });
});

// ---- @sentry/node 11.12: the real bytes -------------------------------------------------------

interface CapturedEnvelope {
  headers: JsonObject;
  items: { headers: JsonObject; payload: JsonValue }[];
}

/** Minimal envelope splitter for the fixture: honours `length`, else reads to the next newline. */
function splitEnvelope(body: Uint8Array): CapturedEnvelope {
  const text = new TextDecoder();
  const lineEnd = (from: number) => {
    const at = body.indexOf(0x0a, from);
    return at < 0 ? body.length : at;
  };
  const headerEnd = lineEnd(0);
  const envelope: CapturedEnvelope = {
    headers: JSON.parse(text.decode(body.subarray(0, headerEnd))) as JsonObject,
    items: [],
  };
  let pos = headerEnd + 1;
  while (pos < body.length) {
    const end0 = lineEnd(pos);
    const headers = JSON.parse(text.decode(body.subarray(pos, end0))) as JsonObject;
    const start = end0 + 1;
    const end = typeof headers.length === "number" ? start + headers.length : lineEnd(start);
    const raw = text.decode(body.subarray(start, end));
    let payload: JsonValue = raw;
    try {
      payload = JSON.parse(raw) as JsonValue;
    } catch {
      // attachments are not JSON
    }
    envelope.items.push({ headers, payload });
    pos = end + 1;
  }
  return envelope;
}

function capturedEnvelopes(): CapturedEnvelope[] {
  return readFileSync(
    new URL("../fixtures/captures/sentry-javascript-node-11.12.jsonl", import.meta.url),
    "utf8",
  )
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      let body: Uint8Array = Buffer.from((JSON.parse(line) as { body: string }).body, "base64");
      if (body[0] === 0x1f && body[1] === 0x8b) body = gunzipSync(body);
      return splitEnvelope(body);
    });
}

describe("@sentry/node 11.12 (captured)", () => {
  // The capture was taken at 2026-11-24T06:50:53Z.
  const nodeCtx = (envelope: CapturedEnvelope, itemType: NormalizeContext["itemType"]): NormalizeContext => ({
    receivedAt: 1795503053.4,
    itemType,
    envelopeEventId: normalizeEventId(envelope.headers.event_id),
    sentAt: typeof envelope.headers.sent_at === "string" ? envelope.headers.sent_at : undefined,
    clientIp: "198.51.100.4",
  });
  const events = capturedEnvelopes().flatMap((envelope) =>
    envelope.items
      .filter((item) => item.headers.type === "event" || item.headers.type === "feedback")
      .map((item) =>
        normalizeEvent(item.payload, nodeCtx(envelope, item.headers.type === "event" ? "event" : "feedback")),
      ),
  );

  it("keeps every captured event without notes", () => {
    expect(events).toHaveLength(5);
    for (const event of events) {
      expect(event.event_id).toMatch(HEX32);
      expect(event.platform).toBe("node");
      expect(event.release).toBe("holdout-node@1.2.3");
      expect(event.environment).toBe("staging");
      expect(event.errors).toBeUndefined();
    }
  });

  it("an Error with a cause: the chain in order, mechanisms kept", () => {
    const event = events.find((e) => e.exception?.values.length === 2) as NormalizedEvent;
    expect(event.type).toBe("error");
    expect(event.level).toBe("error");
    const [cause, error] = event.exception?.values ?? [];
    expect(cause).toMatchObject({ type: "SyntaxError" });
    expect(cause?.mechanism).toEqual({
      handled: true,
      type: "chained",
      source: "cause",
      exception_id: 1,
      parent_id: 0,
    });
    expect(error).toMatchObject({ type: "Error", value: "failed to load config" });
    const top = error?.stacktrace?.frames.at(-1);
    expect(top).toMatchObject({ function: "loadConfig", lineno: 21, colno: 21, in_app: true });
    expect(top?.pre_context).toHaveLength(5);
    expect(event.contexts?.trace).toMatchObject({ trace_id: "64df6f4f00ea4dd3810c884729514de0" });
    expect(event.modules && Object.keys(event.modules).length).toBeGreaterThan(0);
  });

  it("captureMessage: level warning, the message kept, the synthetic exception kept", () => {
    const event = events.find((e) => e.level === "warning") as NormalizedEvent;
    expect(event.message).toBe("disk almost full on node r1");
    expect(event.logentry).toEqual({ formatted: "disk almost full on node r1" });
    expect(event.exception?.values[0]?.mechanism).toMatchObject({ synthetic: true });
  });

  it("feedback keeps its context intact", () => {
    const feedback = events.find((e) => e.contexts?.feedback) as NormalizedEvent;
    expect(feedback.contexts?.feedback).toEqual({
      contact_email: "ann@example.com",
      name: "Ann",
      message: "the page crashed",
    });
    expect(feedback.type).toBe("default");
    expect(feedback.level).toBe("info");
    expect(feedback.tags).toEqual([
      ["holdout_run", "r1"],
      ["os", "Debian 12.11"],
      ["os.name", "Debian"],
      ["runtime", "node v20.20.2"],
      ["runtime.name", "node"],
    ]);
    expect(feedback.user).toEqual({ id: "u-42", email: "ops@example.com" });
    expect(feedback.breadcrumbs?.values).toEqual([
      { timestamp: 1795503053.303, type: "default", category: "db", message: "SELECT 1", level: "info" },
    ]);
  });
});

// ---- field rules --------------------------------------------------------------------------------

describe("payload must be an object", () => {
  it.each([null, [], "event", 42, true, undefined])("%j → 400", (raw) => {
    let thrown: unknown;
    try {
      normalizeEvent(raw, ctx());
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FaultlineError);
    expect(thrown).toMatchObject({ status: 400, detail: "invalid event payload: expected a JSON object" });
  });
});

describe("event_id", () => {
  it.each([
    [
      "header wins",
      { event_id: "0123456789abcdef0123456789abcdef" },
      "ffffffffffffffffffffffffffffffff",
      "ffffffffffffffffffffffffffffffff",
    ],
    [
      "payload hyphenated upper case",
      { event_id: "ABCDEF01-2345-6789-ABCD-EF0123456789" },
      undefined,
      "abcdef0123456789abcdef0123456789",
    ],
  ] as const)("%s", (_name, payload, envelopeEventId, expected) => {
    expect(normalizeEvent(payload, ctx({ envelopeEventId })).event_id).toBe(expected);
  });

  it("a malformed or missing id gets a fresh one", () => {
    const bad = normalizeEvent({ event_id: "nope" }, ctx());
    expect(bad.event_id).toMatch(HEX32);
    expect(errorNames(bad)).toEqual(["invalid_data:event_id"]);
    const a = normalizeEvent({}, ctx()).event_id;
    const b = normalizeEvent({}, ctx()).event_id;
    expect(a).toMatch(HEX32);
    expect(a).not.toBe(b);
  });
});

describe("timestamps", () => {
  it.each([
    [1772359200.5, 1772359200.5],
    ["2026-03-01T10:00:00Z", 1772359200],
    ["2026-03-01T10:00:00.25Z", 1772359200.25],
    ["2026-03-01T11:00:00+01:00", 1772359200],
    ["2026-03-01T10:00:00", 1772359200],
    ["2026-03-01T10:00:00.5", 1772359200.5],
    [undefined, RECEIVED],
  ])("%j → %d", (timestamp, expected) => {
    expect(normalizeEvent({ timestamp }, ctx()).timestamp).toBeCloseTo(expected, 6);
  });

  it("an unreadable timestamp falls back to receive time with a note", () => {
    const event = normalizeEvent({ timestamp: "yesterday" }, ctx());
    expect(event.timestamp).toBe(RECEIVED);
    expect(errorNames(event)).toEqual(["invalid_data:timestamp"]);
  });

  it("clock drift beyond 55 minutes shifts event, start and breadcrumb timestamps", () => {
    // The client clock is two hours behind: it sent at 08:00:01 by its clock.
    const raw = {
      timestamp: "2026-03-01T08:00:00Z",
      start_timestamp: 1772352000 - 2,
      breadcrumbs: [{ timestamp: 1772352000 - 10, message: "before" }, { message: "no time" }],
      spans: [{ span_id: "852c61b9fd691232", start_timestamp: 1772352000 - 1, timestamp: 1772352000 }],
    };
    const event = normalizeEvent(raw, ctx({ sentAt: "2026-03-01T08:00:01Z", itemType: "transaction" }));
    expect(event.timestamp).toBe(RECEIVED - 1);
    expect(event.start_timestamp).toBe(RECEIVED - 3);
    expect(event.breadcrumbs?.values.map((b) => b.timestamp)).toEqual([RECEIVED - 11, RECEIVED - 1]);
    expect(event.spans?.[0]).toMatchObject({ start_timestamp: RECEIVED - 2, timestamp: RECEIVED - 1 });
    expect(errorNames(event)).toEqual(["clock_drift:sent_at"]);
  });

  it("drift within 55 minutes is left alone", () => {
    const event = normalizeEvent(
      { timestamp: RECEIVED - 1800 },
      ctx({ sentAt: new Date((RECEIVED - 1799) * 1000).toISOString() }),
    );
    expect(event.timestamp).toBe(RECEIVED - 1800);
    expect(event.errors).toBeUndefined();
  });

  it("a timestamp more than 60 s in the future is clamped to receive time", () => {
    const event = normalizeEvent({ timestamp: RECEIVED + 3600 }, ctx());
    expect(event.timestamp).toBe(RECEIVED);
    expect(event.received).toBe(RECEIVED);
    expect(errorNames(event)).toEqual(["future_timestamp:timestamp"]);
    expect(normalizeEvent({ timestamp: RECEIVED + 30 }, ctx()).timestamp).toBe(RECEIVED + 30);
  });

  it("a future transaction moves as a whole, keeping its duration", () => {
    const event = normalizeEvent(
      { start_timestamp: RECEIVED + 3598, timestamp: RECEIVED + 3600 },
      ctx({ itemType: "transaction" }),
    );
    expect(event.timestamp).toBe(RECEIVED);
    expect(event.start_timestamp).toBe(RECEIVED - 2);
  });
});

describe("level", () => {
  it.each([
    [undefined, "error"],
    ["fatal", "fatal"],
    ["critical", "fatal"],
    ["ERROR", "error"],
    ["warn", "warning"],
    ["warning", "warning"],
    ["log", "info"],
    ["info", "info"],
    ["debug", "debug"],
    ["verbose", "error"],
    [3, "error"],
  ])("%j → %s", (level, expected) => {
    expect(normalizeEvent({ level }, ctx()).level).toBe(expected);
  });

  it("unknown levels are noted", () => {
    const notes = new Notes();
    expect(normalizeLevel("loud", "info", notes, "level")).toBe("info");
    expect(notes.result()).toEqual([{ type: "invalid_data", name: "level", value: "loud" }]);
  });
});

describe("platform and type", () => {
  it.each([
    [undefined, "other"],
    ["Python", "python"],
    ["native", "native"],
    ["klingon", "other"],
  ])("platform %j → %s", (platform, expected) => {
    expect(normalizeEvent({ platform }, ctx()).platform).toBe(expected);
  });

  it("message-only events are default, events with exceptions are error", () => {
    expect(normalizeEvent({ message: "hi" }, ctx()).type).toBe("default");
    expect(normalizeEvent({ exception: [{ type: "E" }] }, ctx()).type).toBe("error");
    expect(normalizeEvent({ exception: { type: "E", value: "single" } }, ctx()).exception).toEqual({
      values: [{ type: "E", value: "single" }],
    });
    expect(normalizeEvent({ exception: { values: [{ module: "m" }] } }, ctx()).type).toBe("default");
    expect(normalizeEvent({ type: "transaction" }, ctx()).type).toBe("default");
  });
});

describe("message and logentry", () => {
  it.each([
    ["%s-style", "hello %s, %d", ["ann", 3], "hello ann, 3"],
    ["braces", "{} + {} = {}", [1, 2, 3], "1 + 2 = 3"],
    ["indexed braces", "{1} before {0}", ["a", "b"], "b before a"],
    ["named", "%(who)s left", { who: "bob" }, "bob left"],
    ["escaped percent", "100%% of %s", ["it"], "100% of it"],
    ["missing param stays", "%s and %s", ["one"], "one and %s"],
    ["no params", "50%% done %s", undefined, "50%% done %s"],
    ["object param", "got %s", [{ a: 1 }], 'got {"a":1}'],
  ] as const)("%s", (_name, template, params, expected) => {
    expect(formatMessage(template, params as JsonValue | undefined)).toBe(expected);
  });

  it.each([
    ["plain string", { message: "boom" }, "boom", { formatted: "boom" }],
    [
      "message object",
      { message: { message: "x=%s", params: ["1"] } },
      "x=1",
      { message: "x=%s", params: ["1"], formatted: "x=1" },
    ],
    [
      "logentry formatted wins",
      { logentry: { message: "x=%s", params: ["1"], formatted: "x is 1" } },
      "x is 1",
      { message: "x=%s", params: ["1"], formatted: "x is 1" },
    ],
    [
      "logentry plus plain message",
      { logentry: { message: "templ" }, message: "plain" },
      "templ",
      { message: "templ", formatted: "templ" },
    ],
  ] as const)("%s", (_name, raw, message, logentry) => {
    const event = normalizeEvent(raw, ctx());
    expect(event.message).toBe(message);
    expect(event.logentry).toEqual(logentry);
  });

  it("an oversized message is cut to MAX_MESSAGE_CHARS", () => {
    const event = normalizeEvent({ message: "m".repeat(MAX_MESSAGE_CHARS + 100) }, ctx());
    expect(event.message).toHaveLength(MAX_MESSAGE_CHARS);
    expect(errorNames(event)).toEqual(["value_too_long:message"]);
    const value = normalizeEvent(
      { exception: [{ type: "E", value: "v".repeat(MAX_MESSAGE_CHARS * 2) }] },
      ctx(),
    );
    expect(value.exception?.values[0]?.value).toHaveLength(MAX_MESSAGE_CHARS);
  });
});

describe("tags", () => {
  const expected: [string, string][] = [
    ["a", "1"],
    ["b", "true"],
    ["c", "x"],
  ];
  it.each([
    ["object", { a: 1, b: true, c: " x ", d: null, "": "empty key", e: "" }],
    ["pairs", [["a", 1], ["b", true], ["c", "x"], ["a", "dup"], ["d", null], ["broken"]]],
    [
      "key/value objects",
      [
        { key: "a", value: "1" },
        { key: "b", value: true },
        { key: "c", value: "x" },
      ],
    ],
  ] as const)("as %s", (_name, tags) => {
    expect(normalizeEvent({ tags }, ctx()).tags).toEqual(expected);
  });

  it("cuts long keys and values, keeps at most MAX_TAGS", () => {
    const many = Object.fromEntries(Array.from({ length: MAX_TAGS + 5 }, (_, i) => [`k${i}`, `v${i}`]));
    const event = normalizeEvent({ tags: many }, ctx());
    expect(event.tags).toHaveLength(MAX_TAGS);
    expect(event.tags[0]).toEqual(["k0", "v0"]);
    const long = normalizeEvent({ tags: { ["k".repeat(500)]: "v".repeat(500) } }, ctx()).tags[0];
    expect(long?.[0]).toHaveLength(MAX_TAG_KEY_CHARS);
    expect(long?.[1]).toHaveLength(MAX_TAG_VALUE_CHARS);
  });

  it("release and environment are not turned into tags", () => {
    expect(normalizeEvent({ release: "r@1", environment: "prod" }, ctx()).tags).toEqual([]);
  });

  it("search values: the tags, then release, environment and server name, each pair once", () => {
    const event = normalizeEvent(
      { tags: { a: "1", server_name: "web-1" }, release: "r@1", environment: "prod", server_name: "web-1" },
      ctx(),
    );
    expect(searchableTagValues(event)).toEqual([
      ["a", "1"],
      ["server_name", "web-1"],
      ["release", "r@1"],
      ["environment", "prod"],
    ]);
    expect(searchableTagValues(normalizeEvent({}, ctx()))).toEqual([]);
  });
});

describe("user ip_address", () => {
  it.each([
    [
      "{{auto}} with a client ip",
      { ip_address: "{{auto}}", id: "1" },
      "198.51.100.1",
      { ip_address: "198.51.100.1", id: "1" },
    ],
    ["{{auto}} without one", { ip_address: "{{auto}}", id: "1" }, undefined, { id: "1" }],
    ["absent is not invented", { id: "1" }, "198.51.100.1", { id: "1" }],
    ["explicit ip kept", { ip_address: "2001:db8::1" }, "198.51.100.1", { ip_address: "2001:db8::1" }],
    ["garbage dropped", { ip_address: "<script>", id: 7 }, "198.51.100.1", { id: "7" }],
    ["unknown fields go to data", { id: "1", plan: "pro" }, undefined, { id: "1", data: { plan: "pro" } }],
  ] as const)("%s", (_name, user, clientIp, expected) => {
    expect(normalizeEvent({ user }, ctx({ clientIp })).user).toEqual(expected);
  });
});

describe("breadcrumbs", () => {
  it("keeps the last MAX_BREADCRUMBS in the order sent", () => {
    const values = Array.from({ length: MAX_BREADCRUMBS + 20 }, (_, i) => ({
      timestamp: 1772359000 + i,
      message: `${i}`,
    }));
    const event = normalizeEvent({ breadcrumbs: { values } }, ctx());
    const kept = event.breadcrumbs?.values ?? [];
    expect(kept).toHaveLength(MAX_BREADCRUMBS);
    expect(kept[0]?.message).toBe("20");
    expect(kept.at(-1)?.message).toBe(`${MAX_BREADCRUMBS + 19}`);
    expect(errorNames(event)).toEqual(["too_many_values:breadcrumbs.values"]);
  });

  it("a breadcrumb without a timestamp takes the event's", () => {
    const event = normalizeEvent(
      { timestamp: 1772359100, breadcrumbs: [{ message: "x", data: { a: 1 } }] },
      ctx(),
    );
    expect(event.breadcrumbs?.values).toEqual([
      { timestamp: 1772359100, type: "default", level: "info", message: "x", data: { a: 1 } },
    ]);
  });
});

describe("stack traces", () => {
  it("keeps both ends of a long stack trace", () => {
    const frames = Array.from({ length: MAX_FRAMES + 100 }, (_, i) => ({ function: `f${i}`, lineno: i }));
    const event = normalizeEvent({ exception: [{ type: "E", stacktrace: { frames } }] }, ctx());
    const stacktrace = event.exception?.values[0]?.stacktrace;
    expect(stacktrace?.frames).toHaveLength(MAX_FRAMES);
    expect(stacktrace?.frames[0]?.function).toBe("f0");
    expect(stacktrace?.frames.at(-1)?.function).toBe(`f${MAX_FRAMES + 99}`);
    expect(stacktrace?.frames[MAX_FRAMES / 2]?.function).toBe(`f${MAX_FRAMES / 2 + 100}`);
    expect(stacktrace?.frames_omitted).toEqual([MAX_FRAMES / 2, MAX_FRAMES / 2 + 100]);
  });

  it("drops ill-typed frame fields, not frames", () => {
    const frame = {
      function: "f",
      lineno: -1,
      colno: 2.5,
      in_app: "yes",
      instruction_addr: 4096,
      symbol_addr: "0XABCDEF",
      image_addr: "not an address",
      vars: "nope",
    };
    const event = normalizeEvent({ stacktrace: { frames: [frame, 7] } }, ctx());
    expect(event.stacktrace?.frames).toEqual([
      { function: "f", instruction_addr: "0x1000", symbol_addr: "0xabcdef" },
    ]);
    expect(errorNames(event)).toEqual([
      "invalid_data:stacktrace.frames.0.lineno",
      "invalid_data:stacktrace.frames.0.colno",
      "invalid_data:stacktrace.frames.0.image_addr",
      "invalid_data:stacktrace.frames.0.in_app",
      "invalid_data:stacktrace.frames.0.vars",
      "invalid_data:stacktrace.frames.1",
    ]);
  });

  it.each([
    ["0x55D0C0A1B2C3", "0x55d0c0a1b2c3"],
    ["0x0000000000001000", "0x1000"],
    [4096, "0x1000"],
    ["4096", "0x1000"],
    ["0x1ffffffffffffffff", undefined],
    [-1, undefined],
    ["zz", undefined],
    ["0x0", "0x0"],
    ["0x00", "0x0"],
    ["0x", undefined],
    [" 0x55d0c0a1b2c3 ", "0x55d0c0a1b2c3"],
    ["0xffffffffffffffff", "0xffffffffffffffff"],
    ["0x10000000000000000", undefined],
  ])("address %j → %s", (raw, expected) => {
    expect(normalizeAddress(raw)).toBe(expected);
  });

  it("answers addresses already written as Sentry writes them as the big-integer reading does", () => {
    const digits = "0123456789abcdefABCDEF";
    for (let n = 1; n <= 18; n++) {
      for (let seed = 0; seed < 40; seed++) {
        let hex = "";
        for (let i = 0; i < n; i++) hex += digits[(seed * 7 + i * 13 + n) % digits.length];
        const value = BigInt(`0x${hex}`);
        const expected = value < 2n ** 64n ? `0x${value.toString(16)}` : undefined;
        expect(normalizeAddress(`0x${hex}`), hex).toBe(expected);
        expect(normalizeAddress(`0x${hex.toLowerCase()}`), hex).toBe(expected);
      }
    }
  });

  it("threads: values or a list, each stack trace normalized", () => {
    const threads = [
      { id: 1, name: "main", crashed: true, stacktrace: { frames: [{ function: "main" }] } },
      5,
    ];
    const event = normalizeEvent({ threads }, ctx());
    expect(event.threads).toEqual({
      values: [{ id: 1, name: "main", crashed: true, stacktrace: { frames: [{ function: "main" }] } }],
    });
    expect(normalizeEvent({ threads: { values: threads } }, ctx()).threads).toEqual(event.threads);
  });

  it("keeps the last MAX_EXCEPTIONS exceptions", () => {
    const values = Array.from({ length: MAX_EXCEPTIONS + 3 }, (_, i) => ({ type: `E${i}` }));
    const event = normalizeEvent({ exception: { values } }, ctx());
    expect(event.exception?.values).toHaveLength(MAX_EXCEPTIONS);
    expect(event.exception?.values[0]?.type).toBe("E3");
  });

  it("a legacy mechanism without a type becomes generic", () => {
    const event = normalizeEvent(
      { exception: [{ type: "E", mechanism: { handled: "no", data: { a: 1 } } }] },
      ctx(),
    );
    expect(event.exception?.values[0]?.mechanism).toEqual({ type: "generic", data: { a: 1 } });
  });
});

describe("debug images", () => {
  it.each([
    [
      "PE with an age, upper case",
      {
        type: "pe",
        code_file: "C:\\app\\app.exe",
        debug_id: "3249D99D-0C40-4931-8610-F4E4FB0B6936-1A",
        code_id: "5AB380779000",
        debug_file: "app.pdb",
        arch: "x86_64",
      },
      {
        type: "pe",
        code_file: "C:\\app\\app.exe",
        debug_id: "3249d99d-0c40-4931-8610-f4e4fb0b6936-1a",
        code_id: "5ab380779000",
        debug_file: "app.pdb",
        arch: "x86_64",
      },
    ],
    [
      "legacy symbolic dll",
      {
        type: "symbolic",
        name: "C:\\Windows\\ntdll.dll",
        id: "{3249d99d-0c40-4931-8610-f4e4fb0b6936}",
        arch: null,
      },
      { type: "pe", code_file: "C:\\Windows\\ntdll.dll", debug_id: "3249d99d-0c40-4931-8610-f4e4fb0b6936" },
    ],
    [
      "bad debug id dropped",
      { type: "macho", code_file: "/usr/lib/libSystem.B.dylib", debug_id: "xyz", image_addr: "0x1000" },
      { type: "macho", code_file: "/usr/lib/libSystem.B.dylib", image_addr: "0x1000" },
    ],
    [
      "source map",
      { type: "sourcemap", code_file: "app.js", debug_id: "3249D99D0C4049318610F4E4FB0B6936" },
      { type: "sourcemap", code_file: "app.js", debug_id: "3249d99d-0c40-4931-8610-f4e4fb0b6936" },
    ],
  ] as const)("%s", (_name, image, expected) => {
    expect(normalizeEvent({ debug_meta: { images: [image] } }, ctx()).debug_meta?.images).toEqual([expected]);
  });

  it("unknown image types are dropped", () => {
    expect(
      normalizeEvent({ debug_meta: { images: [{ type: "mystery" }] } }, ctx()).debug_meta,
    ).toBeUndefined();
  });
});

describe("release, environment, fingerprint", () => {
  it.each([
    ["app@1.0", "app@1.0"],
    ["  app@1.0  ", "app@1.0"],
    [".", undefined],
    ["..", undefined],
    ["   ", undefined],
    ["a\nb", undefined],
    [42, "42"],
    ["r".repeat(MAX_RELEASE_CHARS + 1), "r".repeat(MAX_RELEASE_CHARS)],
  ])("release %j → %j", (release, expected) => {
    expect(normalizeEvent({ release }, ctx()).release).toBe(expected);
  });

  it.each([
    ["production", "production"],
    ["e".repeat(MAX_ENVIRONMENT_CHARS + 5), "e".repeat(MAX_ENVIRONMENT_CHARS)],
    ["a/b", undefined],
    ["", undefined],
  ])("environment %j → %j", (environment, expected) => {
    expect(normalizeEvent({ environment }, ctx()).environment).toBe(expected);
  });

  it.each([
    [
      ["{{ default }}", "db", 42, true, null],
      ["{{ default }}", "db", "42", "true"],
    ],
    ["not a list", undefined],
    [[], undefined],
  ])("fingerprint %j → %j", (fingerprint, expected) => {
    expect(normalizeEvent({ fingerprint }, ctx()).fingerprint).toEqual(expected);
  });
});

describe("free-form data", () => {
  it("limits nesting depth", () => {
    let deep: JsonValue = "bottom";
    for (let i = 0; i < MAX_DATABAG_DEPTH + 3; i++) deep = { next: deep };
    const event = normalizeEvent({ extra: { deep } }, ctx());
    let depth = 0;
    let node: JsonValue | undefined = event.extra;
    while (node && typeof node === "object" && !Array.isArray(node)) {
      depth++;
      node = node.deep ?? node.next;
    }
    expect(depth).toBe(MAX_DATABAG_DEPTH);
    expect(errorNames(event).some((name) => name.startsWith("too_deep:extra.deep"))).toBe(true);
  });

  it("never lets a __proto__ key through", () => {
    const raw = JSON.parse('{"extra":{"__proto__":{"polluted":true},"ok":1}}') as JsonObject;
    const event = normalizeEvent(raw, ctx());
    expect(event.extra).toEqual({ ok: 1 });
    expect(Object.getPrototypeOf(event.extra)).toBe(Object.prototype);
  });

  it("drops contexts that are not objects and keeps request headers as pairs", () => {
    const event = normalizeEvent(
      {
        contexts: { os: { name: "Linux" }, bad: 3 },
        request: {
          headers: [
            ["Accept", "*/*"],
            ["X-Multi", "a"],
          ],
          cookies: "a=1",
          method: "get",
        },
      },
      ctx(),
    );
    expect(event.contexts).toEqual({ os: { name: "Linux" } });
    expect(event.request).toEqual({
      method: "GET",
      headers: [
        ["Accept", "*/*"],
        ["X-Multi", "a"],
      ],
      cookies: "a=1",
    });
  });

  it("results carry no null or undefined optional fields", () => {
    const event = normalizeEvent(
      { logger: null, release: null, user: null, request: null, contexts: null, tags: null, message: null },
      ctx(),
    );
    expect(Object.keys(event).sort()).toEqual([
      "event_id",
      "level",
      "platform",
      "received",
      "tags",
      "timestamp",
      "type",
    ]);
  });
});
