// Accuracy of the whole pipeline (object loading → DWARF → lookup build → paged lookup) against
// binutils' addr2line on every fixture: a few hundred addresses per binary (every function start,
// start+1, the middle of each function, the byte after its size, every line-table row and the byte
// after it, restricted to addresses between a code symbol and the next), compared at every inline level for function, file and line.
//
// Normalisations, each representational only:
//  - addr2line prints `??`, `?` and `0` for unknown values; ours are absent.
//  - For addresses DWARF does not cover, addr2line takes a bare file name from STT_FILE symbols
//    (no directory, no line); Sentry has no such fallback, so that file counts as unknown.
//  - ARM mapping symbols ($a, $t, $x, $d) are not function names; addr2line may print them.
//  - libiberty prints return types of template functions; Sentry's demangler does not.
//  - LLVM's addr2line names the outer frame after the symbol, which can carry `.llvm.<n>`.
// Function names are compared demangled; where the bundled demangler (gecko-profiler-demangle,
// i.e. cpp_demangle) cannot reproduce libiberty's output, the level still counts when the raw
// linkage names agree — those cases are counted and printed separately.
// One fixture (LLVM DWARF 5) uses llvm-addr2line: binutils 2.40 drops its inline frames entirely.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { memorySource } from "../../src/symbolication/byte-source.ts";
import { canDecompressZstd } from "../../src/symbolication/decompress.ts";
import { initDemangler } from "../../src/symbolication/demangle.ts";
import { DwarfReader } from "../../src/symbolication/dwarf/reader.ts";
import { buildLookupFromObject } from "../../src/symbolication/lookup-build.ts";
import { openLookupBytes } from "../../src/symbolication/lookup-query.ts";
import { type LoadedObject, loadObject } from "../../src/symbolication/object-loader.ts";
import type { SymbolicatedLocation } from "../../src/symbolication/types.ts";

const fixture = (name: string) => new URL(`../fixtures/native/bin/${name}`, import.meta.url).pathname;
const wasm = new URL("../../node_modules/gecko-profiler-demangle/index_bg.wasm", import.meta.url);
// Node compiles the module from the package file; workers-types does not declare WebAssembly.compile.
const compileWasm = (WebAssembly as unknown as { compile(bytes: Uint8Array): Promise<WebAssembly.Module> })
  .compile;
const SAMPLES_PER_BINARY = 400;
const REQUIRED_RATE = 0.995;

function tool(name: string): boolean {
  try {
    execFileSync(name, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const hasGnu = tool("addr2line");
const hasLlvm = tool("llvm-addr2line");

interface Level {
  fn: string;
  file: string;
  line: string;
}

/** Runs the oracle on all addresses at once; returns levels innermost first, like addr2line prints them. */
function oracle(program: string, file: string, addresses: number[], demangle: boolean): Map<number, Level[]> {
  const args = [
    ...(demangle ? ["-C"] : []),
    "-a",
    "-f",
    "-i",
    "-e",
    file,
    ...addresses.map((a) => a.toString(16)),
  ];
  const lines = execFileSync(program, args, { maxBuffer: 64 << 20 })
    .toString()
    .split("\n");
  const result = new Map<number, Level[]>();
  let current: Level[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (/^0x[0-9a-f]+$/.test(line) && (current.length > 0 || !result.has(Number.parseInt(line, 16)))) {
      current = [];
      result.set(Number.parseInt(line, 16), current);
      continue;
    }
    if (!line) continue;
    const location = (lines[++i] ?? "").replace(/ \(discriminator \d+\)$/, "");
    const colon = location.lastIndexOf(":");
    let path = location.slice(0, colon);
    const lineno = location.slice(colon + 1);
    const unknownLine = lineno === "?" || lineno === "0";
    if (path === "??" || (!path.includes("/") && unknownLine)) path = "";
    current.push({ fn: normalizeName(line), file: path, line: unknownLine ? "" : lineno });
  }
  return result;
}

/** Drops a template function's return type (libiberty prints it, Sentry does not). */
function stripReturnType(name: string): string {
  let depth = 0;
  let paren = -1;
  for (let i = 0; i < name.length && paren < 0; i++) {
    const c = name[i];
    if (c === "<") depth++;
    else if (c === ">") depth--;
    else if (c === "(" && depth === 0) paren = i;
  }
  if (paren < 0) return name;
  depth = 0;
  let cut = -1;
  for (let i = 0; i < paren; i++) {
    const c = name[i];
    if (c === "<") depth++;
    else if (c === ">") depth--;
    else if (c === " " && depth === 0) cut = i;
  }
  return cut >= 0 ? name.slice(cut + 1) : name;
}

function normalizeName(name: string): string {
  if (name === "??") return "";
  if (/^\$[atxd](\..*)?$/.test(name)) return "*";
  return stripReturnType(name)
    .replace(/\.llvm\.\d+$/, "")
    .replace(/::h[0-9a-f]{16}$/, "");
}

/** Deterministic sample: function starts/middles/ends and line rows, between a symbol and the next. */
function sampleAddresses(object: LoadedObject, padding: boolean): number[] {
  const ranges = object.codeRanges;
  const inCode = (address: number) => {
    for (let i = 0; i + 1 < ranges.length; i += 2)
      if (address >= (ranges[i] ?? 0) && address < (ranges[i + 1] ?? 0)) return true;
    return false;
  };
  const symbols = [...object.symbols].sort((a, b) => a.address - b.address);
  const candidates = new Set<number>();
  for (const s of symbols) {
    candidates.add(s.address);
    candidates.add(s.address + 1);
    if (s.size > 2) candidates.add(s.address + Math.floor(s.size / 2));
    // Past the symbol's size (alignment padding, code after a size-0 entry point): addr2line still
    // names the nearest preceding symbol.
    if (padding && s.size > 0) candidates.add(s.address + s.size);
  }
  if (object.dwarf) {
    const reader = new DwarfReader(object.dwarf);
    for (const header of reader.codeUnits()) {
      for (const address of reader.readUnit(header).lineTable?.addresses ?? []) {
        candidates.add(address);
        candidates.add(address + 1);
      }
    }
  }
  const inFunction = (address: number) => {
    let lo = 0;
    let hi = symbols.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((symbols[mid]?.address ?? 0) <= address) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const s = symbols[best];
    if (s === undefined) return false;
    if (s.size === 0 || address < s.address + s.size) return true;
    const next = symbols[best + 1];
    return padding && (next === undefined || address < next.address) && inCode(address);
  };
  const sorted = [...candidates].filter(inFunction).sort((a, b) => a - b);
  if (sorted.length <= SAMPLES_PER_BINARY) return sorted;
  const step = sorted.length / SAMPLES_PER_BINARY;
  return Array.from({ length: SAMPLES_PER_BINARY }, (_, i) => sorted[Math.floor(i * step)] ?? 0);
}

const FIXTURES: { name: string; oracle: "gnu" | "llvm"; needsZstd?: boolean; minSamples?: number }[] = [
  { name: "c-dwarf5", oracle: "gnu" },
  { name: "c-dwarf4", oracle: "gnu" },
  { name: "c-gz", oracle: "gnu" },
  { name: "c-zdebug", oracle: "gnu" },
  { name: "c-zstd", oracle: "gnu", needsZstd: true },
  { name: "c-nopie", oracle: "gnu" },
  { name: "c-split.debug", oracle: "gnu" },
  { name: "c-aarch64", oracle: "gnu" },
  { name: "c-armhf", oracle: "gnu" },
  { name: "c-asm", oracle: "gnu", minSamples: 20 },
  { name: "cpp-dwarf5", oracle: "gnu" },
  { name: "cpp-dwarf4", oracle: "gnu" },
  { name: "rust-debuginfo2", oracle: "gnu" },
  { name: "rust-lto", oracle: "gnu" },
  { name: "rust-debuginfo1", oracle: "llvm" },
];

beforeAll(async () => {
  await initDemangler(await compileWasm(readFileSync(wasm)));
});

describe("symbolication accuracy against addr2line", () => {
  if (!hasGnu) {
    it.skip("addr2line (binutils) is not installed: the oracle is missing, accuracy not measured", () => {});
    return;
  }
  it.each(FIXTURES)(
    "$name (oracle: $oracle)",
    async ({ name, oracle: which, needsZstd, minSamples = 150 }) => {
      if (needsZstd && !canDecompressZstd()) {
        console.log(`${name}: skipped, this runtime has no zstd decoder`);
        return;
      }
      if (which === "llvm" && !hasLlvm) {
        console.log(`${name}: skipped, llvm-addr2line is not installed`);
        return;
      }
      const path = fixture(name);
      const object = await loadObject(memorySource(new Uint8Array(readFileSync(path))));
      const lookup = await openLookupBytes(await buildLookupFromObject(object));
      // LLVM's symbolizer ends a sized symbol at its size; only GNU's is sampled past it.
      const addresses = sampleAddresses(object, which === "gnu");
      const program = which === "gnu" ? "addr2line" : "llvm-addr2line";
      const demangled = which === "gnu" ? oracle(program, path, addresses, true) : undefined;
      const raw = oracle(program, path, addresses, false);

      let matched = 0;
      let demanglerOnly = 0;
      const mismatches: string[] = [];
      for (const address of addresses) {
        const ours = [...(await lookup.lookup(address - object.loadAddress))].reverse(); // innermost first
        const wantRaw = raw.get(address) ?? [];
        const wantDemangled = demangled?.get(address) ?? wantRaw;
        let same = ours.length === wantRaw.length;
        let usedRaw = false;
        for (let i = 0; same && i < ours.length; i++) {
          const got: SymbolicatedLocation | undefined = ours[i];
          const w = wantDemangled[i];
          const r = wantRaw[i];
          if (!got || !w || !r) {
            same = false;
            break;
          }
          same = (got.absPath ?? "") === w.file && (got.lineno?.toString() ?? "") === w.line;
          if (!same || w.fn === "*") continue;
          const oursDemangled = which === "gnu" ? (got.function ?? "") : (got.rawFunction ?? "");
          if (oursDemangled === w.fn) continue;
          if ((got.rawFunction ?? "") === r.fn) usedRaw = true;
          else same = false;
        }
        if (same) {
          matched++;
          if (usedRaw) demanglerOnly++;
        } else if (mismatches.length < 5) {
          const show = (levels: { fn: string; file: string; line: string }[]) =>
            levels.map((l) => `${l.fn} @ ${l.file}:${l.line}`).join(" | ");
          mismatches.push(
            `0x${address.toString(16)}\n    want: ${show(wantDemangled)}\n    got:  ${show(
              ours.map((l) => ({
                fn: l.function ?? "",
                file: l.absPath ?? "",
                line: l.lineno?.toString() ?? "",
              })),
            )}`,
          );
        }
      }
      const rate = matched / addresses.length;
      console.log(
        `${name}: ${matched}/${addresses.length} addresses match at every inline level (${(rate * 100).toFixed(2)}%)` +
          (demanglerOnly ? `; ${demanglerOnly} only via raw linkage names (bundled demangler differs)` : ""),
      );
      if (mismatches.length > 0) console.log(`${name} mismatches:\n  ${mismatches.join("\n  ")}`);
      expect(addresses.length).toBeGreaterThan(minSamples);
      expect(rate).toBeGreaterThanOrEqual(REQUIRED_RATE);
    },
  );
});
