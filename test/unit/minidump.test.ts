// The minidump core over real dumps: Breakpad's ExceptionHandler writes them at test time from
// crasher.cc (see test/fixtures/minidump/corpus.ts), and Breakpad's minidump_stackwalk, given the
// dump_syms symbols of the same binaries, is the reference for the crash reason and for where every
// frame of the crashing thread is (module + offset), with the unwind table built from the ELF's
// .eh_frame the way an upload builds it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultlineError } from "../../src/errors.ts";
import type { Frame, NormalizedEvent } from "../../src/protocol/types.ts";
import {
  breakpadCfiTable,
  readBreakpadHeader,
  writeBreakpadLookup,
} from "../../src/symbolication/breakpad-sym.ts";
import { memorySource } from "../../src/symbolication/byte-source.ts";
import { initDemangler } from "../../src/symbolication/demangle.ts";
import { buildLookup } from "../../src/symbolication/lookup-build.ts";
import { type Lookup, openLookupBytes } from "../../src/symbolication/lookup-query.ts";
import { buildElfCfiTable } from "../../src/symbolication/minidump/cfi-build.ts";
import { type CfiTable, parseCfiTable, rulesAt } from "../../src/symbolication/minidump/cfi-table.ts";
import { minidumpEvent } from "../../src/symbolication/minidump/event.ts";
import { type MinidumpModule, parseMinidump } from "../../src/symbolication/minidump/reader.ts";
import { crashReason } from "../../src/symbolication/minidump/signals.ts";
import { identifyObject } from "../../src/symbolication/object.ts";
import { symbolicateEvent } from "../../src/symbolication/symbolicate.ts";
import { buildCorpus, type Corpus, referenceWalk, type Variant } from "../fixtures/minidump/corpus.ts";

let corpus: Corpus;

/** The .sym file dump_syms wrote for a binary, in the Breakpad symbol store. */
function symFile(binary: string): string {
  const info = identifyObject(new Uint8Array(readFileSync(binary)));
  const id = `${info.debugId.replaceAll("-", "").toUpperCase()}0`;
  return join(corpus.symbols, "crasher", id, "crasher.sym");
}
const tables = new Map<Variant, CfiTable>();
const lookups = new Map<Variant, Lookup>();
const wasm = new URL("../../node_modules/gecko-profiler-demangle/index_bg.wasm", import.meta.url);

/** A function name without its parameter list (Breakpad prints C++ parameters, DWARF names lack them). */
function baseName(name: string): string {
  const paren = name.indexOf("(");
  return paren < 0 ? name : name.slice(0, paren);
}

interface ViewFrame {
  module: string;
  function: string;
  file: string;
  line: number | undefined;
  offset: number;
}

/**
 * Our symbolicated crashing stack in minidump_stackwalk's terms (one row per walked frame, innermost
 * first): Breakpad without INLINE records names the outermost function of an inline chain and gives the
 * line table's file and line, i.e. the innermost level's.
 */
function breakpadView(event: NormalizedEvent, modules: readonly MinidumpModule[]): ViewFrame[] {
  const frames = event.exception?.values[0]?.stacktrace?.frames ?? [];
  // Caller-first: each walked frame is its real function's level (with symbol_addr, or unsymbolicated)
  // followed by the levels inlined into it at the same address.
  const groups: Frame[][] = [];
  for (const frame of frames) {
    const last = groups[groups.length - 1];
    const inlined =
      frame.symbolicator_status === "symbolicated" &&
      frame.symbol_addr === undefined &&
      last?.[0]?.instruction_addr === frame.instruction_addr;
    if (inlined && last) last.push(frame);
    else groups.push([frame]);
  }
  return groups.reverse().map((group) => {
    const outermost = group[0] as Frame;
    const innermost = group[group.length - 1] as Frame;
    const address = Number.parseInt(innermost.instruction_addr ?? "0", 16);
    const module = modules.find((m) => address >= m.base && address < m.base + m.size);
    return {
      module: module ? module.name.slice(module.name.lastIndexOf("/") + 1) : "",
      function: outermost.function ?? "",
      file: innermost.filename ?? "",
      line: innermost.lineno,
      offset: module ? address - module.base : address,
    };
  });
}
const LIMITS = { maxFrames: 512, maxScannedFrames: 1 << 14 };

beforeAll(async () => {
  corpus = buildCorpus();
  const compile = (WebAssembly as unknown as { compile(bytes: Uint8Array): Promise<WebAssembly.Module> })
    .compile;
  await initDemangler(await compile(new Uint8Array(readFileSync(wasm))));
  for (const [variant, binary] of Object.entries(corpus.binaries) as [Variant, string][]) {
    const table = await buildElfCfiTable(memorySource(new Uint8Array(readFileSync(binary))), 64 << 20);
    if (!table) throw new Error(`no CFI table for ${binary}`);
    // Through its stored form, as the walker reads it from R2.
    tables.set(variant, parseCfiTable(JSON.stringify(table)) as CfiTable);
    const bytes = await buildLookup(memorySource(new Uint8Array(readFileSync(binary))));
    lookups.set(variant, await openLookupBytes(bytes));
  }
}, 180_000);
afterAll(() => rmSync(corpus.dir, { recursive: true, force: true }));

interface WalkFrame {
  instruction_addr: string;
  trust: string;
}

function walk(dumpPath: string, variant: Variant, table = tables.get(variant)) {
  const dump = parseMinidump(new Uint8Array(readFileSync(dumpPath)));
  const index = dump.modules.findIndex((m) => m.name.endsWith(`/${variant}/crasher`));
  const found = new Map<number, CfiTable>(table && index >= 0 ? [[index, table]] : []);
  const { event, summary } = minidumpEvent(dump, found, LIMITS);
  const exception = (event.exception as { values: Record<string, unknown>[] }).values[0] ?? {};
  const frames = ((exception.stacktrace as { frames: WalkFrame[] }).frames ?? []).slice().reverse();
  return { dump, event, exception, frames, summary };
}

describe("minidump parsing", () => {
  it("reads system info, threads, modules with debug ids as Breakpad derives them, and the exception", () => {
    for (const entry of corpus.dumps) {
      const { dump } = walk(entry.path, entry.variant);
      expect(dump.system).toMatchObject({ arch: "x86_64", os: "Linux" });
      expect(dump.threads.length).toBeGreaterThanOrEqual(entry.mode === "thread" ? 2 : 1);
      const crasher = dump.modules.find((m) => m.name === entry.binary);
      const info = identifyObject(new Uint8Array(readFileSync(entry.binary)));
      expect(crasher?.debugId).toBe(info.debugId);
      expect(crasher?.codeId).toBe(info.codeId);
      // Breakpad's module id (dump_syms' MODULE line): the same GUID, with age 0 appended.
      expect(readBreakpadHeader(readFileSync(symFile(entry.binary), "utf8")).debugId).toBe(info.debugId);
      expect(dump.exception).toBeDefined();
      expect(dump.linux.maps).toContain("crasher");
    }
  });

  it("names the crash like minidump_stackwalk and Sentry", () => {
    for (const entry of corpus.dumps) {
      const { exception } = walk(entry.path, entry.variant);
      const reference = referenceWalk(entry.path, corpus.symbols);
      expect(exception.type, `${entry.variant} ${entry.mode}`).toBe(reference.reason);
      expect(exception.mechanism).toMatchObject({ type: "minidump", handled: false, synthetic: true });
    }
    expect(crashReason("Linux", 11, 1).reason).toBe("SIGSEGV / SEGV_MAPERR");
    expect(crashReason("Linux", 6, 0).reason).toBe("SIGABRT");
    expect(crashReason("Linux", 7, 2).reason).toBe("SIGBUS / BUS_ADRERR");
  });

  it("refuses what is not a minidump or is cut short with a 400", () => {
    const bytes = new Uint8Array(readFileSync(corpus.dumps[0]?.path ?? ""));
    expect(() => parseMinidump(new TextEncoder().encode("not a dump at all, not at all"))).toThrow(
      FaultlineError,
    );
    for (const cut of [40, 200, 1000]) {
      const short = bytes.slice(0, cut);
      try {
        parseMinidump(short);
        expect.unreachable(`a ${cut}-byte prefix parsed`);
      } catch (error) {
        expect(error).toBeInstanceOf(FaultlineError);
        expect((error as FaultlineError).status).toBe(400);
      }
    }
  });
});

describe("unwind tables from .eh_frame", () => {
  it("describe every function's CFA, with the return address at CFA-8", () => {
    const table = tables.get("O2") as CfiTable;
    expect(table.ra).toBe(16);
    expect(table.ranges.length).toBeGreaterThan(100);
    // At a function's entry: CFA = rsp + 8, return address saved at CFA - 8 (all but PLT-like stubs).
    const atEntry = table.ranges.map((range) => rulesAt(table, range[0]));
    const plain = atEntry.filter(
      (r) =>
        r?.cfaRegister === 7 &&
        r.cfaOffset === 8 &&
        r.rules.get(16)?.rule === 2 &&
        r.rules.get(16)?.value === -8,
    );
    expect(plain.length / atEntry.length).toBeGreaterThan(0.95);
    // Further in, pushes move the CFA offset: some row of some function has rsp + 16 or more, or rbp.
    expect(table.ranges.some((range) => range[2].some((row) => (row[2] ?? 0) >= 16 || row[1] === 6))).toBe(
      true,
    );
  });
});

describe("unwind tables from .debug_frame", () => {
  it("read the same rows whether the section is compressed or not", async () => {
    const dir = mkdtempSync(join(tmpdir(), "faultline-debug-frame-"));
    try {
      const c = join(dir, "lib.c");
      writeFileSync(c, "int f(int x) { return x * 3; }\nint g(int x) { return f(x) + 1; }\n");
      const plain = join(dir, "libplain.so");
      const packed = join(dir, "libpacked.so");
      // No .eh_frame program for the functions: their CFI is in .debug_frame only.
      execFileSync("g++", [
        "-shared",
        "-fPIC",
        "-g",
        "-O0",
        "-fno-asynchronous-unwind-tables",
        "-fno-unwind-tables",
        "-nostdlib",
        c,
        "-o",
        plain,
      ]);
      execFileSync("objcopy", ["--compress-debug-sections=zlib", plain, packed]);
      const read = async (path: string) =>
        buildElfCfiTable(memorySource(new Uint8Array(readFileSync(path))), 1 << 20);
      const fromPlain = await read(plain);
      expect(fromPlain?.ranges.length).toBeGreaterThanOrEqual(2);
      // f and g: at their entry, CFA = rsp + 8.
      const entries = (fromPlain?.ranges ?? []).map((range) => rulesAt(fromPlain as CfiTable, range[0]));
      expect(entries.filter((r) => r?.cfaRegister === 7 && r.cfaOffset === 8).length).toBeGreaterThanOrEqual(
        2,
      );
      expect(await read(packed)).toEqual(fromPlain);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("stack walking", () => {
  async function compareWithStackwalk(
    label: string,
    from: Map<Variant, { table: CfiTable; lookup: Lookup }>,
  ) {
    let equal = 0;
    let total = 0;
    let extraLines = 0;
    const mismatches: string[] = [];
    for (const entry of corpus.dumps) {
      const { table, lookup } = from.get(entry.variant) as { table: CfiTable; lookup: Lookup };
      const { dump, event } = walk(entry.path, entry.variant, table);
      const symbolicated = await symbolicateEvent(event as unknown as NormalizedEvent, (image) =>
        image.code_file === entry.binary ? lookup : undefined,
      );
      const ours = breakpadView(symbolicated, dump.modules);
      const reference = referenceWalk(entry.path, corpus.symbols);
      if (process.env.MINIDUMP_DEBUG === `${entry.variant}/${entry.mode}`) {
        console.log(
          ours.map((f, i) => `${i} ours ${f.module}+${f.offset.toString(16)} ${f.function}`).join("\n"),
        );
        console.log(
          reference.frames
            .map((f, i) => `${i} ref ${f.module}+${f.offset.toString(16)} ${f.function}`)
            .join("\n"),
        );
      }
      // The process entry point's CFI marks its return address undefined (the outermost frame);
      // Breakpad's .sym cannot say so and reads one more word off the stack: not a frame.
      const entryPoint = reference.frames.findIndex((f) => f.function === "_start");
      const expectedFrames = entryPoint < 0 ? reference.frames : reference.frames.slice(0, entryPoint + 1);
      expectedFrames.forEach((expected, i) => {
        total++;
        const got = ours[i];
        // Same module; unsymbolicated frames at the same module offset; a PUBLIC-named frame (Breakpad
        // had no function record there and names the address by the nearest symbol below it, size
        // unknown) at the same address, whatever DWARF or the symbol table name it; otherwise
        // the same function and, wherever Breakpad's line records have one, the same file and line.
        const same =
          got !== undefined &&
          got.module === expected.module &&
          (expected.function === ""
            ? got.function === "" && got.offset === expected.offset
            : expected.publicName
              ? Math.abs(got.offset - expected.offset) <= 1
              : baseName(got.function) === baseName(expected.function) &&
                (expected.line === undefined ||
                  (got.file === expected.file.slice(expected.file.lastIndexOf("/") + 1) &&
                    got.line === expected.line)));
        if (same && expected.line === undefined && got.line !== undefined) extraLines++;
        if (same) equal++;
        else
          mismatches.push(
            `${entry.variant}/${entry.mode} #${i}: ${JSON.stringify(got)} vs ${JSON.stringify(expected)}`,
          );
      });
    }
    const rate = equal / total;
    console.log(
      `minidump walk + symbolication (${label}): ${equal}/${total} crashing-thread frames equal to minidump_stackwalk's (${(rate * 100).toFixed(2)}%); ${extraLines} of them with a line where Breakpad's records have none`,
    );
    if (mismatches.length > 0) console.log(mismatches.slice(0, 20).join("\n"));
    expect(rate).toBeGreaterThanOrEqual(0.99);
  }

  it("gives the crashing thread's frames minidump_stackwalk gives, function, file and line (≥ 99%), from the ELF", async () => {
    const from = new Map<Variant, { table: CfiTable; lookup: Lookup }>();
    for (const variant of tables.keys())
      from.set(variant, { table: tables.get(variant) as CfiTable, lookup: lookups.get(variant) as Lookup });
    await compareWithStackwalk("ELF .eh_frame + DWARF", from);
  });

  it("and from the Breakpad .sym files dump_syms wrote (STACK CFI, FUNC, line and PUBLIC records)", async () => {
    const from = new Map<Variant, { table: CfiTable; lookup: Lookup }>();
    for (const [variant, binary] of Object.entries(corpus.binaries) as [Variant, string][]) {
      const text = readFileSync(symFile(binary), "utf8");
      const table = breakpadCfiTable(text) as CfiTable;
      const chunks: Uint8Array[] = [];
      await writeBreakpadLookup(text, (chunk) => void chunks.push(chunk), 64 * 1024);
      const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
      let at = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, at);
        at += chunk.byteLength;
      }
      from.set(variant, { table, lookup: await openLookupBytes(bytes) });
    }
    await compareWithStackwalk("Breakpad .sym", from);
  });

  it("marks trust: the context frame, then CFI inside the crasher, scanning through libc without tables", () => {
    const entry = corpus.dumps.find((d) => d.variant === "O2" && d.mode === "null");
    const { frames, exception } = walk(entry?.path ?? "", "O2");
    expect(frames[0]?.trust).toBe("context");
    expect(frames.slice(1, 5).map((f) => f.trust)).toEqual(["cfi", "cfi", "cfi", "cfi"]);
    const registers = (exception.stacktrace as { registers: Record<string, string> }).registers;
    expect(registers.rip).toBe(frames[0]?.instruction_addr);
    expect(Object.keys(registers)).toEqual(expect.arrayContaining(["rsp", "rbp", "rax", "r15"]));
  });

  it("without any unwind table still walks the -O0 build by frame pointers", () => {
    const entry = corpus.dumps.find((d) => d.variant === "O0" && d.mode === "null");
    const dump = parseMinidump(new Uint8Array(readFileSync(entry?.path ?? "")));
    const { event } = minidumpEvent(dump, new Map(), LIMITS);
    const exception = (event.exception as unknown as { values: { stacktrace: { frames: WalkFrame[] } }[] })
      .values[0];
    const trusts =
      exception?.stacktrace.frames
        .slice()
        .reverse()
        .map((f) => f.trust) ?? [];
    expect(trusts.slice(0, 4)).toEqual(["context", "fp", "fp", "fp"]);
  });
});
