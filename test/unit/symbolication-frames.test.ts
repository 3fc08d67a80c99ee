// Frame symbolication: image matching, caller adjustment, inline expansion into several frames with
// one instruction_addr, statuses for every miss, and whole events keeping their raw stack traces.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { FaultlineError } from "../../src/errors.ts";
import type { DebugImage, Frame, NormalizedEvent } from "../../src/protocol/types.ts";
import { memorySource } from "../../src/symbolication/byte-source.ts";
import { initDemangler } from "../../src/symbolication/demangle.ts";
import { isInApp } from "../../src/symbolication/in-app.ts";
import { buildLookup } from "../../src/symbolication/lookup-build.ts";
import { type Lookup, openLookupBytes } from "../../src/symbolication/lookup-query.ts";
import {
  imageIdentity,
  imageRanges,
  lookupAddress,
  symbolicateEvent,
  symbolicateStacktrace,
} from "../../src/symbolication/symbolicate.ts";

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../fixtures/native/bin/${name}`, import.meta.url)));
const wasm = new URL("../../node_modules/gecko-profiler-demangle/index_bg.wasm", import.meta.url);
// Node compiles the module from the package file; workers-types does not declare WebAssembly.compile.
const compileWasm = (WebAssembly as unknown as { compile(bytes: Uint8Array): Promise<WebAssembly.Module> })
  .compile;

const BASE = 0x55d0c0800000n;
const at = (offset: number) => `0x${(BASE + BigInt(offset)).toString(16)}`;
const app: DebugImage = {
  type: "elf",
  code_file: "/srv/app",
  debug_id: "90250c67-31ae-cfcf-e3b9-e7d06923d073",
  image_addr: at(0),
  image_size: 0x5000,
};
const libc: DebugImage = {
  type: "elf",
  code_file: "/usr/lib/x86_64-linux-gnu/libc.so.6",
  image_addr: "0x7f0000000000",
  image_size: 0x200000,
};
let lookup: Lookup;
const find = (image: DebugImage) => (image === app ? lookup : undefined);

beforeAll(async () => {
  await initDemangler(await compileWasm(readFileSync(wasm)));
  lookup = await openLookupBytes(await buildLookup(memorySource(fixture("c-dwarf5"))));
});

describe("symbolicateStacktrace", () => {
  it("expands inline chains caller-first, adjusts callers, leaves the crashing frame unadjusted", async () => {
    const frames: Frame[] = [
      { instruction_addr: at(0x1624) }, // a caller: return address, looked up at 0x1623
      { instruction_addr: at(0x12b0) }, // the crashing frame (last): not adjusted
    ];
    const { stacktrace, raw, changed } = await symbolicateStacktrace({ frames }, [app], find);
    expect(changed).toBe(true);
    expect(raw.frames).toEqual(frames);
    expect(stacktrace.frames).toEqual([
      {
        instruction_addr: at(0x1623),
        function: "walk_grid",
        raw_function: "walk_grid",
        symbol: "walk_grid",
        filename: "c_grid.c",
        abs_path: "/src/src/c_grid.c",
        lineno: 23,
        symbol_addr: at(0x1610),
        package: "/srv/app",
        in_app: true,
        symbolicator_status: "symbolicated",
      },
      expect.objectContaining({ function: "cell_cost", lineno: 7, instruction_addr: at(0x1623) }),
      expect.objectContaining({ function: "weigh", filename: "shapes.h", lineno: 26 }),
      expect.objectContaining({ function: "clamp_int", filename: "shapes.h", lineno: 11 }),
      expect.objectContaining({ function: "_start", instruction_addr: at(0x12b0), in_app: false }),
    ]);
    for (const inlined of stacktrace.frames.slice(1, 4)) expect(inlined.symbol_addr).toBeUndefined();
  });

  it("gives every miss a status and keeps the raw frame", async () => {
    const frames: Frame[] = [
      { instruction_addr: "0x10", function: "<unknown>" },
      { instruction_addr: "0x7f0000001234" },
      { instruction_addr: at(0x4f00) }, // inside the image, but no code there
      { function: "no_address" },
      { instruction_addr: "not hex" },
      { instruction_addr: at(0x1624), symbolicator_status: "symbolicated", function: "already" },
    ];
    const { stacktrace, changed } = await symbolicateStacktrace({ frames }, [libc, app], find);
    expect(changed).toBe(false);
    expect(stacktrace.frames).toEqual([
      { instruction_addr: "0x10", function: "<unknown>", symbolicator_status: "unknown_image" },
      {
        instruction_addr: "0x7f0000001234",
        symbolicator_status: "missing",
        package: "/usr/lib/x86_64-linux-gnu/libc.so.6",
      },
      { instruction_addr: at(0x4f00), symbolicator_status: "missing_symbol", package: "/srv/app" },
      { function: "no_address" },
      { instruction_addr: "not hex" },
      frames[5],
    ]);
  });

  it("reports malformed lookups per frame instead of failing the event", async () => {
    const broken = () => {
      throw new FaultlineError(400, "malformed debug file: bad");
    };
    const { stacktrace } = await symbolicateStacktrace(
      { frames: [{ instruction_addr: at(0x1624) }] },
      [app],
      broken,
    );
    expect(stacktrace.frames[0]?.symbolicator_status).toBe("malformed");
    const unexpected = () => {
      throw new TypeError("bug");
    };
    await expect(
      symbolicateStacktrace({ frames: [{ instruction_addr: at(0x1624) }] }, [app], unexpected),
    ).rejects.toThrow(TypeError);
  });

  it.each([
    ["auto", undefined, [0x1623, 0x1624]],
    ["none", "none", [0x1624, 0x1624]],
    ["all", "all", [0x1623, 0x1623]],
    ["all_but_first", "all_but_first", [0x1623, 0x1624]],
  ])("instruction_addr_adjustment %s", async (_name, mode, expected) => {
    const frames: Frame[] = [{ instruction_addr: at(0x1624) }, { instruction_addr: at(0x1624) }];
    const stacktrace = mode ? { frames, instruction_addr_adjustment: mode } : { frames };
    const out = await symbolicateStacktrace(stacktrace, [app], find);
    const first = out.stacktrace.frames[0]?.instruction_addr;
    const last = out.stacktrace.frames[out.stacktrace.frames.length - 1]?.instruction_addr;
    expect([first, last]).toEqual(expected.map(at));
  });

  it("honours a per-frame adjust_instruction_addr and rel: addressing", async () => {
    const frames: Frame[] = [
      { instruction_addr: at(0x1624), adjust_instruction_addr: false },
      { instruction_addr: "0x1624", addr_mode: "rel:1" },
    ];
    const out = await symbolicateStacktrace({ frames }, [libc, app], find);
    expect(out.stacktrace.frames.map((f) => f.instruction_addr)).toEqual(Array(8).fill(at(0x1624)));
  });
});

describe("symbolicateEvent", () => {
  it("symbolicates exceptions and threads and keeps raw_stacktrace", async () => {
    const event = {
      event_id: "a".repeat(32),
      type: "error",
      timestamp: 1,
      received: 1,
      level: "fatal",
      platform: "native",
      tags: [],
      debug_meta: { images: [app] },
      exception: { values: [{ type: "panic", stacktrace: { frames: [{ instruction_addr: at(0x1624) }] } }] },
      threads: { values: [{ id: 1, stacktrace: { frames: [{ instruction_addr: "0x10" }] } }] },
    } satisfies NormalizedEvent;
    const out = await symbolicateEvent(event, find);
    expect(out.exception?.values[0]?.stacktrace?.frames.map((f) => f.function)).toEqual([
      "walk_grid",
      "cell_cost",
      "weigh",
      "clamp_int",
    ]);
    expect(out.exception?.values[0]?.raw_stacktrace?.frames).toEqual([{ instruction_addr: at(0x1624) }]);
    expect(out.threads?.values[0]?.stacktrace?.frames[0]?.symbolicator_status).toBe("unknown_image");
    expect(out.threads?.values[0]?.raw_stacktrace).toBeUndefined();
    expect(event.exception.values[0]?.stacktrace.frames[0]).toEqual({ instruction_addr: at(0x1624) });
  });
});

describe("caller adjustment per architecture", () => {
  it.each([
    ["x86_64", 0x1005n, true, 0x1004n],
    ["x86_64", 0x1005n, false, 0x1005n],
    ["x86", 0x1000n, true, 0xfffn],
    ["arm64", 0x1006n, true, 0x1000n],
    ["arm64e", 0x1006n, false, 0x1004n],
    ["arm", 0x1003n, true, 0x1000n],
    ["armv7", 0x1003n, false, 0x1002n],
    ["mips", 0x1008n, true, 0x1000n],
    ["ppc64", 0x1010n, true, 0x1008n],
    ["unknown", 0x1000n, true, 0xfffn],
    ["x86_64", 0n, true, 0n],
  ])("%s %d adjust=%s", (arch, address, adjust, expected) => {
    expect(lookupAddress(address, arch, adjust)).toBe(expected);
  });
});

describe("images", () => {
  it("sorts native images, back-fills missing sizes and ignores other types", () => {
    const ranges = imageRanges([
      { type: "elf", image_addr: "0x3000", image_size: 0 },
      { type: "elf", image_addr: "0x1000" },
      { type: "sourcemap", image_addr: "0x2000", image_size: 10 },
      { type: "elf", image_addr: "garbage", image_size: 10 },
    ]);
    expect(ranges.map((r) => [r.start, r.end])).toEqual([
      [0x1000n, 0x3000n],
      [0x3000n, 2n ** 64n],
    ]);
  });
});

describe("image identity", () => {
  it.each([
    [app, { debugId: "90250c67-31ae-cfcf-e3b9-e7d06923d073", codeFile: "/srv/app" }],
    [
      {
        type: "symbolic",
        name: "/usr/local/bin/api",
        id: "C0BCC3F1-9827-FE65-3058-404B2831D9E6",
        code_id: "F1C3BCC0279865FE3058404B2831D9E64135386C",
      },
      {
        debugId: "c0bcc3f1-9827-fe65-3058-404b2831d9e6",
        codeId: "f1c3bcc0279865fe3058404b2831d9e64135386c",
        codeFile: "/usr/local/bin/api",
      },
    ],
    [{ type: "elf", debug_id: "00000000-0000-0000-0000-000000000000", code_id: "not hex" }, {}],
    [{ type: "elf", debug_id: "garbage" }, {}],
  ] as [DebugImage, object][])("%o", (image, expected) => {
    expect(imageIdentity(image)).toEqual(expected);
  });
});

describe("in_app", () => {
  it.each([
    ["main", "/srv/app", true],
    ["rust_main::run", "/srv/app", true],
    ["std::panicking::begin_panic", "/srv/app", false],
    ["core::result::unwrap_failed", "/srv/app", false],
    ["<alloc::sync::Arc<T> as core::ops::drop::Drop>::drop", "/srv/app", false],
    ["tokio::runtime::park", "/srv/app", false],
    ["sentry_core::hub::Hub::capture_event", "/srv/app", false],
    ["backtrace::capture::Backtrace::new", "/srv/app", false],
    ["__rust_start_panic", "/srv/app", false],
    ["rust_begin_unwind", "/srv/app", false],
    ["main", "/usr/lib/x86_64-linux-gnu/libc.so.6", false],
  ])("%s in %s", (fn, pkg, expected) => {
    expect(isInApp(fn, pkg)).toBe(expected);
  });
});
