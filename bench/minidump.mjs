// Minidump processing figures, on the core as it runs at ingest (bundled from src/ with esbuild, run
// under Node): for each dump of the test corpus (test/fixtures/minidump/corpus.ts: Breakpad dumps of
// crasher.cc, built here with g++), CPU time of parse + stack walk of every thread + symbolication of
// the event, p50/p99 over repeated runs; the same for a synthetic dump of 50 threads (copies of the
// crashing thread) and 100 modules (93 of them without frames), walked from the parsed dump; heap
// growth; and R2 reads per dump with a cold cache (one unwind table per module with a debug file, plus
// the symbol lookup's header and pages). Numbers are from a shared machine: noisy.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { bundleSource, ROOT } from "./bundle-src.mjs";

const RUNS = 30;

process.env.FAULTLINE_CORPUS_DIR = join(ROOT, "test/fixtures/minidump");

const bundle = () =>
  bundleSource("minidump", [
    ["{ buildCorpus }", "test/fixtures/minidump/corpus.ts"],
    ["*", "src/symbolication/minidump/index.ts"],
    ["{ memorySource }", "src/symbolication/byte-source.ts"],
    ["{ buildLookup }", "src/symbolication/lookup-build.ts"],
    ["{ openLookup }", "src/symbolication/lookup-query.ts"],
    ["{ symbolicateEvent }", "src/symbolication/symbolicate.ts"],
    ["{ initDemangler }", "src/symbolication/demangle.ts"],
  ]);

const cpuMs = (start) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

async function main() {
  const { readFileSync } = await import("node:fs");
  const { dir, core } = await bundle();
  const wasm = readFileSync(join(ROOT, "node_modules/gecko-profiler-demangle/index_bg.wasm"));
  await core.initDemangler(await WebAssembly.compile(wasm));
  const corpus = core.buildCorpus();
  const files = {};
  for (const [variant, binary] of Object.entries(corpus.binaries)) {
    const bytes = new Uint8Array(readFileSync(binary));
    const table = await core.buildElfCfiTable(core.memorySource(bytes), 64 << 20);
    const lookupBytes = await core.buildLookup(core.memorySource(bytes));
    files[variant] = { binary, table, lookupBytes, tableBytes: JSON.stringify(table).length };
  }
  const LIMITS = { maxFrames: 512, maxScannedFrames: 1 << 14 };

  /** One dump processed as ingest does it; returns the R2 reads a cold isolate would make. */
  async function processDump(dump, variant) {
    const file = files[variant];
    let reads = 0;
    const source = {
      size: file.lookupBytes.byteLength,
      async read(offset, length) {
        reads++;
        return file.lookupBytes.subarray(offset, offset + length);
      },
    };
    const lookup = await core.openLookup(source);
    const tables = new Map();
    dump.modules.forEach((m, i) => {
      if (m.name === file.binary) {
        tables.set(i, core.parseCfiTable(JSON.stringify(file.table)));
        reads++;
      }
    });
    const { event, summary } = core.minidumpEvent(dump, tables, LIMITS);
    await core.symbolicateEvent(event, (image) => (image.code_file === file.binary ? lookup : undefined));
    return { reads, frames: summary.frames };
  }

  const rows = [];
  const all = [];
  for (const entry of corpus.dumps) {
    const bytes = new Uint8Array(readFileSync(entry.path));
    const times = [];
    let reads = 0;
    let frames = 0;
    for (let i = 0; i < RUNS; i++) {
      const start = process.cpuUsage();
      const out = await processDump(core.parseMinidump(bytes), entry.variant);
      times.push(cpuMs(start));
      reads = out.reads;
      frames = out.frames;
    }
    all.push(...times);
    rows.push({
      dump: `${entry.variant}/${entry.mode}`,
      bytes: bytes.byteLength,
      frames,
      reads,
      p50: quantile(times, 0.5),
    });
  }

  // Synthetic: 50 threads (the thread-crash dump's threads repeated), 100 modules.
  const base = corpus.dumps.find((d) => d.variant === "O2" && d.mode === "thread");
  const template = core.parseMinidump(new Uint8Array(readFileSync(base.path)));
  const synthetic = { ...template, threads: [], modules: [...template.modules] };
  for (let i = 0; i < 50; i++)
    synthetic.threads.push({
      ...template.threads[i % template.threads.length],
      id: i === 0 ? template.exception.threadId : 100000 + i,
    });
  const top = Math.max(...template.modules.map((m) => m.base + m.size));
  for (let i = synthetic.modules.length; i < 100; i++) {
    synthetic.modules.push({
      base: top + i * 0x100000,
      size: 0x80000,
      name: `/usr/lib/libfake${i}.so`,
      debugId: undefined,
      codeId: undefined,
    });
  }
  const heapBefore = process.memoryUsage().heapUsed;
  const synthTimes = [];
  let synthFrames = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = process.cpuUsage();
    synthFrames = (await processDump(synthetic, "O2")).frames;
    synthTimes.push(cpuMs(start));
  }
  const heapAfter = process.memoryUsage().heapUsed;

  console.log(
    "minidump: parse + walk (all threads) + symbolicate, CPU per dump (shared 2-core machine: noisy)",
  );
  for (const r of rows)
    console.log(
      `  ${r.dump.padEnd(12)} ${String(r.bytes).padStart(7)} B  ${String(r.frames).padStart(4)} frames  ${r.reads} R2 reads (cold)  p50 ${r.p50.toFixed(2)} ms`,
    );
  console.log(`  corpus: p50 ${quantile(all, 0.5).toFixed(2)} ms, p99 ${quantile(all, 0.99).toFixed(2)} ms`);
  console.log(
    `  synthetic 50 threads / 100 modules: ${synthFrames} frames, p50 ${quantile(synthTimes, 0.5).toFixed(2)} ms, p99 ${quantile(synthTimes, 0.99).toFixed(2)} ms (walk + symbolicate, parse excluded)`,
  );
  console.log(
    `  unwind tables: ${Object.entries(files)
      .map(([v, f]) => `${v} ${f.tableBytes} B`)
      .join(", ")}; heap growth over the synthetic runs ${((heapAfter - heapBefore) / 1e6).toFixed(1)} MB`,
  );
  rmSync(dir, { recursive: true, force: true });
  rmSync(corpus.dir, { recursive: true, force: true });
}

await main();
