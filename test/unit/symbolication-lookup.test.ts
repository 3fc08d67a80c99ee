// The paged lookup format: built from fixtures, queried by address, paged small to prove a lookup
// reads exactly one page, and refused when corrupt.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { FaultlineError } from "../../src/errors.ts";
import { type ByteSource, memorySource } from "../../src/symbolication/byte-source.ts";
import { initDemangler } from "../../src/symbolication/demangle.ts";
import { readElfLayout } from "../../src/symbolication/elf.ts";
import { buildLookup, buildLookupFromObject } from "../../src/symbolication/lookup-build.ts";
import { openLookup, openLookupBytes } from "../../src/symbolication/lookup-query.ts";
import { LookupTables, NONE } from "../../src/symbolication/lookup-tables.ts";
import { loadObject } from "../../src/symbolication/object-loader.ts";
import { runPlanSync } from "../../src/symbolication/read-plan.ts";

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../fixtures/native/bin/${name}`, import.meta.url)));
const wasm = new URL("../../node_modules/gecko-profiler-demangle/index_bg.wasm", import.meta.url);

// Node compiles the module from the package file; workers-types does not declare WebAssembly.compile.
const compileWasm = (WebAssembly as unknown as { compile(bytes: Uint8Array): Promise<WebAssembly.Module> })
  .compile;

beforeAll(async () => {
  await initDemangler(await compileWasm(readFileSync(wasm)));
});

function counting(bytes: Uint8Array): { source: ByteSource; reads: () => number } {
  const inner = memorySource(bytes);
  let reads = 0;
  return {
    source: {
      size: inner.size,
      read(offset, length) {
        reads += 1;
        return inner.read(offset, length);
      },
    },
    reads: () => reads,
  };
}

describe("lookups built from the C fixture", () => {
  let built: Uint8Array;
  beforeAll(async () => {
    built = await buildLookup(memorySource(fixture("c-dwarf5")));
  });

  it("returns the inline chain outermost first, innermost last (addr2line prints it reversed)", async () => {
    const lookup = await openLookupBytes(built);
    expect(await lookup.lookup(0x1623)).toEqual([
      {
        function: "walk_grid",
        rawFunction: "walk_grid",
        absPath: "/src/src/c_grid.c",
        filename: "c_grid.c",
        lineno: 23,
        symbolAddr: 0x1610,
        inlined: false,
      },
      {
        function: "cell_cost",
        rawFunction: "cell_cost",
        absPath: "/src/src/c_grid.c",
        filename: "c_grid.c",
        lineno: 7,
        inlined: true,
      },
      {
        function: "weigh",
        rawFunction: "weigh",
        absPath: "/src/src/shapes.h",
        filename: "shapes.h",
        lineno: 26,
        inlined: true,
      },
      {
        function: "clamp_int",
        rawFunction: "clamp_int",
        absPath: "/src/src/shapes.h",
        filename: "shapes.h",
        lineno: 11,
        inlined: true,
      },
    ]);
    expect((await lookup.lookup(0x1655)).map((l) => `${l.function}:${l.lineno}`)).toEqual([
      "walk_grid:23",
      "cell_cost:7",
      "weigh:26",
    ]);
  });

  it("falls back to the symbol table where DWARF has nothing (function name only)", async () => {
    const lookup = await openLookupBytes(built);
    expect(await lookup.lookup(0x12b0)).toEqual([
      { function: "_start", rawFunction: "_start", symbolAddr: 0x12b0, inlined: false },
    ]);
  });

  it("names an address past a symbol's size after it until the next symbol, as addr2line does", async () => {
    // `_start` is 0x12b0..0x12d2; the next symbol starts at 0x12e0 (`addr2line -f` prints `_start`).
    const lookup = await openLookupBytes(built);
    expect(await lookup.lookup(0x12d8)).toEqual([
      { function: "_start", rawFunction: "_start", symbolAddr: 0x12b0, inlined: false },
    ]);
  });

  it("names code in an untyped size-0 assembly entry point without DWARF after its symbol", async () => {
    // c-asm: `asm_entry` (0x115c, STT_NOTYPE, size 0) calls `asm_callback`; 0x1165 is the return address.
    const lookup = await openLookupBytes(await buildLookup(memorySource(fixture("c-asm"))));
    expect(await lookup.lookup(0x1165)).toEqual([
      { function: "asm_entry", rawFunction: "asm_entry", symbolAddr: 0x115c, inlined: false },
    ]);
  });

  it.each([0, 0x10, 0x3000, 0xfffffff0, 2 ** 40, -5, 1.5])("finds nothing at %d", async (address) => {
    const lookup = await openLookupBytes(built);
    expect(await lookup.lookup(address)).toEqual([]);
  });

  it("accepts bigint addresses", async () => {
    const lookup = await openLookupBytes(built);
    expect(await lookup.lookup(0x1623n)).toEqual(await lookup.lookup(0x1623));
  });

  it("carries the object's identity in its metadata", async () => {
    const lookup = await openLookupBytes(built);
    expect(lookup.meta).toMatchObject({
      debugId: "90250c67-31ae-cfcf-e3b9-e7d06923d073",
      codeId: "670c2590ae31cfcfe3b9e7d06923d0737a890187",
      arch: "x86_64",
      format: "elf",
      loadAddress: "0x0",
    });
  });

  it("gives the same answers with tiny pages, reading one page per new page touched", async () => {
    const paged = await buildLookup(memorySource(fixture("c-dwarf5")), { pageBytes: 256 });
    const { source, reads } = counting(paged);
    const small = await openLookup(source);
    const whole = await openLookupBytes(built);
    expect(reads()).toBe(2); // trailer, then metadata + page index
    for (let address = 0x1000; address < 0x1700; address += 3) {
      expect(await small.lookup(address)).toEqual(await whole.lookup(address));
    }
    const afterScan = reads();
    expect(afterScan).toBeGreaterThan(10); // many pages were touched
    await small.lookup(0x1623);
    await small.lookup(0x1624);
    expect(reads()).toBeLessThanOrEqual(afterScan + 1);
  });

  it("gives the same answers when built in many small windows (bounded memory) as in one", async () => {
    for (const name of ["c-dwarf5", "rust-lto", "cpp-dwarf4"]) {
      const bytes = fixture(name);
      const one = await openLookupBytes(await buildLookup(memorySource(bytes)));
      const windowed = await openLookupBytes(await buildLookup(memorySource(bytes), { windowRanges: 7 }));
      expect(windowed.meta.ranges).toBeGreaterThanOrEqual(one.meta.ranges);
      const layout = runPlanSync(readElfLayout(bytes.byteLength), bytes);
      const text = layout.sections.find((s) => s.name === ".text");
      if (!text) throw new Error("no .text");
      const from = text.addr - layout.loadAddress;
      for (let address = from; address < from + text.size; address += 3) {
        expect(await windowed.lookup(address)).toEqual(await one.lookup(address));
      }
    }
  });

  it.each([
    "c-dwarf5",
    "c-dwarf4",
    "c-gz",
    "c-zdebug",
    "c-split.debug",
    "c-armhf",
    "cpp-dwarf5",
    "rust-debuginfo1",
    "rust-lto",
    "macho-dsym-dwarf",
  ])(
    "%s: reading .debug_info and .debug_line a unit at a time gives the same bytes as reading them whole",
    async (name) => {
      const bytes = fixture(name);
      const lazy = await buildLookup(memorySource(bytes));
      const whole = await buildLookupFromObject(await loadObject(memorySource(bytes)));
      expect(Buffer.from(lazy).equals(Buffer.from(whole))).toBe(true);
    },
  );

  it.each(["c-dwarf5", "cpp-dwarf5", "rust-debuginfo1", "rust-lto"])(
    "%s: strings and range lists read through tiny block caches give the same bytes as held whole",
    async (name) => {
      const bytes = fixture(name);
      const blocked = await buildLookup(memorySource(bytes), {
        load: { blockedSections: { blockBytes: 256, cacheBytes: 4096 } },
      });
      const whole = await buildLookupFromObject(await loadObject(memorySource(bytes)));
      expect(Buffer.from(blocked).equals(Buffer.from(whole))).toBe(true);
    },
  );

  it("refuses (413) a file whose compilation unit is larger than the build may hold", async () => {
    let caught: unknown;
    try {
      await buildLookup(memorySource(fixture("c-dwarf5")), { maxUnitBytes: 64 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FaultlineError);
    expect((caught as FaultlineError).status).toBe(413);
  });

  it("still reads lookups written in format version 1 (index first)", async () => {
    const v1 = toVersion1(built);
    const old = await openLookupBytes(v1);
    const current = await openLookupBytes(built);
    expect(old.meta).toEqual(current.meta);
    for (let address = 0x1000; address < 0x1700; address++) {
      expect(await old.lookup(address)).toEqual(await current.lookup(address));
    }
  });

  it("reads a split debug companion like the unstripped file, and nothing from the stripped one", async () => {
    const companion = await openLookupBytes(await buildLookup(memorySource(fixture("c-split.debug"))));
    const whole = await openLookupBytes(built);
    for (const address of [0x1080, 0x1623, 0x14e0, 0x1530]) {
      expect(await companion.lookup(address)).toEqual(await whole.lookup(address));
    }
    const stripped = await openLookupBytes(await buildLookup(memorySource(fixture("c-split"))));
    expect(await stripped.lookup(0x1623)).toEqual([]);
  });

  it("reads DWARF from a Mach-O dSYM (__DWARF sections) like the same DWARF in ELF", async () => {
    const dsym = await openLookupBytes(await buildLookup(memorySource(fixture("macho-dsym-dwarf"))));
    const whole = await openLookupBytes(built);
    expect(dsym.meta).toMatchObject({ format: "macho", debugId: "670c2590-ae31-cfcf-e3b9-e7d06923d073" });
    let compared = 0;
    for (let address = 0x1070; address < 0x16b0; address++) {
      const expected = await whole.lookup(address);
      if (!expected.some((level) => level.absPath)) continue; // symbol-table-only: the dSYM has no symbols
      const got = await dsym.lookup(address);
      // A line row outside every DWARF function borrows the ELF's symbol name; the dSYM has none.
      const named =
        expected.length === 1 && got.length === 1 && got[0]?.function === undefined
          ? expected.map(({ function: _f, rawFunction: _r, symbolAddr: _s, ...rest }) => rest)
          : expected;
      expect(got).toEqual(named);
      compared++;
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it("makes addresses relative to the load address of a non-PIE executable", async () => {
    const lookup = await openLookupBytes(await buildLookup(memorySource(fixture("c-nopie"))));
    expect(lookup.meta.loadAddress).toBe("0x400000");
    const main = await lookup.lookup(0x401080 - 0x400000);
    expect(main[0]?.function).toBe("main");
  });
});

describe("Rust names", () => {
  it("demangles and drops the hash, keeping the mangled name as rawFunction", async () => {
    const lookup = await openLookupBytes(await buildLookup(memorySource(fixture("rust-debuginfo2"))));
    const [outer] = await lookup.lookup(0x85d0);
    expect(outer).toMatchObject({
      function: "rust_main::parser::tokenize",
      rawFunction: "_ZN9rust_main6parser8tokenize17h6a2dfbf2c81352e9E",
      symbolAddr: 0x85d0,
      inlined: false,
      filename: "rust_main.rs",
    });
  });
});

/** Offsets of a version 2 lookup's trailer fields and index. */
function layoutOf(bytes: Uint8Array): { trailer: number; metaOffset: number; indexOffset: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const trailer = bytes.byteLength - 32;
  const metaOffset = view.getUint32(trailer + 8, true);
  const metaBytes = view.getUint32(trailer + 12, true);
  return { trailer, metaOffset, indexOffset: metaOffset + ((metaBytes + 3) & ~3) };
}

/** The same lookup in format version 1: fixed header, metadata and page index first, then the pages. */
function toVersion1(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { trailer, metaOffset, indexOffset } = layoutOf(bytes);
  const metaBytes = view.getUint32(trailer + 12, true);
  const pageCount = view.getUint32(trailer + 16, true);
  const headerBytes = 32 + (indexOffset - metaOffset) + pageCount * 12;
  const pages = bytes.subarray(16, metaOffset);
  const out = new Uint8Array(headerBytes + pages.byteLength);
  const w = new DataView(out.buffer);
  const words = [0x43534c46, 1, headerBytes, metaBytes, pageCount, view.getUint32(trailer + 20, true), 0, 0];
  for (let i = 0; i < words.length; i++) w.setUint32(i * 4, words[i] ?? 0, true);
  out.set(bytes.subarray(metaOffset, indexOffset), 32);
  for (let i = 0; i < pageCount; i++) {
    const from = indexOffset + i * 12;
    const to = 32 + (indexOffset - metaOffset) + i * 12;
    w.setUint32(to, view.getUint32(from, true), true);
    w.setUint32(to + 4, view.getUint32(from + 4, true) - 16 + headerBytes, true);
    w.setUint32(to + 8, view.getUint32(from + 8, true), true);
  }
  out.set(pages, headerBytes);
  return out;
}

describe("corrupt lookups are refused with a 400", () => {
  const corrupt = async (mutate: (bytes: Uint8Array, view: DataView) => Uint8Array | undefined) => {
    const bytes = (await buildLookup(memorySource(fixture("c-dwarf5")), { pageBytes: 512 })).slice();
    const result = mutate(bytes, new DataView(bytes.buffer)) ?? bytes;
    const lookup = await openLookupBytes(result);
    for (let a = 0x1000; a < 0x1700; a += 16) await lookup.lookup(a);
  };
  it.each([
    [
      "bad magic",
      (b: Uint8Array) => {
        b[0] = 0;
        b[layoutOf(b).trailer] = 0;
        return b;
      },
    ],
    [
      "a missing trailer",
      (b: Uint8Array) => {
        b[layoutOf(b).trailer] = 0;
        return b;
      },
    ],
    [
      "a future version",
      (b: Uint8Array, v: DataView) => {
        v.setUint32(layoutOf(b).trailer + 4, 9, true);
        return undefined;
      },
    ],
    [
      "a future version 1-style header",
      (b: Uint8Array) => {
        const v1 = toVersion1(b);
        new DataView(v1.buffer).setUint32(4, 9, true);
        return v1;
      },
    ],
    ["a truncated header", (b: Uint8Array) => b.subarray(0, 20)],
    [
      "inconsistent trailer sizes",
      (b: Uint8Array, v: DataView) => {
        v.setUint32(layoutOf(b).trailer + 16, 999, true);
        return undefined;
      },
    ],
    [
      "inconsistent version 1 header sizes",
      (b: Uint8Array) => {
        const v1 = toVersion1(b);
        new DataView(v1.buffer).setUint32(16, 999, true);
        return v1;
      },
    ],
    [
      "a page beyond the end",
      (b: Uint8Array, v: DataView) => {
        v.setUint32(layoutOf(b).indexOffset + 8, 0x100000, true);
        return undefined;
      },
    ],
    ["a truncated file", (b: Uint8Array) => b.subarray(0, b.byteLength - 100)],
    [
      "metadata that is not JSON",
      (b: Uint8Array) => {
        const { metaOffset } = layoutOf(b);
        b[metaOffset] = 0x7b;
        b[metaOffset + 1] = 0x7b;
        return b;
      },
    ],
  ])("%s", async (_name, mutate) => {
    let caught: unknown;
    try {
      await corrupt(mutate);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FaultlineError);
    expect((caught as FaultlineError).status).toBe(400);
  });
});

describe("corrupt debug files", () => {
  // Seeded byte mutations inside the DWARF sections: every outcome is a lookup or a 400, never a
  // crash of another kind.
  it.each(["c-dwarf5", "rust-debuginfo1", "cpp-dwarf4"])(
    "%s survives 150 random DWARF corruptions",
    async (name) => {
      const original = fixture(name);
      const layout = runPlanSync(readElfLayout(original.byteLength), original);
      const dwarf = layout.sections.filter((s) => s.name.startsWith(".debug_"));
      const lo = Math.min(...dwarf.map((s) => s.offset));
      const hi = Math.max(...dwarf.map((s) => s.offset + s.size));
      let seed = 7;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648;
      };
      let refused = 0;
      for (let round = 0; round < 150; round++) {
        const bytes = original.slice();
        for (let k = 0; k < 1 + Math.floor(random() * 6); k++) {
          bytes[lo + Math.floor(random() * (hi - lo))] = Math.floor(random() * 256);
        }
        try {
          const lookup = await openLookupBytes(
            await buildLookup(memorySource(bytes), { displayName: (s) => s }),
          );
          await lookup.lookup(0x1623);
        } catch (error) {
          expect(error).toBeInstanceOf(FaultlineError);
          refused++;
        }
      }
      expect(refused).toBeGreaterThan(0);
    },
  );
});

describe("interned tables", () => {
  it("gives equal locations one id and different locations different ids", () => {
    const tables = new LookupTables();
    const ids = new Map<string, number>();
    const used = new Set<number>();
    for (let i = 0; i < 20_000; i++) {
      const fields = [i % 97, (i * 7) % 13, i % 1000, i % 5 === 0 ? NONE : i % 31] as const;
      const id = tables.location(...fields);
      const key = fields.join(",");
      const seen = ids.get(key);
      if (seen === undefined) {
        expect(used.has(id)).toBe(false);
        used.add(id);
        ids.set(key, id);
      } else expect(id).toBe(seen);
    }
    expect(tables.locationCount).toBe(ids.size);
  });
});
