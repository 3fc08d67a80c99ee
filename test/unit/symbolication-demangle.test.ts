// Demangling through the gecko-profiler-demangle module: Rust legacy and v0 in rustc-demangle's
// alternate form (no hash, no crate disambiguators), Itanium C++ without return types, and names it
// cannot demangle kept as they are.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  demangle,
  displayName,
  initDemangler,
  isDemanglerReady,
  stripRustHash,
} from "../../src/symbolication/demangle.ts";

const wasm = new URL("../../node_modules/gecko-profiler-demangle/index_bg.wasm", import.meta.url);
// Node compiles the module from the package file; workers-types does not declare WebAssembly.compile.
const compileWasm = (WebAssembly as unknown as { compile(bytes: Uint8Array): Promise<WebAssembly.Module> })
  .compile;

describe("before initialisation", () => {
  it("refuses to demangle instead of silently returning mangled names", () => {
    expect(isDemanglerReady()).toBe(false);
    expect(() => demangle("_ZN4main5outer17h11d7de59a7ffb60aE")).toThrow(/initDemangler/);
  });
});

describe("demangle", () => {
  it("initialises once; a second call is a no-op", async () => {
    const module = await compileWasm(readFileSync(wasm));
    await initDemangler(module);
    await initDemangler(module);
    expect(isDemanglerReady()).toBe(true);
  });

  it.each([
    // Rust legacy: hash dropped, $-escapes decoded
    ["_ZN4main5outer17h11d7de59a7ffb60aE", "main::outer"],
    ["_ZN9rust_main6parser8tokenize17h6a2dfbf2c81352e9E", "rust_main::parser::tokenize"],
    [
      "_ZN71_$LT$alloc..sync..Arc$LT$T$C$A$GT$$u20$as$u20$core..ops..drop..Drop$GT$4drop17h0123456789abcdefE",
      "<alloc::sync::Arc<T,A> as core::ops::drop::Drop>::drop",
    ],
    [
      "_ZN3std2rt10lang_start28_$u7b$$u7b$closure$u7d$$u7d$17h2ad440f1b4bc3056E.llvm.3885159374381305309",
      "std::rt::lang_start::{{closure}}",
    ],
    // Rust v0: crate disambiguators dropped
    ["_RNvMs9_NtCsgEmfK2I1SDS_4core3numj15overflowing_mul", "<usize>::overflowing_mul"],
    [
      "_RNvXsi_NtNtNtCsgEmfK2I1SDS_4core4iter8adapters7step_byINtB5_6StepByINtNtNtBb_3ops5range5RangejEEINtB5_10StepByImplB13_E9spec_next",
      "<core::iter::adapters::step_by::StepBy<core::ops::range::Range<usize>> as core::iter::adapters::step_by::StepByImpl<core::ops::range::Range<usize>>>::spec_next",
    ],
    // C++ (Itanium), also with the extra Mach-O underscore; return types are not printed
    ["_ZNK8geometry4Vec23dotERKS0_", "geometry::Vec2::dot(geometry::Vec2 const&) const"],
    [
      "_ZN5stats6medianIdEET_St6vectorIS1_SaIS1_EE",
      "stats::median<double>(std::vector<double, std::allocator<double> >)",
    ],
    ["_ZN8geometry4RectD0Ev", "geometry::Rect::~Rect()"],
    ["__ZN3foo3barEv", "foo::bar()"],
    // not mangled, or not demangleable: unchanged
    ["main", "main"],
    ["_start", "_start"],
    ["", ""],
    ["café", "café"],
    ["_Zfoo", "_Zfoo"],
    ["_R", "_R"],
  ])("%s", (mangled, expected) => {
    expect(demangle(mangled)).toBe(expected);
  });

  it("handles many names without leaking wasm memory", () => {
    for (let i = 0; i < 20_000; i++) demangle(`_ZN4main${String(i).length + 4}name${i}17h0123456789abcdefE`);
    expect(demangle("_ZN4main5outer17h11d7de59a7ffb60aE")).toBe("main::outer");
  });
});

describe("Rust hash trimming", () => {
  it.each([
    ["main::outer::h11d7de59a7ffb60a", "main::outer"],
    ["main::outer", "main::outer"],
    ["main::h11d7de59a7ffb60a::inner", "main::h11d7de59a7ffb60a::inner"],
    ["main::outer::h11d7de59a7ffb60", "main::outer::h11d7de59a7ffb60"],
    ["main::outer::hXXd7de59a7ffb60a", "main::outer::hXXd7de59a7ffb60a"],
  ])("%s", (name, expected) => {
    expect(stripRustHash(name)).toBe(expected);
  });

  it("displayName demangles and trims", () => {
    expect(displayName("_ZN4main5outer17h11d7de59a7ffb60aE")).toBe("main::outer");
  });
});
