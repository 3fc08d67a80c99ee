// ELF container reading: header, program and section headers, build-id notes, the first page of
// .text (for build-id-less debug ids), the soname and named (possibly compressed) sections. Every
// function is a ReadPlan, so it runs over bytes in memory or ranged reads of a file in R2.
import { ByteReader, cstringAt } from "./byte-reader.ts";
import { malformedFile } from "./errors.ts";
import type { ReadPlan } from "./read-plan.ts";

export const SHT_NOBITS = 8;
export const SHT_NOTE = 7;
export const SHT_SYMTAB = 2;
export const SHT_DYNSYM = 11;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHF_COMPRESSED = 0x800;
const PT_LOAD = 1;
const PT_INTERP = 3;
const PT_NOTE = 4;
const NT_GNU_BUILD_ID = 3;
const DT_SONAME = 14;
/** Bounds the section header table we are willing to read (real files have a few hundred). */
const MAX_SECTIONS = 1 << 20;
/** Bounds the note data scanned for a build id. */
const MAX_NOTE_BYTES = 1 << 20;

export interface ElfSection {
  index: number;
  name: string;
  /** Offset of the name in the section-name string table. */
  nameOffset: number;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

export interface ElfProgramHeader {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
  align: number;
}

export interface ElfLayout {
  fileSize: number;
  is64: boolean;
  littleEndian: boolean;
  /** e_type: 1 REL, 2 EXEC, 3 DYN, 4 CORE. */
  type: number;
  machine: number;
  flags: number;
  sections: ElfSection[];
  programHeaders: ElfProgramHeader[];
  hasInterpreter: boolean;
  /** p_vaddr of the first PT_LOAD (0 for PIE and shared objects): all addresses are relative to it. */
  loadAddress: number;
}

export function isElf(prefix: Uint8Array): boolean {
  return prefix[0] === 0x7f && prefix[1] === 0x45 && prefix[2] === 0x4c && prefix[3] === 0x46;
}

export function* readElfLayout(fileSize: number): ReadPlan<ElfLayout> {
  const ident = yield { offset: 0, length: Math.min(64, fileSize), what: "ELF header" };
  if (ident.byteLength < 52 || !isElf(ident)) throw malformedFile("ELF header is truncated");
  const elfClass = ident[4];
  const elfData = ident[5];
  if (elfClass !== 1 && elfClass !== 2) throw malformedFile(`unknown ELF class ${elfClass}`);
  if (elfData !== 1 && elfData !== 2) throw malformedFile(`unknown ELF data encoding ${elfData}`);
  const is64 = elfClass === 2;
  const littleEndian = elfData === 1;
  if (is64 && ident.byteLength < 64) throw malformedFile("ELF header is truncated");
  const r = new ByteReader(ident, littleEndian, 16);
  const type = r.u16();
  const machine = r.u16();
  r.skip(4); // e_version
  r.skip(is64 ? 8 : 4); // e_entry
  const phoff = is64 ? r.u64() : r.u32();
  const shoff = is64 ? r.u64() : r.u32();
  const flags = r.u32();
  r.skip(2); // e_ehsize
  const phentsize = r.u16();
  let phnum = r.u16();
  const shentsize = r.u16();
  let shnum = r.u16();
  let shstrndx = r.u16();

  const shdrSize = is64 ? 64 : 40;
  const phdrSize = is64 ? 56 : 32;
  let first: ElfSection | undefined;
  if (shoff !== 0 && (shnum === 0 || shstrndx === 0xffff || phnum === 0xffff)) {
    // Extended numbering: the real counts live in section header 0.
    if (shentsize < shdrSize) throw malformedFile("ELF section header size is too small");
    const raw = yield { offset: shoff, length: shdrSize, what: "ELF section header 0" };
    first = parseSection(new ByteReader(raw, littleEndian), is64, 0);
    if (shnum === 0) shnum = first.size;
    if (shstrndx === 0xffff) shstrndx = first.link;
    if (phnum === 0xffff) phnum = readInfoOfFirst(raw, is64, littleEndian);
  }

  const programHeaders: ElfProgramHeader[] = [];
  if (phoff !== 0 && phnum > 0) {
    if (phentsize < phdrSize) throw malformedFile("ELF program header size is too small");
    if (phnum > MAX_SECTIONS) throw malformedFile("too many ELF program headers");
    const raw = yield { offset: phoff, length: phnum * phentsize, what: "ELF program headers" };
    const pr = new ByteReader(raw, littleEndian);
    for (let i = 0; i < phnum; i++) {
      pr.pos = i * phentsize;
      programHeaders.push(parseProgramHeader(pr, is64));
    }
  }

  const sections: ElfSection[] = [];
  if (shoff !== 0 && shnum > 0) {
    if (shentsize < shdrSize) throw malformedFile("ELF section header size is too small");
    if (shnum > MAX_SECTIONS) throw malformedFile("too many ELF sections");
    const raw = yield { offset: shoff, length: shnum * shentsize, what: "ELF section headers" };
    const sr = new ByteReader(raw, littleEndian);
    for (let i = 0; i < shnum; i++) {
      sr.pos = i * shentsize;
      sections.push(parseSection(sr, is64, i));
    }
    const names = sections[shstrndx];
    if (names && names.type !== SHT_NOBITS && names.size > 0 && names.offset + names.size <= fileSize) {
      const table = yield { offset: names.offset, length: names.size, what: "ELF section names" };
      for (const section of sections) section.name = cstringAt(table, section.nameOffset) ?? "";
    }
  }

  const firstLoad = programHeaders.find((p) => p.type === PT_LOAD);
  return {
    fileSize,
    is64,
    littleEndian,
    type,
    machine,
    flags,
    sections,
    programHeaders,
    hasInterpreter: programHeaders.some((p) => p.type === PT_INTERP && p.filesz !== 0),
    loadAddress: firstLoad?.vaddr ?? 0,
  };
}

function readInfoOfFirst(raw: Uint8Array, is64: boolean, littleEndian: boolean): number {
  // sh_info of section 0 holds the real e_phnum.
  const r = new ByteReader(raw, littleEndian, is64 ? 44 : 28);
  return r.u32();
}

function parseSection(r: ByteReader, is64: boolean, index: number): ElfSection {
  const nameOffset = r.u32();
  const type = r.u32();
  const flags = is64 ? r.u64() : r.u32();
  const addr = is64 ? r.u64() : r.u32();
  const offset = is64 ? r.u64() : r.u32();
  const size = is64 ? r.u64() : r.u32();
  const link = r.u32();
  r.skip(4); // sh_info
  r.skip(is64 ? 8 : 4); // sh_addralign
  const entsize = is64 ? r.u64() : r.u32();
  return { index, name: "", nameOffset, type, flags, addr, offset, size, link, entsize };
}

function parseProgramHeader(r: ByteReader, is64: boolean): ElfProgramHeader {
  if (is64) {
    const type = r.u32();
    r.skip(4); // p_flags
    const offset = r.u64();
    const vaddr = r.u64();
    r.skip(8); // p_paddr
    const filesz = r.u64();
    r.skip(8); // p_memsz
    const align = r.u64();
    return { type, offset, vaddr, filesz, align };
  }
  const type = r.u32();
  const offset = r.u32();
  const vaddr = r.u32();
  r.skip(4); // p_paddr
  const filesz = r.u32();
  r.skip(8); // p_memsz, p_flags
  const align = r.u32();
  return { type, offset, vaddr, filesz, align };
}

/** True when the section's bytes are present in the file (not NOBITS, not a phantom at offset 0). */
export function hasFileData(layout: ElfLayout, section: ElfSection): boolean {
  return (
    section.type !== SHT_NOBITS &&
    section.offset !== 0 &&
    section.size > 0 &&
    section.offset + section.size <= layout.fileSize
  );
}

export interface FoundSection {
  section: ElfSection;
  /** "zlib-gnu" = old `.zdebug_*` ("ZLIB" + 8-byte BE size); "elf" = SHF_COMPRESSED header. */
  compression: "none" | "zlib-gnu" | "elf";
}

/**
 * Finds a section by its name without the leading dot (`debug_info`), also under its old compressed
 * name `.zdebug_info`. Like symbolic, NOBITS and offset-0 sections do not count.
 */
export function findElfSection(layout: ElfLayout, name: string): FoundSection | undefined {
  for (const section of layout.sections) {
    if (section.type === SHT_NOBITS || section.offset === 0) continue;
    const full = section.name;
    if (full.startsWith(".z") && full.slice(2) === name) return { section, compression: "zlib-gnu" };
    if (full.startsWith(".") && full.slice(1) === name) {
      return { section, compression: section.flags & SHF_COMPRESSED ? "elf" : "none" };
    }
  }
  return undefined;
}

/** The desc of the first NT_GNU_BUILD_ID note: PT_NOTE segments first, then `.note.gnu.build-id`. */
export function* readElfBuildId(layout: ElfLayout): ReadPlan<Uint8Array | undefined> {
  for (const ph of layout.programHeaders) {
    if (ph.type !== PT_NOTE || ph.filesz === 0 || ph.offset + ph.filesz > layout.fileSize) continue;
    const data = yield { offset: ph.offset, length: Math.min(ph.filesz, MAX_NOTE_BYTES), what: "ELF notes" };
    const id = findBuildIdNote(data, layout.littleEndian, ph.align === 8 ? 8 : 4);
    if (id) return id;
  }
  for (const section of layout.sections) {
    if (section.type !== SHT_NOTE || section.name !== ".note.gnu.build-id") continue;
    if (!hasFileData(layout, section)) continue;
    const length = Math.min(section.size, MAX_NOTE_BYTES);
    const data = yield { offset: section.offset, length, what: "ELF build-id note" };
    const id = findBuildIdNote(data, layout.littleEndian, 4);
    if (id) return id;
  }
  return undefined;
}

function findBuildIdNote(data: Uint8Array, littleEndian: boolean, align: number): Uint8Array | undefined {
  const r = new ByteReader(data, littleEndian);
  const pad = (n: number) => (n + align - 1) & ~(align - 1);
  while (r.remaining >= 12) {
    const nameSize = r.u32();
    const descSize = r.u32();
    const type = r.u32();
    const descStart = r.pos + pad(nameSize);
    const descEnd = descStart + descSize;
    if (descEnd > data.byteLength) return undefined;
    if (type === NT_GNU_BUILD_ID) return data.slice(descStart, descEnd);
    r.pos = descStart + pad(descSize);
  }
  return undefined;
}

/** Up to the first 4096 bytes of `.text`, hashed into a debug id when there is no build id. */
export function* readElfTextPage(layout: ElfLayout): ReadPlan<Uint8Array | undefined> {
  const text = layout.sections.find((s) => s.name === ".text" && s.type !== SHT_NOBITS && s.offset !== 0);
  if (!text || text.offset + text.size > layout.fileSize) return undefined;
  return yield { offset: text.offset, length: Math.min(text.size, 4096), what: ".text" };
}

/** DT_SONAME from `.dynamic`, if the object has one (shared libraries). */
export function* readElfSoname(layout: ElfLayout): ReadPlan<string | undefined> {
  const dynamic = layout.sections.find((s) => s.name === ".dynamic");
  if (!dynamic || !hasFileData(layout, dynamic)) return undefined;
  const strtab = layout.sections[dynamic.link];
  if (!strtab || !hasFileData(layout, strtab)) return undefined;
  const entries = yield { offset: dynamic.offset, length: Math.min(dynamic.size, 1 << 16), what: ".dynamic" };
  const r = new ByteReader(entries, layout.littleEndian);
  const word = layout.is64 ? 8 : 4;
  while (r.remaining >= 2 * word) {
    const tag = r.uint(word);
    const value = r.uint(word);
    if (tag === 0) break;
    if (tag === DT_SONAME) {
      if (value >= strtab.size) return undefined;
      const length = Math.min(strtab.size - value, 4096);
      const bytes = yield { offset: strtab.offset + value, length, what: ".dynstr" };
      return cstringAt(bytes, 0);
    }
  }
  return undefined;
}
