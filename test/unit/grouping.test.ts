// Event grouping: stable hashes across line/address changes, in-app vs system variants, stripped vs
// symbolicated native builds, exception chains, message parameterization, custom fingerprints,
// and the titles/culprits Sentry shows for real SDK payloads.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { trimNativeFunctionName, trimNativeFunctionNameUncached } from "../../src/grouping/frames.ts";
import { computeGrouping, parameterizeMessage } from "../../src/grouping/index.ts";
import type { ExceptionValue, Frame, NormalizedEvent } from "../../src/protocol/types.ts";

function event(fields: Partial<NormalizedEvent> = {}): NormalizedEvent {
  return {
    event_id: "6f1c2a7e5d7b4b8e9b8a3c2d1e0f9a8b",
    type: "error",
    timestamp: 1772359200.5,
    received: 1772359201,
    level: "error",
    platform: "other",
    tags: [],
    ...fields,
  };
}

function errorEvent(platform: string, exceptions: ExceptionValue[], fields: Partial<NormalizedEvent> = {}) {
  return event({ platform, exception: { values: exceptions }, ...fields });
}

function messageEvent(message: string, fields: Partial<NormalizedEvent> = {}) {
  return event({ type: "default", message, ...fields });
}

const hashOf = (e: NormalizedEvent) => computeGrouping(e).hash;

// --- Python -------------------------------------------------------------------------------------

function pythonFrames(lines: [number, number], fn = "parse_quantity"): Frame[] {
  return [
    { function: "<module>", module: "__main__", filename: "app.py", lineno: lines[0], in_app: true },
    {
      function: fn,
      module: "app",
      filename: "app.py",
      abs_path: "/srv/app.py",
      lineno: lines[1],
      in_app: true,
    },
  ];
}

function pythonValueError(lines: [number, number], fn = "parse_quantity", value = "seventeen") {
  return errorEvent("python", [
    {
      type: "ValueError",
      value: `invalid literal for int() with base 10: '${value}'`,
      mechanism: { type: "generic", handled: true },
      stacktrace: { frames: pythonFrames(lines, fn) },
    },
  ]);
}

// --- Rust (sentry-rust panic) ---------------------------------------------------------------------

const PANIC = { type: "panic", value: "called `Option::unwrap()` on a `None` value" };

/** What sentry-rust sends for a debug build (symbols present). */
function rustDebugBuild(baseAddress: number): NormalizedEvent {
  const addr = (offset: number) => `0x${(baseAddress + offset).toString(16)}`;
  const frames: Frame[] = [
    {
      function: "std::rt::lang_start_internal",
      filename: "rt.rs",
      in_app: false,
      instruction_addr: addr(0x900),
    },
    {
      function: "api::main",
      package: "api",
      filename: "main.rs",
      lineno: 12,
      in_app: true,
      instruction_addr: addr(0x100),
    },
    {
      function: "api::handler::load",
      package: "api",
      filename: "handler.rs",
      lineno: 40,
      in_app: true,
      instruction_addr: addr(0x200),
    },
    {
      function: "core::option::unwrap_failed",
      filename: "option.rs",
      in_app: false,
      instruction_addr: addr(0x300),
    },
    {
      function: "core::panicking::panic",
      filename: "panicking.rs",
      in_app: false,
      instruction_addr: addr(0x400),
    },
  ];
  return errorEvent(
    "native",
    [{ ...PANIC, mechanism: { type: "panic", handled: false }, stacktrace: { frames } }],
    {
      level: "fatal",
    },
  );
}

/** The same crash from a stripped release build: addresses only. */
function rustStripped(baseAddress: number): NormalizedEvent {
  const frames: Frame[] = [0x900, 0x100, 0x200, 0x300, 0x400, 0x500].map((offset) => ({
    function: "<unknown>",
    instruction_addr: `0x${(baseAddress + offset).toString(16)}`,
    in_app: true,
  }));
  return errorEvent(
    "native",
    [{ ...PANIC, mechanism: { type: "panic", handled: false }, stacktrace: { frames } }],
    {
      level: "fatal",
    },
  );
}

/** The stripped event after server-side symbolication (inline frames, extra panic machinery). */
function rustSymbolicated(): NormalizedEvent {
  const sym = (fn: string, filename: string, inApp: boolean, addr: string): Frame => ({
    function: fn,
    raw_function: `_ZN${fn.length}${fn}17h0123456789abcdefE`,
    filename,
    abs_path: `/build/src/${filename}`,
    lineno: 7,
    instruction_addr: addr,
    package: "/usr/local/bin/api",
    in_app: inApp,
    symbolicator_status: "symbolicated",
  });
  const frames = [
    sym("std::rt::lang_start_internal", "rt.rs", false, "0x55d0c0a00900"),
    sym("api::main", "main.rs", true, "0x55d0c0a00100"),
    sym("api::handler::load", "handler.rs", true, "0x55d0c0a00200"),
    sym("core::option::unwrap_failed", "option.rs", false, "0x55d0c0a00300"),
    sym("core::panicking::panic", "panicking.rs", false, "0x55d0c0a00400"),
    sym("core::panicking::panic_fmt", "panicking.rs", false, "0x55d0c0a00410"),
    sym("std::panicking::begin_panic_handler", "panicking.rs", false, "0x55d0c0a00420"),
    sym("sentry_panic::panic_handler", "lib.rs", false, "0x55d0c0a00430"),
  ];
  return errorEvent(
    "native",
    [{ ...PANIC, mechanism: { type: "panic", handled: false }, stacktrace: { frames } }],
    {
      level: "fatal",
    },
  );
}

describe("hash format", () => {
  const cases: [string, NormalizedEvent][] = [
    ["python error", pythonValueError([3, 10])],
    ["message", messageEvent("cache miss for key user:1234")],
    ["stripped native", rustStripped(0x55d0c0a00000)],
    ["fallback", event()],
    ["custom fingerprint", messageEvent("x", { fingerprint: ["billing"] })],
  ];
  it.each(cases)("%s: every hash is 32 lowercase hex, primary first, at most 3", (_name, e) => {
    const result = computeGrouping(e);
    expect(result.hash).toMatch(/^[0-9a-f]{32}$/);
    expect(result.hashes[0]).toBe(result.hash);
    expect(result.hashes.length).toBeLessThanOrEqual(3);
    for (const hash of result.hashes) expect(hash).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(result.hashes).size).toBe(result.hashes.length);
  });
  it("is deterministic", () => {
    expect(computeGrouping(pythonValueError([3, 10]))).toEqual(computeGrouping(pythonValueError([3, 10])));
  });
});

describe("stack trace grouping", () => {
  it("ignores line numbers", () => {
    const a = computeGrouping(pythonValueError([3, 10]));
    const b = computeGrouping(pythonValueError([5, 27]));
    expect(a.variant).toBe("stacktrace");
    expect(b.hash).toBe(a.hash);
  });

  it("splits on a different in-app function", () => {
    expect(hashOf(pythonValueError([3, 10], "parse_price"))).not.toBe(hashOf(pythonValueError([3, 10])));
  });

  it("ignores the exception value once frames contribute", () => {
    expect(hashOf(pythonValueError([3, 10], "parse_quantity", "eleven"))).toBe(
      hashOf(pythonValueError([3, 10])),
    );
  });

  it("ignores addresses (ASLR) entirely", () => {
    expect(hashOf(rustDebugBuild(0x55d0c0a00000))).toBe(hashOf(rustDebugBuild(0x7f1234000000)));
    expect(hashOf(rustStripped(0x55d0c0a00000))).toBe(hashOf(rustStripped(0x7f1234000000)));
  });

  it("ignores the Rust legacy hash suffix", () => {
    const plain = rustDebugBuild(0x1000);
    const hashed = rustDebugBuild(0x1000);
    for (const frame of hashed.exception!.values[0]!.stacktrace!.frames) {
      frame.function = `${frame.function}::h0123456789abcdef`;
    }
    expect(hashOf(hashed)).toBe(hashOf(plain));
  });

  it("groups stripped builds by type and value, symbolicated ones like the debug build", () => {
    const stripped = computeGrouping(rustStripped(0x55d0c0a00000));
    const symbolicated = computeGrouping(rustSymbolicated());
    const debug = computeGrouping(rustDebugBuild(0x55d0c0a00000));
    expect(stripped.variant).toBe("exception");
    expect(symbolicated.variant).toBe("stacktrace");
    expect(stripped.hash).not.toBe(symbolicated.hash);
    expect(stripped.hashes).not.toContain(symbolicated.hash);
    expect(symbolicated.hash).toBe(debug.hash);
    // Panic machinery after the panic border does not split the system variant either.
    expect(symbolicated.hashes).toEqual(debug.hashes);
    expect(debug.hashes).toHaveLength(2);
  });

  it("stripped frames group only by the panic message, not by where they are", () => {
    const other = rustStripped(0x1000);
    other.exception!.values[0]!.value = "index out of bounds: the len is 3 but the index is 7";
    expect(hashOf(other)).not.toBe(hashOf(rustStripped(0x1000)));
    const sameMessage = rustStripped(0x1000);
    sameMessage.exception!.values[0]!.stacktrace!.frames.pop();
    expect(hashOf(sameMessage)).toBe(hashOf(rustStripped(0x1000)));
  });

  it("uses all frames when no frame is in-app", () => {
    const frames = (fn: string): Frame[] => [
      { function: "main", filename: "main.c" },
      { function: fn, filename: "util.c" },
    ];
    const a = errorEvent("native", [{ type: "SIGSEGV", stacktrace: { frames: frames("copy") } }]);
    const b = errorEvent("native", [{ type: "SIGSEGV", stacktrace: { frames: frames("move") } }]);
    expect(computeGrouping(a).variant).toBe("stacktrace");
    expect(hashOf(a)).not.toBe(hashOf(b));
    expect(computeGrouping(a).hashes).toHaveLength(1);
  });

  it("does not let system frames change the primary (app) hash", () => {
    const a = pythonValueError([3, 10]);
    const b = pythonValueError([3, 10]);
    b.exception!.values[0]!.stacktrace!.frames.push({
      function: "_call",
      module: "threading",
      in_app: false,
    });
    const ra = computeGrouping(a);
    const rb = computeGrouping(b);
    expect(rb.hash).toBe(ra.hash);
    expect(rb.hashes[1]).toBeDefined();
    expect(rb.hashes[1]).not.toBe(ra.hashes[1] ?? ra.hash);
  });

  it("counts direct recursion once", () => {
    const frame: Frame = { function: "walk", module: "tree", lineno: 4, in_app: true };
    const once = errorEvent("python", [{ type: "RecursionError", stacktrace: { frames: [frame] } }]);
    const many = errorEvent("python", [
      { type: "RecursionError", stacktrace: { frames: [frame, frame, frame] } },
    ]);
    expect(hashOf(many)).toBe(hashOf(once));
  });

  it("normalizes JavaScript names and hashed bundle filenames", () => {
    const js = (fn: string, file: string, hash: string): NormalizedEvent =>
      errorEvent("node", [
        {
          type: "TypeError",
          value: "x is undefined",
          stacktrace: {
            frames: [
              { function: "Object.<anonymous>", filename: `/app/dist/main.${hash}.js`, in_app: true },
              { function: fn, filename: file, in_app: true },
            ],
          },
        },
      ]);
    const a = js("Object.loadOrder", "/app/orders.js", "3f2a1b9c77");
    const b = js("async loadOrder", "/app/orders.js", "9d8e7f6a55");
    expect(hashOf(b)).toBe(hashOf(a));
    expect(hashOf(js("saveOrder", "/app/orders.js", "3f2a1b9c77"))).not.toBe(hashOf(a));
  });
});

describe("exception chains", () => {
  const nodeChain = (causeFn: string): NormalizedEvent =>
    errorEvent("node", [
      {
        type: "Error",
        value: "connect ECONNREFUSED 10.0.0.7:5432",
        stacktrace: { frames: [{ function: causeFn, module: "db", filename: "/app/db.js", in_app: true }] },
      },
      {
        type: "Error",
        value: "could not load order 17",
        mechanism: { type: "generic", handled: true },
        stacktrace: {
          frames: [{ function: "loadOrder", module: "orders", filename: "/app/orders.js", in_app: true }],
        },
      },
    ]);

  it("combines every exception of the chain", () => {
    expect(hashOf(nodeChain("connect"))).not.toBe(hashOf(nodeChain("query")));
    expect(hashOf(nodeChain("connect"))).toBe(hashOf(nodeChain("connect")));
  });

  it("uses the parameterized value of exceptions without frames (anyhow chains)", () => {
    const anyhow = (rootValue: string, rootType = "Os"): NormalizedEvent =>
      errorEvent("native", [
        { type: rootType, value: rootValue },
        {
          type: "Error",
          value: "loading config",
          stacktrace: { frames: [{ function: "api::config::load", filename: "config.rs", in_app: true }] },
        },
      ]);
    expect(hashOf(anyhow("No such file or directory (os error 2)"))).toBe(
      hashOf(anyhow("No such file or directory (os error 3)")),
    );
    expect(hashOf(anyhow("Permission denied (os error 13)"))).not.toBe(
      hashOf(anyhow("No such file or directory (os error 2)")),
    );
    expect(computeGrouping(anyhow("x")).variant).toBe("stacktrace");
  });

  it("falls back to type + parameterized value when no exception has frames", () => {
    const plain = (type: string, value: string) => errorEvent("python", [{ type, value }]);
    const a = computeGrouping(
      plain("ValueError", "bad quantity 17 for order 4a3b0c1d-0000-4000-8000-00000000abcd"),
    );
    const b = computeGrouping(
      plain("ValueError", "bad quantity 99 for order 9f9e9d9c-1111-4111-8111-111111111111"),
    );
    expect(a.variant).toBe("exception");
    expect(b.hash).toBe(a.hash);
    expect(hashOf(plain("KeyError", "bad quantity 17"))).not.toBe(
      hashOf(plain("ValueError", "bad quantity 17")),
    );
    expect(hashOf(plain("ValueError", "unknown sku"))).not.toBe(a.hash);
  });

  it("ignores the sentry-rust disabled-backtrace frame", () => {
    const withBogus = errorEvent("native", [
      {
        type: "Error",
        value: "loading config",
        stacktrace: { frames: [{ function: "disabled backtrace", in_app: true }] },
      },
    ]);
    const without = errorEvent("native", [{ type: "Error", value: "loading config" }]);
    expect(hashOf(withBogus)).toBe(hashOf(without));
  });

  it("ignores the type of a synthetic exception", () => {
    const minidump = (type: string) =>
      errorEvent("native", [
        {
          type,
          value: "Fatal Error: SIGSEGV",
          mechanism: { type: "minidump", synthetic: true },
          stacktrace: { frames: [{ function: "crash::run", filename: "crash.rs", in_app: true }] },
        },
      ]);
    expect(hashOf(minidump("SIGSEGV / SEGV_MAPERR / 0x0"))).toBe(
      hashOf(minidump("SIGSEGV / SEGV_MAPERR / 0x10")),
    );
  });
});

describe("threads", () => {
  it("groups a native event without exception by the crashed thread", () => {
    const threadEvent = (fn: string, addr: string) =>
      event({
        platform: "native",
        threads: {
          values: [
            { id: 1, stacktrace: { frames: [{ function: "idle", filename: "pool.rs", in_app: true }] } },
            {
              id: 2,
              crashed: true,
              stacktrace: {
                frames: [{ function: fn, filename: "worker.rs", in_app: true, instruction_addr: addr }],
              },
            },
          ],
        },
      });
    const a = computeGrouping(threadEvent("api::worker::run", "0x1000"));
    expect(a.variant).toBe("stacktrace");
    expect(hashOf(threadEvent("api::worker::run", "0x2000"))).toBe(a.hash);
    expect(hashOf(threadEvent("api::worker::stop", "0x1000"))).not.toBe(a.hash);
    expect(a.culprit).toBe("api::worker::run");
  });
});

describe("message grouping", () => {
  it("strips parameters from messages", () => {
    const a = computeGrouping(messageEvent("payment provider slow: took 2300ms for order 17"));
    const b = computeGrouping(messageEvent("payment provider slow: took 15ms for order 99"));
    expect(a.variant).toBe("message");
    expect(b.hash).toBe(a.hash);
    expect(hashOf(messageEvent("cache miss for key user:1234"))).toBe(
      hashOf(messageEvent("cache miss for key user:77")),
    );
    expect(hashOf(messageEvent("cache miss for key user:1234"))).not.toBe(a.hash);
  });

  it("prefers the logentry template", () => {
    const a = messageEvent("order 17 failed", {
      logentry: { message: "order %s failed", formatted: "order 17 failed" },
    });
    const b = messageEvent("order abc failed", {
      logentry: { message: "order %s failed", formatted: "order abc failed" },
    });
    expect(hashOf(b)).toBe(hashOf(a));
  });

  it("falls back to the empty hash when nothing contributes", () => {
    const result = computeGrouping(event());
    expect(result.variant).toBe("fallback");
    expect(result.hash).toBe(createHash("md5").update("").digest("hex"));
    expect(result.hashes).toEqual([result.hash]);
  });

  const params: [string, string][] = [
    ["took 2300ms for order 17", "took <duration> for order <int>"],
    ["timeout after 30s on 10.0.0.7", "timeout after <duration> on <ip>"],
    ["price -3.75 too low", "price <float> too low"],
    ["user 4a3b0c1d-0000-4000-8000-00000000abcd not found", "user <uuid> not found"],
    ["segfault at 0x7ffd1234abcd", "segfault at <hex>"],
    ["peer fe80::1 and 2001:db8:0:0:0:0:2:1 gone", "peer <ip> and <ip> gone"],
    ["mail to jane.doe+x@example.com bounced", "mail to <email> bounced"],
    ["fetch https://api.example.com/v1/orders?id=3 failed", "fetch <url> failed"],
    ["ran at 2026-03-01T10:00:00.123Z", "ran at <date>"],
    ["due 2026-03-01", "due <date>"],
    ["commit 0123456789abcdef0123456789abcdef01234567", "commit <sha1>"],
    ["trace 0123456789abcdef0123456789abcdef", "trace <md5>"],
    ["blob sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "blob sha256 <hex>"],
    [
      "invalid literal for int() with base 10: 'seventeen'",
      "invalid literal for int() with base <int>: 'seventeen'",
    ],
    ["login failed user='bob smith' admin=true", "login failed user=<quoted_str> admin=<bool>"],
    ["called `Option::unwrap()` on a `None` value", "called `Option::unwrap()` on a `None` value"],
    ["loading module abc::def", "loading module abc::def"],
    ["v2 api returned 503", "v2 api returned <int>"],
  ];
  it.each(params)("parameterizeMessage(%j)", (input, expected) => {
    expect(parameterizeMessage(input)).toBe(expected);
  });
});

describe("custom fingerprints", () => {
  it("replaces the default grouping", () => {
    const a = computeGrouping(pythonValueError([3, 10], "parse_quantity"));
    const fa = computeGrouping({ ...pythonValueError([3, 10], "parse_quantity"), fingerprint: ["billing"] });
    const fb = computeGrouping({ ...messageEvent("something else"), fingerprint: ["billing"] });
    expect(fa.variant).toBe("custom-fingerprint");
    expect(fa.hash).not.toBe(a.hash);
    expect(fb.hash).toBe(fa.hash);
    expect(fa.hashes).toEqual([fa.hash]);
  });

  it("extends the default grouping with {{ default }}", () => {
    const base = pythonValueError([3, 10]);
    const plain = computeGrouping(base);
    const tenantA = computeGrouping({ ...base, fingerprint: ["{{ default }}", "tenant-a"] });
    const tenantAnoSpace = computeGrouping({ ...base, fingerprint: ["{{default}}", "tenant-a"] });
    const tenantB = computeGrouping({ ...base, fingerprint: ["{{ default }}", "tenant-b"] });
    expect(tenantA.hash).not.toBe(plain.hash);
    expect(tenantA.hash).not.toBe(tenantB.hash);
    expect(tenantAnoSpace.hash).toBe(tenantA.hash);
    expect(tenantA.variant).toBe("stacktrace");
    // Different code with the same extra entry still splits.
    const other = computeGrouping({
      ...pythonValueError([3, 10], "parse_price"),
      fingerprint: ["{{ default }}", "tenant-a"],
    });
    expect(other.hash).not.toBe(tenantA.hash);
  });

  it("treats a default-only fingerprint as no fingerprint", () => {
    const base = pythonValueError([3, 10]);
    expect(computeGrouping({ ...base, fingerprint: ["{{ default }}"] })).toEqual(computeGrouping(base));
  });

  it("resolves variables", () => {
    const withTx = (tx: string, level: NormalizedEvent["level"]) =>
      hashOf({
        ...pythonValueError([3, 10]),
        transaction: tx,
        level,
        fingerprint: ["{{ transaction }}", "{{ level }}"],
      });
    expect(withTx("/orders", "error")).toBe(withTx("/orders", "error"));
    expect(withTx("/orders", "error")).not.toBe(withTx("/cart", "error"));
    expect(withTx("/orders", "error")).not.toBe(withTx("/orders", "fatal"));
    const byType = (type: string, spelling: string) =>
      hashOf(errorEvent("python", [{ type, value: String(Math.random()) }], { fingerprint: [spelling] }));
    expect(byType("KeyError", "{{ type }}")).toBe(byType("KeyError", "{{ error.type }}"));
    expect(byType("KeyError", "{{ type }}")).not.toBe(byType("ValueError", "{{ type }}"));
    const byFunction = (fn: string) =>
      hashOf({ ...pythonValueError([1, 2], fn), fingerprint: ["{{ function }}"] });
    expect(byFunction("parse_quantity")).not.toBe(byFunction("parse_price"));
    const byTag = (value: string) =>
      hashOf(
        messageEvent(String(Math.random()), {
          tags: [["tenant", value]],
          fingerprint: ["{{ tags.tenant }}"],
        }),
      );
    expect(byTag("a")).toBe(byTag("a"));
    expect(byTag("a")).not.toBe(byTag("b"));
  });
});

describe("titles", () => {
  const cases: [string, NormalizedEvent, string][] = [
    [
      "@sentry/node error with cause",
      errorEvent("node", [
        { type: "Error", value: "connect ECONNREFUSED 10.0.0.7:5432" },
        { type: "Error", value: "could not load order 17", mechanism: { type: "generic", handled: true } },
      ]),
      "Error: could not load order 17",
    ],
    [
      "python ValueError",
      pythonValueError([3, 10]),
      "ValueError: invalid literal for int() with base 10: 'seventeen'",
    ],
    [
      "python message",
      messageEvent("cache miss for key user:1234", { platform: "python" }),
      "cache miss for key user:1234",
    ],
    [
      "node warning message",
      messageEvent("payment provider slow: 2300ms for order 17", { platform: "node", level: "warning" }),
      "payment provider slow: 2300ms for order 17",
    ],
    ["sentry-rust panic", rustDebugBuild(0x1000), "panic: called `Option::unwrap()` on a `None` value"],
    [
      "anyhow chain (outermost last)",
      errorEvent("native", [
        { type: "Os", value: "No such file or directory (os error 2)" },
        { type: "Error", value: "loading config" },
      ]),
      "Error: loading config",
    ],
    ["type only", errorEvent("python", [{ type: "KeyboardInterrupt" }]), "KeyboardInterrupt"],
    ["value only", errorEvent("native", [{ value: "something broke" }]), "something broke"],
    [
      "multi-line value",
      errorEvent("python", [{ type: "AssertionError", value: "\nfirst\nsecond" }]),
      "AssertionError: first",
    ],
    ["long value", errorEvent("python", [{ type: "E", value: "x".repeat(150) }]), `E: ${"x".repeat(99)}…`],
    ["long message", messageEvent(`${"m".repeat(120)}\nmore`), `${"m".repeat(99)}…`],
    [
      "logentry only",
      event({ logentry: { message: "order %s failed", formatted: "order 17 failed" } }),
      "order 17 failed",
    ],
    ["nothing", event(), "<unlabeled event>"],
    [
      "synthetic (minidump)",
      errorEvent("native", [
        {
          type: "SIGSEGV / SEGV_MAPERR / 0x0",
          value: "Fatal Error: SIGSEGV / SEGV_MAPERR / 0x0",
          mechanism: { type: "minidump", synthetic: true },
        },
      ]),
      "Fatal Error: SIGSEGV / SEGV_MAPERR / 0x0",
    ],
  ];
  it.each(cases)("%s", (_name, e, title) => {
    expect(computeGrouping(e).title).toBe(title);
  });
});

describe("culprit and metadata", () => {
  it("names the in-app function for python", () => {
    const result = computeGrouping(pythonValueError([3, 10]));
    expect(result.culprit).toBe("app in parse_quantity");
    expect(result.metadata).toEqual({
      type: "ValueError",
      value: "invalid literal for int() with base 10: 'seventeen'",
      filename: "app.py",
      function: "parse_quantity",
      in_app_frame_mix: "in-app-only",
    });
  });

  it("prefers the transaction", () => {
    const result = computeGrouping({ ...pythonValueError([3, 10]), transaction: "/api/orders/{id}" });
    expect(result.culprit).toBe("/api/orders/{id}");
  });

  it("uses the most recent in-app frame, not the panic machinery", () => {
    const result = computeGrouping(rustSymbolicated());
    expect(result.culprit).toBe("api::handler::load");
    expect(result.metadata.function).toBe("api::handler::load");
    expect(result.metadata.in_app_frame_mix).toBe("mixed");
  });

  it("is empty for stripped frames and trimmed to 200 characters", () => {
    expect(computeGrouping(rustStripped(0x1000)).culprit).toBe("");
    const long = computeGrouping({ ...messageEvent("x"), transaction: "t".repeat(300) });
    expect(long.culprit).toHaveLength(200);
    expect(long.culprit.endsWith("…")).toBe(true);
  });

  it("names JavaScript frames `function(module)` and skips in-app frames that locate nothing, as Sentry", () => {
    const frames: Frame[] = [
      {
        function: "ModuleJob.run",
        filename: "node:internal/modules/esm/module_job",
        module: "module_job",
        in_app: false,
      },
      { function: "loadConfig", filename: "/srv/shop/app.mjs", module: "app", in_app: true },
      { function: "inner", abs_path: "/srv/shop/gen.mjs", in_app: true },
      { function: "JSON.parse", filename: "<anonymous>", module: "<anonymous>", in_app: false },
    ];
    const error = (platform: string, fs: Frame[]) =>
      errorEvent(platform, [{ type: "Error", value: "boom", stacktrace: { frames: fs } }]);
    expect(computeGrouping(error("node", frames)).culprit).toBe("loadConfig(app)");
    expect(computeGrouping(error("javascript", frames)).culprit).toBe("loadConfig(app)");
    // An anonymous function is `?`; a frame's own platform decides.
    const anonymous: Frame = { filename: "app.js", in_app: true };
    expect(computeGrouping(error("javascript", [anonymous])).culprit).toBe("?(app.js)");
    expect(computeGrouping(error("python", [{ ...anonymous, platform: "node" }])).culprit).toBe("?(app.js)");
    // Without an in-app frame, the most recent frame names it.
    const system = frames.map((f) => ({ ...f, in_app: false }));
    expect(computeGrouping(error("node", system)).culprit).toBe("JSON.parse(<anonymous>)");
  });

  it("describes message events by title only", () => {
    const result = computeGrouping(messageEvent("cache miss for key user:1234"));
    expect(result.metadata).toEqual({ title: "cache miss for key user:1234" });
    expect(result.culprit).toBe("");
  });

  it("leaves out the type of a synthetic exception", () => {
    const result = computeGrouping(
      errorEvent("native", [
        { type: "SIGABRT", value: "Fatal Error: SIGABRT", mechanism: { type: "minidump", synthetic: true } },
      ]),
    );
    expect(result.metadata.type).toBeUndefined();
    expect(result.metadata.value).toBe("Fatal Error: SIGABRT");
  });
});

describe("native function names", () => {
  const names: [string, string][] = [
    ["api::main::h0123456789abcdef", "api::main"],
    [
      "<alloc::sync::Arc<std::thread::Inner, std::alloc::System>>::drop_slow",
      "alloc::sync::Arc<T>::drop_slow",
    ],
    ["<api::Order as core::fmt::Display>::fmt", "api::Order::fmt"],
    ["<T as api::Loader>::load", "api::Loader::load"],
    ["core::ptr::drop_in_place<api::Order>", "core::ptr::drop_in_place<T>"],
    ["api::main::{{closure}}", "api::main::{{closure}}"],
    ["api::main::{closure#0}", "api::main::{closure}"],
    ["void ns::Foo<int>::bar(int, char const*) const", "ns::Foo<T>::bar"],
    ["ns::Foo::operator<<(std::ostream&)", "ns::Foo::operator<<"],
    ["(anonymous namespace)::helper(int)", "(anonymous namespace)::helper"],
    ["foo::bar() [clone .cold]", "foo::bar"],
    ["memcpy@@GLIBC_2.14", "memcpy"],
    ["-[NSObject description]", "-[NSObject description]"],
  ];
  it.each(names)("trims %j", (input, expected) => {
    expect(trimNativeFunctionName(input)).toBe(expected);
    expect(trimNativeFunctionName(input)).toBe(expected); // the second answer comes from the cache
  });

  it("answers plain paths by the fast path exactly as the full trim does", () => {
    const plain = [
      "api::main",
      "api::main::h0123456789abcdef",
      "tokio::runtime::task::poll_7",
      "std::rt::lang_start_internal",
      "main",
      "_start",
      "core::ops::function::FnOnce::call_once::h0123456789abcdef",
      "api::lambda_0123456789abcdef0123456789abcdef",
      "memcpy",
    ];
    for (const name of plain) expect(trimNativeFunctionName(name)).toBe(trimNativeFunctionNameUncached(name));
  });

  it("keeps answering right past the cache's bound", () => {
    for (let i = 0; i < 25_000; i++) {
      const name = `void ns::F${i}<int>::run(int) const`;
      expect(trimNativeFunctionName(name)).toBe(`ns::F${i}<T>::run`);
    }
    expect(trimNativeFunctionName("void ns::F1<int>::run(int) const")).toBe("ns::F1<T>::run");
  });
});
