// `npm run bench` (or `node bench/symbolication.mjs`): the figures issue 4 asks for, measured on the
// symbolication core itself (bundled from src/ with esbuild, run under Node):
//   - symbol lookup build time and peak memory for the largest committed fixture and for a generated
//     debug file of at least 100 MB (C with inline chains, built here with gcc -g into a temp directory
//     and reused by later runs);
//   - CPU time to symbolicate one 64-frame event with a warm lookup (target < 5 ms);
//   - lookup size relative to the debug file.
// Each build runs in its own Node process reading the file with ranged reads (as from R2) and writing
// the lookup piece by piece to a file (as to R2), so its peak RSS is the build's alone; "build memory"
// is that peak minus the process's RSS before the build. A second run caps the JS heap at 100 MB (does
// it fit a 128 MB isolate?) and samples the live JS heap + ArrayBuffers after a GC at page writes.
import { execFileSync, spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const WORK = join(tmpdir(), "faultline-bench-symbolication");
const BIG_TARGET_BYTES = 100 * 1024 * 1024;
const MiB = 1024 * 1024;

/** Bundles the core's public API into one ESM file Node can import. */
async function bundleCore() {
  const { build } = await import("esbuild");
  const outfile = join(WORK, "core.mjs");
  await build({
    stdin: {
      contents: `export { writeLookup, openLookupBytes, initDemangler, symbolicateEvent } from "./src/symbolication/index.ts";`,
      resolveDir: ROOT,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    outfile,
    logLevel: "silent",
  });
  return outfile;
}

async function loadCore(bundle) {
  const core = await import(pathToFileURL(bundle).href);
  const wasm = readFileSync(join(ROOT, "node_modules", "gecko-profiler-demangle", "index_bg.wasm"));
  await core.initDemangler(await WebAssembly.compile(wasm));
  return core;
}

/** A ByteSource over a file on disk: ranged reads only, like the R2 source in the Worker. */
function fileSource(path) {
  const fd = openSync(path, "r");
  const size = statSync(path).size;
  return {
    size,
    close: () => closeSync(fd),
    read(offset, length) {
      const buf = Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) done += readSync(fd, buf, done, length - done, offset + done);
      return Promise.resolve(new Uint8Array(buf.buffer, buf.byteOffset, length));
    },
  };
}

// --- child: one build, measured ---
if (process.argv[2] === "--child") {
  const [, , , bundle, file, out, sampleLive] = process.argv;
  const core = await loadCore(bundle);
  globalThis.gc?.();
  const baseline = process.memoryUsage().rss;
  const used0 = process.memoryUsage();
  const liveBaseline = used0.heapUsed + used0.arrayBuffers;
  let livePeak = 0;
  const source = fileSource(file);
  const outFd = openSync(out, "w");
  let chunks = 0;
  const sink = (chunk) => {
    writeSync(outFd, chunk);
    if (sampleLive === "live" && globalThis.gc && ++chunks % 8 === 0) {
      globalThis.gc();
      const m = process.memoryUsage();
      livePeak = Math.max(livePeak, m.heapUsed + m.arrayBuffers - liveBaseline);
    }
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  let result;
  try {
    const summary = await core.writeLookup(source, sink);
    result = { ok: true, lookupBytes: summary.bytes, windows: summary.windows };
  } catch (error) {
    result = { ok: false, error: String(error?.detail ?? error) };
  }
  closeSync(outFd);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  source.close();
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(
    JSON.stringify({
      ...result,
      wallMs,
      cpuMs: (used.user + used.system) / 1000,
      fileBytes: source.size,
      baselineRss: baseline,
      peakRss: peak,
      liveBytes: livePeak,
    }),
  );
  process.exit(0);
}

// --- a ≥ 100 MB debug file ---
const GENERATOR_VERSION = 1;

function translationUnit(k, functions) {
  const lines = ["#include <stdint.h>"];
  lines.push(`static inline __attribute__((always_inline)) uint64_t mix_${k}(uint64_t a, uint64_t b) {
  a ^= b << 7;
  a *= 0x9e3779b97f4a7c15ull;
  return a ^ (a >> 31);
}`);
  lines.push(`static inline __attribute__((always_inline)) uint64_t step_${k}(uint64_t a, int i) {
  uint64_t r = mix_${k}(a, (uint64_t)i);
  if (r & 1) r = mix_${k}(r, 3);
  return r;
}`);
  for (let j = 0; j < functions; j++) {
    lines.push(`__attribute__((noinline)) uint64_t fn_${k}_${j}(uint64_t seed, int n) {
  uint64_t acc = seed + ${j};
  for (int i = 0; i < n; i++) {
    acc = step_${k}(acc, i);
    if (acc % ${j + 3} == 0) acc += mix_${k}(acc, ${j});
  }
  return acc;
}`);
  }
  return lines.join("\n");
}

/**
 * Generated C, 2000 functions per file, each with two levels of always-inlined helpers, compiled
 * -O0 -g (DWARF 5) into one PIE until the executable passes 100 MB; kept in the temp dir for reuse.
 */
function bigDebugFile() {
  const dir = join(WORK, `big-v${GENERATOR_VERSION}`);
  const out = join(dir, "big-debug");
  if (existsSync(out) && statSync(out).size >= BIG_TARGET_BYTES) return out;
  mkdirSync(dir, { recursive: true });
  const units = 70;
  const sources = [];
  for (let k = 0; k < units; k++) {
    const file = join(dir, `unit${k}.c`);
    writeFileSync(file, translationUnit(k, 2000));
    sources.push(file);
  }
  writeFileSync(join(dir, "main.c"), "int main(void) { return 0; }\n");
  console.log(
    `generating a ≥ 100 MB debug file (${units} × 2000 functions, gcc -O0 -g; one-time, a few minutes)…`,
  );
  const jobs = Math.max(1, cpus().length);
  const objects = sources.map((s) => s.replace(/\.c$/, ".o"));
  execFileSync("sh", [
    "-c",
    `ls ${dir}/unit*.c | sed 's/\\.c$//' | xargs -P ${jobs} -I{} gcc -O0 -g -gdwarf-5 -c {}.c -o {}.o`,
  ]);
  execFileSync("gcc", ["-g", "-o", out, join(dir, "main.c"), ...objects]);
  if (statSync(out).size < BIG_TARGET_BYTES)
    throw new Error(`generated file is only ${statSync(out).size} bytes`);
  return out;
}

/**
 * A generated Rust crate like a big real one: many modules, each with generic functions over its own
 * types (HashMap/BTreeMap/iterator/format! code from std inlined into them), built in release with
 * `debug = true` and v0 symbol mangling, so type names make .debug_str about 40 % of ~50 MiB of
 * DWARF. Built with cargo (std only, offline) into the temp dir and reused; skipped without cargo.
 */
const RUST_GENERATOR_VERSION = 1;

function rustCrateSource(modules, functions) {
  const out = ["use std::collections::{BTreeMap, HashMap};", "use std::hint::black_box;"];
  for (let k = 0; k < modules; k++) {
    const m = [`pub mod m${k} {`, "  use super::*;", "  pub struct S<T> { pub v: Vec<T>, pub k: u64 }"];
    m.push("  impl<T: Copy + Into<u64> + Ord + std::fmt::Debug> S<T> {");
    for (let j = 0; j < functions; j++) {
      const acc = `folded_accumulator_${k}_${j}`;
      const hist = `histogram_of_residues_${k}_${j}`;
      m.push(`    #[inline(never)] pub fn compute_transformed_accumulator_value_for_variant_${j}_in_module_${k}(&self, seed: u64) -> u64 {
      let mut ${hist}: HashMap<u64, u64> = HashMap::new();
      let mut b: BTreeMap<T, u64> = BTreeMap::new();
      let ${acc} = self.v.iter().map(|x| (*x).into()).filter(|x| x % ${j + 2} != 1).fold(seed ^ self.k, |a, x| a.wrapping_mul(31).wrapping_add(x ^ ${j}));
      for (i, x) in self.v.iter().enumerate() { *${hist}.entry(${acc} % (i as u64 + 1)).or_insert(0) += 1; *b.entry(*x).or_insert(0) += i as u64; }
      let s = format!("{:?}{}", b.keys().next(), ${hist}.len());
      ${acc} ^ s.len() as u64 ^ b.values().sum::<u64>()
    }`);
    }
    m.push("  }");
    const types = [
      ["A", "u8"],
      ["B", "u16"],
      ["C", "u32"],
    ];
    for (const [t, prim] of types) {
      const name = `ConfigurationRecordForModule${k}WithDescriptiveName${t}`;
      m.push(`  #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)] pub struct ${name}(pub ${prim});
  impl From<${name}> for u64 { fn from(x: ${name}) -> u64 { x.0 as u64 } }`);
    }
    m.push("  #[inline(never)] pub fn run(seed: u64) -> u64 {");
    for (const [t, prim] of types) {
      m.push(
        `    let ${t.toLowerCase()} = S { v: (0..16${prim}).map(ConfigurationRecordForModule${k}WithDescriptiveName${t}).collect(), k: seed };`,
      );
    }
    m.push("    let mut acc = 0u64;");
    for (let j = 0; j < functions; j++) {
      const f = `compute_transformed_accumulator_value_for_variant_${j}_in_module_${k}`;
      m.push(
        `    acc = acc.wrapping_add(a.${f}(black_box(acc)) ^ b.${f}(black_box(acc)) ^ c.${f}(black_box(acc)));`,
      );
    }
    m.push("    acc\n  }\n}");
    out.push(m.join("\n"));
  }
  const calls = Array.from(
    { length: modules },
    (_, k) => `  acc = acc.wrapping_add(m${k}::run(black_box(acc)));`,
  );
  out.push(`fn main() {\n  let mut acc = 0u64;\n${calls.join("\n")}\n  println!("{acc}");\n}`);
  return out.join("\n");
}

function rustDebugFile() {
  const dir = join(WORK, `rust-v${RUST_GENERATOR_VERSION}`);
  const out = join(dir, "target", "release", "gen");
  if (existsSync(out)) return out;
  if (spawnSync("cargo", ["--version"]).status !== 0) return undefined;
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(
    join(dir, "Cargo.toml"),
    '[package]\nname = "gen"\nversion = "0.1.0"\nedition = "2021"\n\n[profile.release]\ndebug = true\n',
  );
  writeFileSync(join(dir, "src", "main.rs"), rustCrateSource(30, 20));
  console.log("generating a Rust release build with ~50 MiB of DWARF (cargo, one-time, a minute or two)…");
  execFileSync("cargo", ["build", "--release", "--offline", "--quiet"], {
    cwd: dir,
    stdio: "inherit",
    env: {
      ...process.env,
      RUSTFLAGS: `--remap-path-prefix=${dir}=/build -C symbol-mangling-version=v0`,
    },
  });
  return out;
}

function runChild(bundle, file, out, nodeArgs, mode = "") {
  return spawnSync(
    process.execPath,
    [...nodeArgs, fileURLToPath(import.meta.url), "--child", bundle, file, out, mode],
    { encoding: "utf8", maxBuffer: 16 * MiB },
  );
}

function measureBuild(bundle, file, name) {
  const out = join(WORK, `${name}.lookup`);
  const r = runChild(bundle, file, out, ["--expose-gc"]);
  if (r.status !== 0) throw new Error(`build of ${name} failed: ${r.stderr}`);
  const result = JSON.parse(r.stdout.trim().split("\n").at(-1));
  // Would it fit a Worker? The same build with the JS heap capped at 100 MB (a 128 MB isolate), with
  // the live heap + ArrayBuffers sampled after GCs.
  const capped = runChild(
    bundle,
    file,
    join(WORK, `${name}.capped.lookup`),
    ["--max-old-space-size=100", "--expose-gc"],
    "live",
  );
  const live =
    capped.status === 0 ? JSON.parse(capped.stdout.trim().split("\n").at(-1)).liveBytes : undefined;
  return { ...result, name, lookupPath: out, fitsIsolate: capped.status === 0, liveBytes: live };
}

/** .text start/end (relative to the load address 0 of a PIE) from readelf. */
function textRange(file) {
  const out = execFileSync("readelf", ["-SW", file], { encoding: "utf8" });
  const line = out.split("\n").find((l) => /\s\.text\s/.test(l));
  const cols = line
    .replace(/^.*\]\s*/, "")
    .trim()
    .split(/\s+/);
  return { start: Number.parseInt(cols[2], 16), size: Number.parseInt(cols[4], 16) };
}

/** CPU ms per 64-frame event with a warm lookup: frames at spread-out addresses of .text. */
async function perEventCpu(core, lookupBytes, file) {
  const lookup = await core.openLookupBytes(lookupBytes);
  const { start, size } = textRange(file);
  const base = 0x55d0c0800000n;
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const makeEvent = () => ({
    event_id: "0".repeat(32),
    timestamp: 0,
    platform: "native",
    exception: {
      values: [
        {
          type: "panic",
          stacktrace: {
            frames: Array.from({ length: 64 }, () => ({
              function: "<unknown>",
              instruction_addr: `0x${(base + BigInt(start + Math.floor(random() * size))).toString(16)}`,
            })),
          },
        },
      ],
    },
    debug_meta: { images: [{ type: "elf", image_addr: `0x${base.toString(16)}`, image_size: start + size }] },
  });
  // The same event over and over: warm lookup, warm pages (the steady state for one crash signature).
  const event = makeEvent();
  const find = () => lookup;
  let frames = 0;
  for (let i = 0; i < 20; i++)
    frames = (await core.symbolicateEvent(event, find)).exception.values[0].stacktrace.frames.length;
  const iterations = 300;
  const cpu = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await core.symbolicateEvent(event, find);
  const used = process.cpuUsage(cpu);
  return { msPerEvent: (used.user + used.system) / 1000 / iterations, framesOut: frames };
}

mkdirSync(WORK, { recursive: true });
const bundle = await bundleCore();
const core = await loadCore(bundle);
const largestFixture = join(ROOT, "test", "fixtures", "debug-files", "app");
const targets = [
  { name: "largest fixture (Rust release, debug = true)", file: largestFixture },
  { name: "generated C, -O0 -g, ≥ 100 MB", file: bigDebugFile() },
];
const rustFile = rustDebugFile();
if (rustFile) targets.push({ name: "generated Rust release, debug = true, ~50 MiB DWARF", file: rustFile });
else console.log("cargo not found: skipping the generated Rust build");
const rows = [];
const events = [];
for (const t of targets) {
  const r = measureBuild(bundle, t.file, t.name.replace(/\W+/g, "-"));
  rows.push({
    file: t.name,
    "file MiB": (r.fileBytes / MiB).toFixed(1),
    "build s (wall)": (r.wallMs / 1000).toFixed(2),
    "build CPU s": (r.cpuMs / 1000).toFixed(2),
    "build memory MiB": ((r.peakRss - r.baselineRss) / MiB).toFixed(0),
    "live heap + buffers MiB": r.liveBytes === undefined ? "—" : (r.liveBytes / MiB).toFixed(0),
    "peak RSS MiB": (r.peakRss / MiB).toFixed(0),
    "lookup MiB": r.ok ? (r.lookupBytes / MiB).toFixed(2) : `— (${r.error})`,
    "lookup / file": r.ok ? `${((100 * r.lookupBytes) / r.fileBytes).toFixed(1)} %` : "—",
    "fits 128 MB isolate (heap ≤ 100 MB)": r.fitsIsolate ? "yes" : "no",
  });
  if (r.ok) {
    const cpu = await perEventCpu(core, new Uint8Array(readFileSync(r.lookupPath)), t.file);
    events.push({
      file: t.name,
      "CPU ms per 64-frame event (warm)": cpu.msPerEvent.toFixed(3),
      "frames out (inline levels expanded)": cpu.framesOut,
      "target < 5 ms": cpu.msPerEvent < 5 ? "OK" : "MISSED",
    });
  }
}
console.log("\nSymbol lookup build (one process per build, ranged reads of the file)");
console.table(rows);
console.log("Symbolication CPU per event, 64 frames at spread-out .text addresses, lookup warm in memory");
console.table(events);
