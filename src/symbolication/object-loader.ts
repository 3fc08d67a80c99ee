// Everything a lookup build needs from one object: identity, load address, the address ranges of
// executable code (to reject tombstoned DWARF), the DWARF sections (decompressed) and the function
// symbols. Reads go through a ByteSource, section by section.
import { tooLarge } from "../errors.ts";
import { MAX_DEBUG_SECTION_BYTES, MAX_DEBUG_SECTIONS_TOTAL_BYTES } from "../limits.ts";
import { ByteReader } from "./byte-reader.ts";
import { type ByteSource, checkRange } from "./byte-source.ts";
import { decompressElfSection, decompressGnuSection } from "./decompress.ts";
import { BlockedSection, type BlockedSectionOptions } from "./dwarf/blocked-section.ts";
import type { DwarfSections } from "./dwarf/unit.ts";
import {
  type ElfLayout,
  findElfSection,
  hasFileData,
  isElf,
  readElfLayout,
  SHF_EXECINSTR,
  SHT_DYNSYM,
  SHT_SYMTAB,
} from "./elf.ts";
import { elfIdentity } from "./elf-identify.ts";
import { malformedFile, rethrowTruncation, unsupportedFile } from "./errors.ts";
import {
  findMachSection,
  type MachLayout,
  machIdentity,
  machKind,
  readFatMembers,
  readMachLayout,
} from "./macho.ts";
import { runPlan } from "./read-plan.ts";
import { type SymbolEntry, SymbolTable } from "./symbol-table.ts";
import type { ObjectInfo } from "./types.ts";

export type { SymbolEntry };

export interface LoadedObject {
  info: ObjectInfo;
  loadAddress: number;
  /** Flattened, sorted [start, end) pairs of executable sections. */
  codeRanges: number[];
  dwarf?: DwarfSections;
  /**
   * Bytes of all DWARF sections (decompressed); of those held in memory whole (compressed ones
   * decompressed, small tables); and of the block caches of sections read through one.
   */
  dwarfBytes: number;
  heldDwarfBytes: number;
  cachedDwarfBytes: number;
  symbols: SymbolTable;
}

export interface LoadOptions {
  /**
   * Leave uncompressed .debug_info and .debug_line in the file and read them a unit at a time
   * (DwarfSections.lazy), and read uncompressed string and range-list sections through block
   * caches (DwarfSections.blocked); the default reads every section whole. Compressed sections
   * cannot be read in pieces: they are held, decompressed, either way.
   */
  lazyDwarf?: boolean;
  /** Block cache of .debug_str when lazy (default STRING_CACHE_BYTES). */
  stringCacheBytes?: number;
  /** Block size and cache of every blocked section, instead of the defaults (tests). */
  blockedSections?: BlockedSectionOptions;
}

/** Block caches of the blocked sections: strings are read all over, range lists in unit order. */
export const STRING_CACHE_BYTES = 8 * 1024 * 1024;
const SMALL_CACHE_BYTES = 1024 * 1024;

/** A section left in the file: read later, piece by piece. */
interface FileRange {
  fileOffset: number;
  size: number;
}
type SectionBytes = Uint8Array | FileRange;
const LAZY_KEYS: ReadonlySet<DwarfKey> = new Set(["info", "line", "str", "lineStr", "ranges", "rnglists"]);
const BLOCKED_KEYS = ["str", "lineStr", "ranges", "rnglists"] as const;

const DWARF_SECTIONS = {
  info: "debug_info",
  abbrev: "debug_abbrev",
  line: "debug_line",
  str: "debug_str",
  lineStr: "debug_line_str",
  strOffsets: "debug_str_offsets",
  addr: "debug_addr",
  ranges: "debug_ranges",
  rnglists: "debug_rnglists",
} as const;
type DwarfKey = keyof typeof DWARF_SECTIONS;

async function readBounded(
  source: ByteSource,
  offset: number,
  size: number,
  what: string,
): Promise<Uint8Array> {
  if (size > MAX_DEBUG_SECTION_BYTES)
    throw tooLarge(`${what} is ${size} bytes (limit ${MAX_DEBUG_SECTION_BYTES})`);
  return source.read(offset, size);
}

/**
 * Loads the object at `member` (index of a fat Mach-O member; 0 otherwise). Throws 400 for files that
 * are not ELF/Mach-O and 413 when DWARF sections exceed the build's memory budget.
 */
export function loadObject(source: ByteSource, member = 0, options: LoadOptions = {}): Promise<LoadedObject> {
  return rethrowTruncation(() => loadAnyObject(source, member, options));
}

async function loadAnyObject(
  source: ByteSource,
  member: number,
  options: LoadOptions,
): Promise<LoadedObject> {
  const prefix = await source.read(0, Math.min(16, source.size));
  if (isElf(prefix)) return loadElf(source, options);
  const kind = machKind(prefix);
  if (kind === "thin")
    return loadMach(source, await runPlan(readMachLayout(0, source.size), source), options);
  if (kind === "fat") {
    const members = await runPlan(readFatMembers(source.size), source);
    const chosen = members[member];
    if (!chosen) throw malformedFile(`fat file has no member ${member}`);
    return loadMach(source, await runPlan(readMachLayout(chosen.offset, chosen.size), source), options);
  }
  throw unsupportedFile("neither ELF nor Mach-O");
}

async function loadElf(source: ByteSource, options: LoadOptions): Promise<LoadedObject> {
  const layout = await runPlan(readElfLayout(source.size), source);
  const info = await runPlan(elfIdentity(layout), source);
  const codeRanges: number[] = [];
  for (const s of layout.sections)
    if (s.flags & SHF_EXECINSTR && s.size > 0) codeRanges.push(s.addr, s.addr + s.size);
  const entries = await Promise.all(
    (Object.keys(DWARF_SECTIONS) as DwarfKey[]).map(
      async (key) =>
        [key, await elfSection(source, layout, DWARF_SECTIONS[key], lazyKey(options, key))] as const,
    ),
  );
  return {
    info,
    loadAddress: layout.loadAddress,
    codeRanges: sortPairs(codeRanges),
    ...dwarfFrom(source, layout.littleEndian, entries, options),
    symbols: await elfSymbols(source, layout),
  };
}

function lazyKey(options: LoadOptions, key: DwarfKey): boolean {
  return options.lazyDwarf === true && LAZY_KEYS.has(key);
}

async function elfSection(
  source: ByteSource,
  layout: ElfLayout,
  name: string,
  lazy: boolean,
): Promise<SectionBytes> {
  const found = findElfSection(layout, name);
  if (!found || !hasFileData(layout, found.section)) return new Uint8Array(0);
  const { section, compression } = found;
  if (lazy && compression === "none") {
    checkRange(source.size, section.offset, section.size, section.name);
    return { fileOffset: section.offset, size: section.size };
  }
  const raw = await readBounded(source, section.offset, section.size, section.name);
  if (compression === "elf") return decompressElfSection(raw, layout.is64, layout.littleEndian, section.name);
  if (compression === "zlib-gnu") return decompressGnuSection(raw, section.name);
  return raw;
}

function dwarfFrom(
  source: ByteSource,
  littleEndian: boolean,
  entries: readonly (readonly [DwarfKey, SectionBytes])[],
  options: LoadOptions,
): { dwarf?: DwarfSections; dwarfBytes: number; heldDwarfBytes: number; cachedDwarfBytes: number } {
  const map = new Map(entries);
  const sizeOf = (bytes: SectionBytes) => (bytes instanceof Uint8Array ? bytes.byteLength : bytes.size);
  const dwarfBytes = entries.reduce((sum, [, bytes]) => sum + sizeOf(bytes), 0);
  const heldDwarfBytes = entries.reduce(
    (sum, [, bytes]) => sum + (bytes instanceof Uint8Array ? bytes.byteLength : 0),
    0,
  );
  if (heldDwarfBytes > MAX_DEBUG_SECTIONS_TOTAL_BYTES) {
    throw tooLarge(`DWARF sections total ${heldDwarfBytes} bytes (limit ${MAX_DEBUG_SECTIONS_TOTAL_BYTES})`);
  }
  const held = (key: DwarfKey) => {
    const bytes = map.get(key);
    return bytes instanceof Uint8Array ? bytes : new Uint8Array(0);
  };
  const info = map.get("info");
  if (!info || sizeOf(info) === 0) return { dwarfBytes, heldDwarfBytes, cachedDwarfBytes: 0 };
  const dwarf: DwarfSections = {
    littleEndian,
    info: held("info"),
    abbrev: held("abbrev"),
    line: held("line"),
    str: held("str"),
    lineStr: held("lineStr"),
    strOffsets: held("strOffsets"),
    addr: held("addr"),
    ranges: held("ranges"),
    rnglists: held("rnglists"),
  };
  const reader = (bytes: SectionBytes) =>
    bytes instanceof Uint8Array
      ? (offset: number, length: number) => Promise.resolve(bytes.subarray(offset, offset + length))
      : (offset: number, length: number) => {
          checkRange(bytes.size, offset, length, "DWARF section read");
          return source.read(bytes.fileOffset + offset, length);
        };
  let cachedDwarfBytes = 0;
  for (const key of BLOCKED_KEYS) {
    const bytes = map.get(key);
    if (!bytes || bytes instanceof Uint8Array || bytes.size === 0) continue;
    const cacheBytes = key === "str" ? (options.stringCacheBytes ?? STRING_CACHE_BYTES) : SMALL_CACHE_BYTES;
    const section = new BlockedSection(`.${DWARF_SECTIONS[key]}`, bytes.size, reader(bytes), {
      cacheBytes,
      ...options.blockedSections,
    });
    dwarf.blocked = { ...dwarf.blocked, [key]: section };
    cachedDwarfBytes += Math.min(section.cacheBytes, bytes.size);
  }
  const line = map.get("line") ?? new Uint8Array(0);
  if (!(info instanceof Uint8Array) || !(line instanceof Uint8Array)) {
    // Both lazy, so the reader has one way to read each (a lone held one is read as a slice).
    dwarf.info = new Uint8Array(0);
    dwarf.line = new Uint8Array(0);
    dwarf.lazy = {
      infoSize: sizeOf(info),
      lineSize: sizeOf(line),
      readInfo: reader(info),
      readLine: reader(line),
    };
  }
  return { dwarf, dwarfBytes, heldDwarfBytes, cachedDwarfBytes };
}

const STT_NOTYPE = 0;
const STT_FUNC = 2;
const STB_LOCAL = 0;
const STV_HIDDEN = 2;
const EM_ARM = 40;

/**
 * Whether an ELF symbol names code the way addr2line counts it: functions, and untyped symbols in
 * code sections (assembly entry points written without `.type`), except the hidden local untyped
 * zero-size markers annobin emits and ARM mapping symbols (`$a`, `$t`, `$x`, `$d`).
 */
function isCodeSymbol(info: number, other: number, size: number, firstNameByte: number): boolean {
  const type = info & 0xf;
  if (type === STT_FUNC) return true;
  if (type !== STT_NOTYPE || firstNameByte === 0x24 /* $ */) return false;
  return !(size === 0 && info >> 4 === STB_LOCAL && (other & 0x3) === STV_HIDDEN);
}

async function elfSymbols(source: ByteSource, layout: ElfLayout): Promise<SymbolTable> {
  const usable = (type: number) =>
    layout.sections.find((s) => s.type === type && hasFileData(layout, s) && s.entsize > 0);
  const table = usable(SHT_SYMTAB) ?? usable(SHT_DYNSYM);
  const strings = table ? layout.sections[table.link] : undefined;
  if (!table || !strings || !hasFileData(layout, strings)) return new SymbolTable();
  const [raw, names] = await Promise.all([
    readBounded(source, table.offset, table.size, table.name),
    readBounded(source, strings.offset, strings.size, strings.name),
  ]);
  const executable = (index: number) => ((layout.sections[index]?.flags ?? 0) & SHF_EXECINSTR) !== 0;
  const thumb = layout.machine === EM_ARM;
  const r = new ByteReader(raw, layout.littleEndian);
  const symbols = new SymbolTable(names);
  const count = Math.floor(raw.byteLength / table.entsize);
  for (let i = 1; i < count; i++) {
    r.pos = i * table.entsize;
    let nameOffset: number;
    let value: number;
    let size: number;
    let info: number;
    let other: number;
    let shndx: number;
    if (layout.is64) {
      nameOffset = r.u32();
      info = r.u8();
      other = r.u8();
      shndx = r.u16();
      value = r.u64();
      size = r.u64();
    } else {
      nameOffset = r.u32();
      value = r.u32();
      size = r.u32();
      info = r.u8();
      other = r.u8();
      shndx = r.u16();
    }
    if (nameOffset >= names.byteLength || names[nameOffset] === 0) continue;
    if (!isCodeSymbol(info, other, size, names[nameOffset] ?? 0)) continue;
    if (value < layout.loadAddress || !executable(shndx)) continue;
    // ARM marks Thumb functions with bit 0 of the address; code addresses in DWARF do not have it.
    symbols.push(thumb ? value - (value % 2) : value, size, nameOffset);
  }
  return symbols;
}

const S_ATTR_PURE_INSTRUCTIONS = 0x80000000;
const S_ATTR_SOME_INSTRUCTIONS = 0x400;

async function loadMach(source: ByteSource, layout: MachLayout, options: LoadOptions): Promise<LoadedObject> {
  const info = machIdentity(layout);
  const codeRanges: number[] = [];
  const codeSections = new Set<number>();
  layout.sections.forEach((s, i) => {
    if ((s.flags & S_ATTR_PURE_INSTRUCTIONS) !== 0 || (s.flags & S_ATTR_SOME_INSTRUCTIONS) !== 0) {
      codeRanges.push(s.addr, s.addr + s.size);
      codeSections.add(i + 1); // n_sect is 1-based
    }
  });
  const entries = await Promise.all(
    (Object.keys(DWARF_SECTIONS) as DwarfKey[]).map(async (key) => {
      const section = findMachSection(layout, DWARF_SECTIONS[key]);
      let bytes: SectionBytes = new Uint8Array(0);
      if (section && lazyKey(options, key)) {
        checkRange(source.size, layout.base + section.offset, section.size, section.name);
        bytes = { fileOffset: layout.base + section.offset, size: section.size };
      } else if (section) {
        bytes = await readBounded(source, layout.base + section.offset, section.size, section.name);
      }
      return [key, bytes] as const;
    }),
  );
  const loadAddress = layout.segments.find((s) => s.name === "__TEXT")?.vmaddr ?? 0;
  return {
    info,
    loadAddress,
    codeRanges: sortPairs(codeRanges),
    ...dwarfFrom(source, layout.littleEndian, entries, options),
    symbols: await machSymbols(source, layout, codeSections),
  };
}

const N_STAB = 0xe0;
const N_TYPE = 0x0e;
const N_SECT = 0x0e;

async function machSymbols(
  source: ByteSource,
  layout: MachLayout,
  codeSections: Set<number>,
): Promise<SymbolTable> {
  const symtab = layout.symtab;
  if (!symtab || symtab.nsyms === 0) return new SymbolTable();
  const entrySize = layout.is64 ? 16 : 12;
  if (
    symtab.symoff + symtab.nsyms * entrySize > layout.size ||
    symtab.stroff + symtab.strsize > layout.size
  ) {
    throw malformedFile("Mach-O symbol table lies outside the object");
  }
  const raw = await readBounded(
    source,
    layout.base + symtab.symoff,
    symtab.nsyms * entrySize,
    "symbol table",
  );
  const names = await readBounded(source, layout.base + symtab.stroff, symtab.strsize, "string table");
  const r = new ByteReader(raw, layout.littleEndian);
  const symbols = new SymbolTable(names);
  for (let i = 0; i < symtab.nsyms; i++) {
    r.pos = i * entrySize;
    const nameOffset = r.u32();
    const type = r.u8();
    const sect = r.u8();
    r.skip(2);
    const value = layout.is64 ? r.u64() : r.u32();
    if ((type & N_STAB) !== 0 || (type & N_TYPE) !== N_SECT || !codeSections.has(sect)) continue;
    if (nameOffset >= names.byteLength || names[nameOffset] === 0) continue;
    // Mach-O prefixes C-level symbol names with an underscore (dropped unless it is the whole name).
    const underscore = names[nameOffset] === 0x5f && names[nameOffset + 1] !== 0 ? 1 : 0;
    symbols.push(value, 0, nameOffset + underscore);
  }
  return symbols;
}

function sortPairs(pairs: number[]): number[] {
  const list: [number, number][] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) list.push([pairs[i] ?? 0, pairs[i + 1] ?? 0]);
  list.sort((a, b) => a[0] - b[0]);
  return list.flat();
}
