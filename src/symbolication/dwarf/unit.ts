// Unit headers (DWARF 2-5), attribute forms, and the indirections DWARF 5 adds: string offsets
// (strx), address tables (addrx) and range-list tables (rnglistx), each relative to a per-unit base.
import { ByteReader, cstringAt } from "../byte-reader.ts";
import { malformedFile } from "../errors.ts";
import type { AbbrevTable } from "./abbrev.ts";
import type { BlockedSection } from "./blocked-section.ts";
import * as C from "./constants.ts";

/** Bytes of a section from offset `base` on (a whole section has base 0). */
export interface SectionSlice {
  bytes: Uint8Array;
  base: number;
}

/**
 * .debug_info and .debug_line left in the file and read piece by piece (a unit, a line program)
 * instead of whole: they are most of the DWARF of a big file.
 */
export interface LazyDwarfSections {
  infoSize: number;
  lineSize: number;
  readInfo(offset: number, length: number): Promise<Uint8Array>;
  readLine(offset: number, length: number): Promise<Uint8Array>;
}

/** Sections read through a bounded block cache (strings and range lists of a big file). */
export interface BlockedDwarfSections {
  str?: BlockedSection;
  lineStr?: BlockedSection;
  ranges?: BlockedSection;
  rnglists?: BlockedSection;
}

/**
 * The raw DWARF sections of one object (empty arrays for absent ones), already decompressed. With
 * `lazy`, `info` and `line` are empty and read through it; a section in `blocked` is empty here
 * and read through its cache.
 */
export interface DwarfSections {
  littleEndian: boolean;
  info: Uint8Array;
  abbrev: Uint8Array;
  line: Uint8Array;
  str: Uint8Array;
  lineStr: Uint8Array;
  strOffsets: Uint8Array;
  addr: Uint8Array;
  ranges: Uint8Array;
  rnglists: Uint8Array;
  lazy?: LazyDwarfSections;
  blocked?: BlockedDwarfSections;
}

/** The string at `offset` of .debug_str or .debug_line_str, however it is held. */
export function sectionString(
  sections: DwarfSections,
  key: "str" | "lineStr",
  offset: number,
): string | undefined {
  const blocked = sections.blocked?.[key];
  return blocked ? blocked.cstring(offset) : cstringAt(sections[key], offset);
}

export interface UnitHeader {
  /** Offset of the unit header in .debug_info, and of the byte after the unit. */
  offset: number;
  end: number;
  /** Offset of the first DIE. */
  firstDie: number;
  version: number;
  unitType: number;
  addressSize: number;
  /** 4 for 32-bit DWARF, 8 for 64-bit DWARF. */
  offsetSize: number;
  abbrevOffset: number;
}

/**
 * Reads the unit header at `offset`. `info` may hold only part of .debug_info: `base` is the offset of
 * its first byte and `sectionSize` the size of the whole section.
 */
export function readUnitHeader(
  info: Uint8Array,
  offset: number,
  littleEndian: boolean,
  base = 0,
  sectionSize = base + info.byteLength,
): UnitHeader {
  const r = new ByteReader(info, littleEndian, offset, base);
  r.need(11, "unit header");
  let length = r.u32();
  let offsetSize = 4;
  if (length === 0xffffffff) {
    r.need(8, "unit header");
    length = r.u64();
    offsetSize = 8;
  } else if (length >= 0xfffffff0) {
    throw malformedFile(`reserved unit length 0x${length.toString(16)}`);
  }
  const end = r.pos + length;
  if (end > sectionSize) throw malformedFile("compilation unit extends past .debug_info");
  const version = r.u16();
  if (version < 2 || version > 5) throw malformedFile(`unsupported DWARF version ${version}`);
  let unitType: number = C.DW_UT_compile;
  let addressSize: number;
  let abbrevOffset: number;
  if (version >= 5) {
    unitType = r.u8();
    addressSize = r.u8();
    abbrevOffset = r.uint(offsetSize);
    if (unitType === C.DW_UT_skeleton || unitType === C.DW_UT_split_compile) r.skip(8);
    else if (unitType === C.DW_UT_type || unitType === C.DW_UT_split_type) r.skip(8 + offsetSize);
  } else {
    abbrevOffset = r.uint(offsetSize);
    addressSize = r.u8();
  }
  if (addressSize !== 4 && addressSize !== 8 && addressSize !== 2) {
    throw malformedFile(`unsupported address size ${addressSize}`);
  }
  if (r.pos > end) throw malformedFile("unit header is longer than the unit");
  return { offset, end, firstDie: r.pos, version, unitType, addressSize, offsetSize, abbrevOffset };
}

/** A unit ready for DIE parsing: header, abbreviations and the bases from its root DIE. */
export interface UnitContext extends UnitHeader {
  abbrevs: AbbrevTable;
  strOffsetsBase: number;
  addrBase: number;
  rnglistsBase: number;
  /** The unit's base address (DW_AT_low_pc of the root DIE) for range lists. */
  baseAddress: number;
  compDir: string;
  name: string;
  stmtList: number;
}

/**
 * Reads one attribute value. Strings come back as raw references (inline offset, strp offset, strx
 * index...) resolved later by `attrString`, because the root DIE may name its string base after its
 * name. References come back as global .debug_info offsets (-1 for references into other files).
 */
export function readForm(r: ByteReader, form: number, unit: UnitHeader, implicitConst: number): number {
  switch (form) {
    case C.DW_FORM_addr:
      return r.uint(unit.addressSize);
    case C.DW_FORM_data1:
    case C.DW_FORM_flag:
    case C.DW_FORM_strx1:
    case C.DW_FORM_addrx1:
      return r.u8();
    case C.DW_FORM_ref1:
      return unit.offset + r.u8();
    case C.DW_FORM_data2:
    case C.DW_FORM_strx2:
    case C.DW_FORM_addrx2:
      return r.u16();
    case C.DW_FORM_ref2:
      return unit.offset + r.u16();
    case C.DW_FORM_strx3:
    case C.DW_FORM_addrx3: {
      const a = r.u8();
      const b = r.u8();
      const c = r.u8();
      return r.littleEndian ? a | (b << 8) | (c << 16) : (a << 16) | (b << 8) | c;
    }
    case C.DW_FORM_data4:
    case C.DW_FORM_strx4:
    case C.DW_FORM_addrx4:
      return r.u32();
    case C.DW_FORM_ref4:
      return unit.offset + r.u32();
    case C.DW_FORM_data8:
      return r.u64();
    case C.DW_FORM_ref8:
      return unit.offset + r.u64();
    case C.DW_FORM_ref_sig8:
      r.skip(8);
      return -1;
    case C.DW_FORM_ref_sup4:
      r.skip(4);
      return -1;
    case C.DW_FORM_ref_sup8:
      r.skip(8);
      return -1;
    case C.DW_FORM_sdata:
      return r.sleb();
    case C.DW_FORM_udata:
    case C.DW_FORM_strx:
    case C.DW_FORM_addrx:
    case C.DW_FORM_loclistx:
    case C.DW_FORM_rnglistx:
    case C.DW_FORM_GNU_addr_index:
    case C.DW_FORM_GNU_str_index:
      return r.uleb();
    case C.DW_FORM_ref_udata:
      return unit.offset + r.uleb();
    case C.DW_FORM_strp:
    case C.DW_FORM_line_strp:
    case C.DW_FORM_sec_offset:
    case C.DW_FORM_strp_sup:
    case C.DW_FORM_GNU_strp_alt:
      return r.uint(unit.offsetSize);
    case C.DW_FORM_GNU_ref_alt:
      r.skip(unit.offsetSize);
      return -1;
    case C.DW_FORM_ref_addr:
      return r.uint(unit.version <= 2 ? unit.addressSize : unit.offsetSize);
    case C.DW_FORM_string: {
      return r.skipCString();
    }
    case C.DW_FORM_block1:
      r.skip(r.u8());
      return 0;
    case C.DW_FORM_block2:
      r.skip(r.u16());
      return 0;
    case C.DW_FORM_block4:
      r.skip(r.u32());
      return 0;
    case C.DW_FORM_block:
    case C.DW_FORM_exprloc:
      r.skip(r.uleb());
      return 0;
    case C.DW_FORM_flag_present:
      return 1;
    case C.DW_FORM_implicit_const:
      return implicitConst;
    case C.DW_FORM_data16:
      r.skip(16);
      return 0;
    default:
      throw malformedFile(`unknown DWARF form 0x${form.toString(16)}`);
  }
}

const STRX_FORMS = new Set([
  C.DW_FORM_strx,
  C.DW_FORM_strx1,
  C.DW_FORM_strx2,
  C.DW_FORM_strx3,
  C.DW_FORM_strx4,
  C.DW_FORM_GNU_str_index,
]);
const ADDRX_FORMS = new Set([
  C.DW_FORM_addrx,
  C.DW_FORM_addrx1,
  C.DW_FORM_addrx2,
  C.DW_FORM_addrx3,
  C.DW_FORM_addrx4,
  C.DW_FORM_GNU_addr_index,
]);

export function isStringForm(form: number): boolean {
  return (
    form === C.DW_FORM_string ||
    form === C.DW_FORM_strp ||
    form === C.DW_FORM_line_strp ||
    STRX_FORMS.has(form)
  );
}

/** Resolves a string attribute read by readForm; undefined for supplementary-file strings or bad offsets. */
export function attrString(
  sections: DwarfSections,
  unit: UnitHeader & { strOffsetsBase: number },
  form: number,
  value: number,
  info: SectionSlice = { bytes: sections.info, base: 0 },
): string | undefined {
  switch (form) {
    case C.DW_FORM_string:
      return cstringAt(info.bytes, value - info.base);
    case C.DW_FORM_strp:
      return sectionString(sections, "str", value);
    case C.DW_FORM_line_strp:
      return sectionString(sections, "lineStr", value);
    default:
      if (!STRX_FORMS.has(form)) return undefined;
      return sectionString(sections, "str", strOffset(sections, unit, value));
  }
}

function strOffset(
  sections: DwarfSections,
  unit: UnitHeader & { strOffsetsBase: number },
  index: number,
): number {
  const at = unit.strOffsetsBase + index * unit.offsetSize;
  if (at + unit.offsetSize > sections.strOffsets.byteLength) return -1;
  return new ByteReader(sections.strOffsets, sections.littleEndian, at).uint(unit.offsetSize);
}

/** Resolves an address attribute (DW_FORM_addr or an addrx index into .debug_addr). */
export function attrAddress(
  sections: DwarfSections,
  unit: UnitHeader & { addrBase: number },
  form: number,
  value: number,
): number {
  if (!ADDRX_FORMS.has(form)) return value;
  const at = unit.addrBase + value * unit.addressSize;
  if (at + unit.addressSize > sections.addr.byteLength) return -1;
  return new ByteReader(sections.addr, sections.littleEndian, at).uint(unit.addressSize);
}

export function isAddrxForm(form: number): boolean {
  return ADDRX_FORMS.has(form);
}
