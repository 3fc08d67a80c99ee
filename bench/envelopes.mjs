// Realistic envelopes for the benchmark, shaped like what sentry-rust sends (see the protocol notes):
// panics with 30-frame stripped-or-symbolicated stacks, anyhow chains root cause first, transactions.
import { randomBytes, randomUUID } from "node:crypto";

const hex = (n) => randomBytes(n).toString("hex");
const enc = new TextEncoder();

const CRATES = ["api", "orders", "billing", "inventory", "auth"];
const FUNCS = ["handle_request", "load", "parse", "validate", "commit", "render", "fetch_user", "charge"];

function frames(seed, count) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const inApp = i >= count - 8;
    const crate = CRATES[(seed + i) % CRATES.length];
    out.push(
      inApp
        ? {
            function: `${crate}::${FUNCS[(seed * 7 + i) % FUNCS.length]}`,
            package: crate,
            filename: `${FUNCS[(seed + i) % FUNCS.length]}.rs`,
            abs_path: `/src/${crate}/src/${FUNCS[(seed + i) % FUNCS.length]}.rs`,
            lineno: 10 + ((seed * 13 + i) % 300),
            in_app: true,
            instruction_addr: `0x55d0c0${(0xa0000 + seed * 97 + i * 31).toString(16)}`,
          }
        : {
            function: i % 3 === 0 ? "std::rt::lang_start_internal" : `tokio::runtime::task::poll_${i}`,
            package: i % 3 === 0 ? "std" : "tokio",
            in_app: false,
            instruction_addr: `0x7f12a0${(0x10000 + i * 53).toString(16)}`,
          },
    );
  }
  return out;
}

const IMAGES = [
  {
    type: "symbolic",
    name: "/usr/local/bin/api",
    arch: null,
    image_addr: "0x55d0c0800000",
    image_size: 8388608,
    id: "c0bcc3f1-9827-fe65-3058-404b2831d9e6",
    code_id: "f1c3bcc0279865fe3058404b2831d9e64135386c",
  },
];

function baseEvent(eventId) {
  return {
    event_id: eventId,
    timestamp: Date.now() / 1000,
    platform: "native",
    server_name: "web-1",
    release: "api@1.4.0",
    environment: "production",
    user: { id: `user-${Math.floor(Math.random() * 50)}` },
    contexts: {
      os: { type: "os", name: "Linux", version: "6.1.0" },
      rust: { type: "runtime", name: "rustc", version: "1.80.0" },
      trace: { trace_id: hex(16), span_id: hex(8) },
    },
    breadcrumbs: {
      values: Array.from({ length: 10 }, (_, i) => ({
        timestamp: Date.now() / 1000 - 10 + i,
        type: "log",
        category: "api::handler",
        message: `step ${i} done`,
      })),
    },
    debug_meta: { images: IMAGES },
    sdk: { name: "sentry.rust", version: "0.34.0", packages: [{ name: "cargo:sentry", version: "0.34.0" }] },
  };
}

export function panicEvent(seed) {
  const eventId = hex(16);
  return {
    eventId,
    type: "event",
    payload: {
      ...baseEvent(eventId),
      level: "fatal",
      exception: {
        values: [
          {
            type: "panic",
            value: `called \`Option::unwrap()\` on a \`None\` value (order ${Math.floor(Math.random() * 1e6)})`,
            mechanism: { type: "panic", handled: false },
            stacktrace: { frames: frames(seed, 30) },
          },
        ],
      },
    },
  };
}

export function anyhowEvent(seed) {
  const eventId = hex(16);
  return {
    eventId,
    type: "event",
    payload: {
      ...baseEvent(eventId),
      exception: {
        values: [
          { type: "Os", value: "No such file or directory (os error 2)" },
          { type: "Error", value: `reading config ${seed}` },
          { type: "Error", value: "loading settings", stacktrace: { frames: frames(seed + 100, 30) } },
        ],
      },
    },
  };
}

export function transactionEvent() {
  const eventId = hex(16);
  const traceId = hex(16);
  const rootSpan = hex(8);
  const start = Date.now() / 1000 - 0.2;
  return {
    eventId,
    type: "transaction",
    payload: {
      event_id: eventId,
      type: "transaction",
      transaction: "GET /orders/{id}",
      start_timestamp: start,
      timestamp: new Date((start + 0.15) * 1000).toISOString(),
      release: "api@1.4.0",
      environment: "production",
      contexts: { trace: { trace_id: traceId, span_id: rootSpan, op: "http.server", status: "ok" } },
      spans: Array.from({ length: 10 }, (_, i) => ({
        span_id: hex(8),
        parent_span_id: rootSpan,
        trace_id: traceId,
        op: i % 2 ? "db.query" : "http.client",
        description: `step ${i}`,
        start_timestamp: start + i * 0.01,
        timestamp: new Date((start + i * 0.01 + 0.005) * 1000).toISOString(),
        status: "ok",
      })),
      sdk: { name: "sentry.rust", version: "0.34.0" },
    },
  };
}

/** One envelope in sentry-rust's style: hyphenated header event_id, explicit lengths, no compression. */
export function toEnvelope({ eventId, type, payload }) {
  const body = enc.encode(JSON.stringify(payload));
  const hyphenated = `${eventId.slice(0, 8)}-${eventId.slice(8, 12)}-${eventId.slice(12, 16)}-${eventId.slice(16, 20)}-${eventId.slice(20)}`;
  const head = enc.encode(
    `${JSON.stringify({ event_id: hyphenated })}\n${JSON.stringify({ type, length: body.byteLength })}\n`,
  );
  const out = new Uint8Array(head.byteLength + body.byteLength + 1);
  out.set(head, 0);
  out.set(body, head.byteLength);
  out[out.byteLength - 1] = 10;
  return out;
}

/** The benchmark mix: 50% panics over 20 fingerprints, 30% anyhow chains, 20% transactions. */
export function mixedEnvelope(i) {
  const r = i % 10;
  if (r < 5) return panicEvent(i % 20);
  if (r < 8) return anyhowEvent(i % 20);
  return transactionEvent();
}

export { randomUUID };
