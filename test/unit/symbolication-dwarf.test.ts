// The DWARF reader: LEB128, unit headers, line programs and range lists on hand-assembled bytes (so
// every opcode and entry kind is pinned down), then whole fixtures: the same program compiled as
// DWARF 4, DWARF 5, zlib- and GNU-compressed must read identically.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FaultlineError } from "../../src/errors.ts";
import { ByteReader } from "../../src/symbolication/byte-reader.ts";
import { memorySource } from "../../src/symbolication/byte-source.ts";
import { canDecompressZstd } from "../../src/symbolication/decompress.ts";
import { AbbrevTable } from "../../src/symbolication/dwarf/abbrev.ts";
import * as C from "../../src/symbolication/dwarf/constants.ts";
import { END_OF_SEQUENCE, parseLineProgram } from "../../src/symbolication/dwarf/line-program.ts";
import { readRangeList } from "../../src/symbolication/dwarf/ranges.ts";
import { DwarfReader } from "../../src/symbolication/dwarf/reader.ts";
import { type DwarfSections, readUnitHeader, type UnitContext } from "../../src/symbolication/dwarf/unit.ts";
import { loadObject } from "../../src/symbolication/object-loader.ts";

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../fixtures/native/bin/${name}`, import.meta.url)));

// --- tiny assembler -----------------------------------------------------------------------------
const uleb = (value: number): number[] => {
  const out: number[] = [];
  let v = value;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    out.push(byte);
  } while (v > 0);
  return out;
};
const sleb = (value: number): number[] => {
  const out: number[] = [];
  let v = value;
  for (;;) {
    const byte = ((v % 128) + 128) % 128;
    v = Math.floor(v / 128);
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
};
const u16 = (v: number) => [v & 0xff, (v >> 8) & 0xff];
const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const u64 = (v: number) => [...u32(v % 2 ** 32), ...u32(Math.floor(v / 2 ** 32))];
const cstr = (s: string) => [...new TextEncoder().encode(s), 0];
const bytes = (...parts: number[][]) => Uint8Array.from(parts.flat());
const emptySections = (over: Partial<DwarfSections>): DwarfSections => ({
  littleEndian: true,
  info: new Uint8Array(0),
  abbrev: new Uint8Array(0),
  line: new Uint8Array(0),
  str: new Uint8Array(0),
  lineStr: new Uint8Array(0),
  strOffsets: new Uint8Array(0),
  addr: new Uint8Array(0),
  ranges: new Uint8Array(0),
  rnglists: new Uint8Array(0),
  ...over,
});

describe("LEB128", () => {
  it.each([0, 1, 127, 128, 300, 2 ** 31, 2 ** 32 + 5, 2 ** 50 + 3])("unsigned %d round-trips", (value) => {
    const r = new ByteReader(Uint8Array.from(uleb(value)), true);
    expect(r.uleb()).toBe(value);
    expect(r.remaining).toBe(0);
  });
  it.each([0, 1, -1, 63, -64, 64, -65, 1000, -100000, 2 ** 40, -(2 ** 40)])(
    "signed %d round-trips",
    (value) => {
      const r = new ByteReader(Uint8Array.from(sleb(value)), true);
      expect(r.sleb()).toBe(value);
    },
  );
  it("refuses a truncated value with a 400", () => {
    expect(() => new ByteReader(Uint8Array.from([0x80, 0x80]), true).uleb()).toThrow(FaultlineError);
    expect(() => new ByteReader(Uint8Array.from([0xff]), true).sleb()).toThrow(FaultlineError);
  });
});

describe("unit headers", () => {
  it.each([
    [
      "DWARF 4",
      bytes(u32(7), u16(4), u32(0x20), [8]),
      { version: 4, addressSize: 8, offsetSize: 4, abbrevOffset: 0x20, firstDie: 11 },
    ],
    [
      "DWARF 5",
      bytes(u32(8), u16(5), [C.DW_UT_compile, 4], u32(0x10)),
      { version: 5, addressSize: 4, offsetSize: 4, abbrevOffset: 0x10, firstDie: 12 },
    ],
    [
      "64-bit DWARF 5",
      bytes(u32(0xffffffff), u64(12), u16(5), [C.DW_UT_compile, 8], u64(3)),
      { version: 5, offsetSize: 8, abbrevOffset: 3, firstDie: 24 },
    ],
    [
      "DWARF 5 skeleton",
      bytes(u32(16), u16(5), [C.DW_UT_skeleton, 8], u32(0), u64(0xabc)),
      { unitType: C.DW_UT_skeleton, firstDie: 20 },
    ],
  ])("%s", (_name, data, expected) => {
    expect(readUnitHeader(data, 0, true)).toMatchObject(expected);
  });
  it.each([
    ["version 6", bytes(u32(7), u16(6), u32(0), [8])],
    ["a length past the section", bytes(u32(100), u16(4), u32(0), [8])],
    ["address size 3", bytes(u32(7), u16(4), u32(0), [3])],
    ["a reserved length", bytes(u32(0xfffffff5), u16(4), u32(0), [8])],
  ])("refuses %s", (_name, data) => {
    expect(() => readUnitHeader(data, 0, true)).toThrow(FaultlineError);
  });
});

describe("line programs", () => {
  const lineHeaderV4 = (program: number[]) => {
    const afterHeaderLength = [
      1, // minimum_instruction_length
      1, // maximum_operations_per_instruction
      1, // default_is_stmt
      0xfb, // line_base -5
      14, // line_range
      13, // opcode_base
      0,
      1,
      1,
      1,
      1,
      0,
      0,
      0,
      1,
      0,
      0,
      1, // standard_opcode_lengths
      ...cstr("inc"),
      0, // include_directories
      ...cstr("a.c"),
      ...uleb(0),
      0,
      0, // file 1
      ...cstr("b.h"),
      ...uleb(1),
      0,
      0, // file 2
      ...cstr("/abs/c.h"),
      ...uleb(1),
      0,
      0, // file 3 (absolute)
      0,
    ];
    const body = [...u16(4), ...u32(afterHeaderLength.length), ...afterHeaderLength, ...program];
    return bytes(u32(body.length), body);
  };

  it("runs a DWARF 4 program: special opcodes, advances, files, end of sequence, define_file", () => {
    const program = [
      0,
      9,
      C.DW_LNE_set_address,
      ...u64(0x1000),
      C.DW_LNS_advance_line,
      ...sleb(9), // line 10
      C.DW_LNS_copy, // row 0x1000 line 10
      13 + (2 - -5) + 14 * 4, // special: address +4, line +2 → 0x1004 line 12
      C.DW_LNS_set_file,
      ...uleb(2),
      C.DW_LNS_advance_pc,
      ...uleb(0x10),
      C.DW_LNS_advance_line,
      ...sleb(-11), // line 1
      C.DW_LNS_copy, // 0x1014 b.h:1
      C.DW_LNS_const_add_pc, // + (255-13)/14 = 17
      C.DW_LNS_fixed_advance_pc,
      ...u16(3),
      C.DW_LNS_set_file,
      ...uleb(3),
      C.DW_LNS_copy, // 0x1028 /abs/c.h:1
      0,
      8,
      C.DW_LNE_define_file,
      ...cstr("d.c"),
      ...uleb(0),
      0,
      0,
      C.DW_LNS_advance_pc,
      ...uleb(7),
      0,
      1,
      C.DW_LNE_end_sequence, // end at 0x102f
    ];
    const table = parseLineProgram(emptySections({ line: lineHeaderV4(program) }), 0, 8, "/build", "a.c");
    expect(table.files).toEqual(["/build/a.c", "/build/a.c", "/build/inc/b.h", "/abs/c.h", "/build/d.c"]);
    expect([...table.addresses]).toEqual([0x1000, 0x1004, 0x1014, 0x1028, 0x102f]);
    expect([...table.lines]).toEqual([10, 12, 1, 1, END_OF_SEQUENCE]);
    expect([...table.fileIndexes.slice(0, 4)]).toEqual([1, 1, 2, 3]);
  });

  it("reads DWARF 5 directory and file entry formats (line_strp, udata, MD5)", () => {
    const lineStr = bytes(cstr("/srv/proj"), cstr("src"), cstr("main.c"), cstr("util.h"));
    const afterHeaderLength = [
      1,
      1,
      1,
      0xfb,
      14,
      13,
      0,
      1,
      1,
      1,
      1,
      0,
      0,
      0,
      1,
      0,
      0,
      1,
      2,
      ...uleb(C.DW_LNCT_path),
      ...uleb(C.DW_FORM_line_strp),
      99,
      ...uleb(C.DW_FORM_udata), // dir format (+ an unknown type)
      ...uleb(2),
      ...u32(0),
      ...uleb(5),
      ...u32(10),
      ...uleb(6),
      3,
      ...uleb(C.DW_LNCT_path),
      ...uleb(C.DW_FORM_line_strp),
      ...uleb(C.DW_LNCT_directory_index),
      ...uleb(C.DW_FORM_udata),
      5,
      ...uleb(C.DW_FORM_data16),
      ...uleb(2),
      ...u32(14),
      ...uleb(1),
      ...new Array(16).fill(0xaa),
      ...u32(21),
      ...uleb(0),
      ...new Array(16).fill(0xbb),
    ];
    const program = [0, 9, C.DW_LNE_set_address, ...u64(0x2000), C.DW_LNS_copy, 0, 1, C.DW_LNE_end_sequence];
    const body = [...u16(5), 8, 0, ...u32(afterHeaderLength.length), ...afterHeaderLength, ...program];
    const table = parseLineProgram(
      emptySections({ line: bytes(u32(body.length), body), lineStr }),
      0,
      8,
      "",
      "",
    );
    expect(table.files).toEqual(["/srv/proj/src/main.c", "/srv/proj/util.h"]);
    expect([...table.addresses]).toEqual([0x2000, 0x2000]);
    expect(table.fileIndexes[0]).toBe(1);
  });

  it.each([
    ["an offset past the section", 100],
    ["a truncated header", 0],
  ])("refuses %s", (_name, offset) => {
    const line = offset === 0 ? bytes(u32(50), u16(4)) : new Uint8Array(8);
    expect(() => parseLineProgram(emptySections({ line }), offset, 8, "", "")).toThrow(FaultlineError);
  });
});

describe("range lists", () => {
  const unit = (version: number, over: Partial<UnitContext> = {}): UnitContext => ({
    offset: 0,
    end: 0,
    firstDie: 0,
    version,
    unitType: C.DW_UT_compile,
    addressSize: 8,
    offsetSize: 4,
    abbrevOffset: 0,
    abbrevs: new AbbrevTable(),
    strOffsetsBase: 0,
    addrBase: 8,
    rnglistsBase: 12,
    baseAddress: 0x1000,
    compDir: "",
    name: "",
    stmtList: -1,
    ...over,
  });

  it("reads .debug_ranges with the unit base and base-address selection entries", () => {
    const ranges = bytes(
      u64(0x10),
      u64(0x20),
      new Array(8).fill(0xff),
      u64(0x5000),
      u64(0x1),
      u64(0x8),
      u64(0),
      u64(0),
    );
    const out: number[] = [];
    readRangeList(emptySections({ ranges }), unit(4), C.DW_FORM_sec_offset, 0, out);
    expect(out).toEqual([0x1010, 0x1020, 0x5001, 0x5008]);
  });

  it("reads every .debug_rnglists entry kind, directly and through rnglistx", () => {
    const addr = bytes(u32(20), u16(5), [8, 0], u64(0x7000), u64(0x7100));
    const list = [
      C.DW_RLE_offset_pair,
      ...uleb(0x10),
      ...uleb(0x18), // base 0x1000
      C.DW_RLE_base_address,
      ...u64(0x3000),
      C.DW_RLE_offset_pair,
      ...uleb(0),
      ...uleb(4),
      C.DW_RLE_start_end,
      ...u64(0x4000),
      ...u64(0x4010),
      C.DW_RLE_start_length,
      ...u64(0x4100),
      ...uleb(0x20),
      C.DW_RLE_startx_endx,
      ...uleb(0),
      ...uleb(1),
      C.DW_RLE_startx_length,
      ...uleb(1),
      ...uleb(2),
      C.DW_RLE_base_addressx,
      ...uleb(1),
      C.DW_RLE_offset_pair,
      ...uleb(8),
      ...uleb(9),
      C.DW_RLE_end_of_list,
    ];
    const header = [...u32(0), ...u16(5), 8, 0, ...u32(1)]; // 12 bytes, then one offset
    const rnglists = bytes(header, u32(4), list);
    const expected = [
      0x1010, 0x1018, 0x3000, 0x3004, 0x4000, 0x4010, 0x4100, 0x4120, 0x7000, 0x7100, 0x7100, 0x7102, 0x7108,
      0x7109,
    ];
    const direct: number[] = [];
    readRangeList(emptySections({ rnglists, addr }), unit(5), C.DW_FORM_sec_offset, 16, direct);
    expect(direct).toEqual(expected);
    const indexed: number[] = [];
    readRangeList(emptySections({ rnglists, addr }), unit(5), C.DW_FORM_rnglistx, 0, indexed);
    expect(indexed).toEqual(expected);
  });

  it("stops at unknown entry kinds and out-of-range offsets instead of throwing", () => {
    const out: number[] = [];
    readRangeList(emptySections({ rnglists: bytes([0x42, 1, 2, 3]) }), unit(5), C.DW_FORM_sec_offset, 0, out);
    readRangeList(emptySections({ rnglists: bytes([0]) }), unit(5), C.DW_FORM_sec_offset, 50, out);
    readRangeList(emptySections({}), unit(5), C.DW_FORM_rnglistx, 3, out);
    expect(out).toEqual([]);
  });
});

interface Summary {
  name: string | undefined;
  depth: number;
  callLine: number;
  ranges: number;
}

async function summarize(name: string): Promise<{ units: string[]; functions: Summary[] }> {
  const object = await loadObject(memorySource(fixture(name)));
  if (!object.dwarf) throw new Error(`${name} has no DWARF`);
  const reader = new DwarfReader(object.dwarf);
  const units: string[] = [];
  const functions: Summary[] = [];
  for (const header of reader.codeUnits()) {
    const unit = reader.readUnit(header);
    units.push(unit.unit.name);
    for (const f of unit.functions) {
      const n = reader.functionName(f.dieOffset);
      functions.push({
        name: n.linkageName ?? n.name,
        depth: f.depth,
        callLine: f.callLine,
        ranges: f.ranges.length / 2,
      });
    }
  }
  return { units, functions };
}

describe("reading whole fixtures", () => {
  it("finds the C program's functions and inline chains, nested several levels", async () => {
    const { units, functions } = await summarize("c-dwarf5");
    expect(units).toEqual(["src/c_main.c", "src/c_grid.c"]);
    const names = functions.map((f) => `${"  ".repeat(f.depth)}${f.name}${f.depth ? `@${f.callLine}` : ""}`);
    // walk_grid → cell_cost (inlined at c_grid.c:23) → weigh (c_grid.c:7) → manhattan/clamp_int (shapes.h)
    expect(names).toContain("walk_grid");
    const at = names.indexOf("walk_grid");
    expect(names.slice(at, at + 5)).toEqual([
      "walk_grid",
      "  cell_cost@23",
      "    weigh@7",
      "      clamp_int@26",
      "      manhattan@25",
    ]);
    expect(
      functions
        .filter((f) => f.depth === 0)
        .map((f) => f.name)
        .sort(),
    ).toEqual(
      ["checksum_points", "fibonacci", "main", "mul", "add", "reduce", "total_score", "walk_grid"].sort(),
    );
  });

  it.each(["c-dwarf4", "c-gz", "c-zdebug", "c-split.debug", "c-nopie"])(
    "reads %s like the DWARF 5 build (same functions and inline structure)",
    async (name) => {
      const reference = await summarize("c-dwarf5");
      const other = await summarize(name);
      expect(other.units).toEqual(reference.units);
      expect(other.functions.map(({ name, depth, callLine }) => ({ name, depth, callLine }))).toEqual(
        reference.functions.map(({ name, depth, callLine }) => ({ name, depth, callLine })),
      );
    },
  );

  it("resolves names across units (LTO) and through abstract origins (Rust)", async () => {
    const { functions } = await summarize("rust-lto");
    expect(functions.length).toBeGreaterThan(1000);
    const unnamed = functions.filter((f) => !f.name);
    expect(unnamed.length).toBe(0);
    expect(functions.some((f) => f.name?.startsWith("_ZN9rust_main6parser8tokenize"))).toBe(true);
    expect(Math.max(...functions.map((f) => f.depth))).toBeGreaterThanOrEqual(4);
  });

  it("reads LLVM DWARF 5 (strx, addrx, rnglistx forms)", async () => {
    const { functions } = await summarize("rust-debuginfo1");
    expect(functions.length).toBeGreaterThan(500);
    expect(functions.filter((f) => !f.name)).toEqual([]);
    expect(functions.some((f) => f.ranges > 1)).toBe(true);
  });

  it("decompresses zstd sections when the runtime can, else refuses them clearly", async () => {
    if (canDecompressZstd()) {
      const zstd = await summarize("c-zstd");
      expect(zstd.functions).toEqual((await summarize("c-dwarf5")).functions);
    } else {
      await expect(loadObject(memorySource(fixture("c-zstd")))).rejects.toThrow(/zstd/);
    }
  });

  it("refuses a truncated .debug_info with a 400", async () => {
    const object = await loadObject(memorySource(fixture("c-dwarf5")));
    if (!object.dwarf) throw new Error("no DWARF");
    const cut = { ...object.dwarf, info: object.dwarf.info.subarray(0, 40) };
    let caught: unknown;
    try {
      const reader = new DwarfReader(cut);
      for (const header of reader.codeUnits()) reader.readUnit(header);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FaultlineError);
    expect((caught as FaultlineError).status).toBe(400);
  });

  it("refuses an abbreviation table offset outside .debug_abbrev", async () => {
    const object = await loadObject(memorySource(fixture("c-dwarf4")));
    if (!object.dwarf) throw new Error("no DWARF");
    const info = object.dwarf.info.slice();
    new DataView(info.buffer).setUint32(6, 0x7fffff, true); // DWARF 4: abbrev offset after length+version
    const reader = new DwarfReader({ ...object.dwarf, info });
    const [first] = reader.codeUnits();
    if (!first) throw new Error("no unit");
    expect(() => reader.readUnit(first)).toThrow(/abbreviation table offset/);
  });
});
