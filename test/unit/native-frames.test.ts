// The server's rules for native frames: which are the application's (in-app), where the code that
// raised ends (panic machinery, anyhow's construction frames), and the culprit Sentry shows. Table
// tests over names and packages, then the real sentry-rust 0.37 payloads through normalization.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { crashFrame, raisingFramesEnd } from "../../src/grouping/frames.ts";
import { computeGrouping } from "../../src/grouping/index.ts";
import { parseEnvelope } from "../../src/protocol/envelope.ts";
import { normalizeEvent } from "../../src/protocol/normalize/index.ts";
import type { Frame, NormalizedEvent } from "../../src/protocol/types.ts";
import { applyInAppRules, isLibraryFrame, owningPath } from "../../src/symbolication/in-app.ts";

const LIBC = "/lib/x86_64-linux-gnu/libc.so.6";
const APP = "/opt/rustapp/bin/rustapp";

describe("in-app rules", () => {
  it.each([
    // [function, package, not in-app]
    ["rustapp::pick_shard", APP, false],
    ["rustapp::main::{{closure}}", APP, false],
    ["main", APP, false],
    ["<rustapp::Config as core::fmt::Display>::fmt", APP, false],
    ["<rustapp::Shard>::pick", APP, false],
    ["std::rt::lang_start_internal", APP, true],
    ["core::result::unwrap_failed", APP, true],
    ["alloc::raw_vec::finish_grow", APP, true],
    ["backtrace::backtrace::libunwind::trace", APP, true],
    ["sentry_panic::panic_handler", APP, true],
    ["sentry_core::hub::Hub::capture_event", APP, true],
    ["sentry::init", APP, true],
    ["tokio::runtime::task::raw::poll", APP, true],
    ["anyhow::error::<impl anyhow::Error>::construct", APP, true],
    ["<E as anyhow::context::ext::StdError>::ext_context", APP, true],
    ["<core::result::Result<T,E> as anyhow::Context<T,E>>::context", APP, true],
    ["tracing_core::dispatcher::get_default", APP, true],
    ["tracing::span::Span::in_scope", APP, true],
    ["log::__private_api::log", APP, true],
    ["futures_util::future::future::FutureExt::poll_unpin", APP, true],
    ["futures::executor::block_on", APP, true],
    ["__rust_begin_short_backtrace", APP, true],
    ["__rust_start_panic", APP, true],
    ["__rustc::rust_begin_unwind", APP, true],
    ["rust_begin_unwind", APP, true],
    ["_start", APP, true],
    ["<std::backtrace::Backtrace>::capture", APP, true],
    ["<alloc::sync::Arc<T> as core::ops::drop::Drop>::drop", APP, true],
    [
      "<&dyn core::ops::function::Fn<(), Output = i32> + core::marker::Sync + core::panic::unwind_safe::RefUnwindSafe as core::ops::function::FnOnce<()>>::call_once",
      undefined,
      true,
    ],
    ["at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/panic.rs:359:14", undefined, true],
    ["__libc_start_main_impl", LIBC, true],
    ["start_thread", LIBC, true],
    ["clone3", LIBC, true],
    ["<unknown>", LIBC, true],
    ["<unknown>", "linux-vdso.so.1", true],
    ["<unknown>", "/usr/lib/x86_64-linux-gnu/libssl.so.3", true],
    ["<unknown>", APP, false],
    [undefined, APP, false],
  ] as [string | undefined, string | undefined, boolean][])("%s in %s → library: %s", (fn, pkg, library) => {
    expect(isLibraryFrame({ function: fn, package: pkg })).toBe(library);
  });

  it("judges by the source path too: std's remapped sources and registry crates", () => {
    expect(
      isLibraryFrame({ function: "x", abs_path: "/rustc/5980761/library/core/src/ops/function.rs" }),
    ).toBe(true);
    expect(
      isLibraryFrame({ function: "x", abs_path: "/home/u/.cargo/registry/src/index/ureq-2.6.2/lib.rs" }),
    ).toBe(true);
    expect(isLibraryFrame({ function: "x", abs_path: "/build/rustapp/src/main.rs" })).toBe(false);
  });

  it.each([
    ["<std::backtrace::Backtrace>::capture", "std::backtrace::Backtrace"],
    ["<E as anyhow::context::ext::StdError>::ext_context", "anyhow::context::ext::StdError"],
    ["<rustapp::Config as core::fmt::Display>::fmt", "rustapp::Config"],
    ["<&mut rustapp::W as core::fmt::Write>::write_str", "rustapp::W"],
    ["<[T] as core::fmt::Debug>::fmt", "core::fmt::Debug"],
    ["rustapp::main", "rustapp::main"],
  ])("%s belongs to %s", (fn, owner) => {
    expect(owningPath(fn)).toBe(owner);
  });

  it("only takes in-app away, and leaves non-native frames alone", () => {
    const frames: Frame[] = [
      { function: "std::rt::lang_start", in_app: true },
      { function: "rustapp::main", in_app: false },
      { function: "std::thing", in_app: true, platform: "javascript" },
    ];
    const event = applyInAppRules(nativeEvent(frames));
    expect(event.exception?.values[0]?.stacktrace?.frames.map((f) => f.in_app)).toEqual([false, false, true]);
  });
});

// --- the captures, through normalization -----------------------------------------------------------

function capture(name: string): NormalizedEvent {
  const bytes = new Uint8Array(
    readFileSync(new URL(`../fixtures/captures/sentry-rust-0.37/${name}.envelope`, import.meta.url)),
  );
  const envelope = parseEnvelope(bytes);
  const item = envelope.items[0]!;
  return normalizeEvent(JSON.parse(new TextDecoder().decode(item.payload)), {
    receivedAt: 1796301580,
    itemType: "event",
  });
}

const lastFrames = (event: NormalizedEvent) => {
  const values = event.exception?.values ?? [];
  return values[values.length - 1]?.stacktrace?.frames ?? [];
};

describe("sentry-rust 0.37 payloads", () => {
  it("stripped panic: the SDK's pre-symbolicated libc frames are not in-app, unknown app frames stay", () => {
    const frames = lastFrames(capture("panic"));
    const libc = frames.filter((f) => f.function?.startsWith("__libc_"));
    expect(libc).toHaveLength(2);
    for (const frame of libc) expect(frame.in_app).toBe(false);
    for (const frame of frames.filter((f) => f.function === "<unknown>")) expect(frame.in_app).toBe(true);
  });

  it("spawned-thread panic: start_thread and clone3 by name alone are kept until their image is known", () => {
    const frames = lastFrames(capture("spawn-panic"));
    expect(frames.find((f) => f.function === "clone3")?.in_app).toBe(true);
    // Symbolication gives them their image (package); then the system-path rule applies.
    const withPackage = applyInAppRules(
      nativeEvent(frames.map((f) => (f.function === "clone3" ? { ...f, package: LIBC } : f))),
    );
    expect(lastFrames(withPackage).find((f) => f.function === "clone3")?.in_app).toBe(false);
  });

  it("in-process hooked panic: only the application's frames stay in-app; culprit is the panicking function", () => {
    const event = capture("inprocess-hooked-panic");
    const inApp = lastFrames(event)
      .filter((f) => f.in_app === true)
      .map((f) => f.function);
    expect(inApp).toEqual([
      "<unknown>",
      "main",
      "rustapp::main",
      "rustapp::load_listener_config",
      "rustapp::parse_port",
    ]);
    const grouping = computeGrouping(event);
    expect(grouping.culprit).toBe("rustapp::parse_port");
    expect(grouping.title).toBe("panic: invalid port: ParseIntError { kind: InvalidDigit }");
    expect(grouping.metadata).toMatchObject({ function: "rustapp::parse_port", filename: "main.rs" });
  });

  it("in-process anyhow error: std's unnamed inline frames are not in-app; culprit is the app function", () => {
    const event = capture("inprocess-anyhow");
    const frames = lastFrames(event);
    for (const frame of frames.filter((f) => f.function?.startsWith("at /rustc/")))
      expect(frame.in_app).toBe(false);
    const grouping = computeGrouping(event);
    expect(grouping.culprit).toBe("rustapp::read_config_file");
    expect(grouping.title).toBe("Error: service startup failed");
  });
});

// --- where the raising code ends -------------------------------------------------------------------

function nativeEvent(frames: Frame[], type = "panic", value = "boom"): NormalizedEvent {
  return {
    event_id: "6f1c2a7e5d7b4b8e9b8a3c2d1e0f9a8b",
    type: "error",
    timestamp: 1796301575,
    received: 1796301576,
    level: "fatal",
    platform: "native",
    tags: [],
    exception: { values: [{ type, value, stacktrace: { frames } }] },
  };
}

/** A symbolicated frame the way Faultline expands one: function, file, package, in-app by the rules. */
function sym(fn: string, file = "main.rs"): Frame {
  const frame: Frame = { function: fn, filename: file, abs_path: `/build/rustapp/src/${file}`, package: APP };
  frame.in_app = !isLibraryFrame(frame);
  return frame;
}

const OUTER = [
  sym("_start"),
  sym("main"),
  sym("std::rt::lang_start_internal", "rt.rs"),
  sym("rustapp::main"),
];

describe("the frames of the code that raised", () => {
  it("hooked panic: the app's hook closure above the panic machinery is trimmed with it", () => {
    const frames = [
      ...OUTER,
      sym("rustapp::load_listener_config"),
      sym("rustapp::parse_port"),
      sym("core::result::unwrap_failed", "result.rs"),
      sym("core::panicking::panic_fmt", "panicking.rs"),
      sym("__rustc::rust_begin_unwind", "panicking.rs"),
      sym("std::panicking::panic_with_hook", "panicking.rs"),
      sym("rustapp::main::{{closure}}"),
      sym("sentry_panic::panic_handler", "lib.rs"),
      sym("sentry_backtrace::backtrace", "lib.rs"),
      sym("backtrace::backtrace::libunwind::trace", "libunwind.rs"),
    ];
    const event = nativeEvent(frames);
    expect(raisingFramesEnd(frames, "native")).toBe(7);
    expect(crashFrame(event)?.function).toBe("rustapp::parse_port");
    const grouping = computeGrouping(event);
    expect(grouping.culprit).toBe("rustapp::parse_port");
    expect(grouping.metadata.function).toBe("rustapp::parse_port");
    // The same panic without the hook groups the same.
    expect(computeGrouping(nativeEvent([...frames.slice(0, 10), ...frames.slice(11)])).hashes).toEqual(
      grouping.hashes,
    );
  });

  it("anyhow: its construction frames are neither the culprit nor part of the hash", () => {
    const anyhow37 = [
      ...OUTER,
      sym("rustapp::start_service"),
      sym("rustapp::read_config_file"),
      sym("<core::result::Result<T,E> as anyhow::Context<T,E>>::with_context", "context.rs"),
      sym("<E as anyhow::context::ext::StdError>::ext_context", "backtrace.rs"),
      sym("anyhow::error::<impl anyhow::Error>::construct", "error.rs"),
      sym("std::backtrace::Backtrace::capture", "backtrace.rs"),
      sym("std::backtrace::Backtrace::create", "backtrace.rs"),
    ];
    // Another anyhow version: different internal frames, same program.
    const anyhowOther = [
      ...OUTER,
      sym("rustapp::start_service"),
      sym("rustapp::read_config_file"),
      sym(
        "anyhow::context::<impl anyhow::Context<T,E> for core::result::Result<T,E>>::with_context",
        "context.rs",
      ),
      sym("anyhow::error::<impl anyhow::Error>::from_context", "error.rs"),
      sym("core::ops::function::FnOnce::call_once", "function.rs"),
      sym("<std::backtrace::Backtrace>::capture", "backtrace.rs"),
    ];
    const a = computeGrouping(nativeEvent(anyhow37, "Error", "service startup failed"));
    const b = computeGrouping(nativeEvent(anyhowOther, "Error", "service startup failed"));
    expect(a.culprit).toBe("rustapp::read_config_file");
    expect(b.culprit).toBe("rustapp::read_config_file");
    expect(a.hash).toBe(b.hash);
    expect(a.hashes).toEqual(b.hashes);
  });

  it("keeps library frames between the app and the machinery when no anyhow frame is there", () => {
    const frames = [
      ...OUTER,
      sym("rustapp::parse_port"),
      sym("core::result::Result<T,E>::expect", "result.rs"),
      sym("core::panicking::panic_fmt", "panicking.rs"),
    ];
    expect(raisingFramesEnd(frames, "native")).toBe(6);
  });

  it("native culprits are the bare function; others keep `file in function`", () => {
    const native = computeGrouping(nativeEvent([...OUTER, sym("rustapp::pick_shard")]));
    expect(native.culprit).toBe("rustapp::pick_shard");
    const python: NormalizedEvent = {
      ...nativeEvent([{ function: "load", filename: "app.py", module: "app.loader", in_app: true }]),
      platform: "python",
    };
    expect(computeGrouping(python).culprit).toBe("app.loader in load");
  });
});
