// Mach-O reading: thin objects (32/64-bit, either byte order), fat/universal containers, load
// commands for segments/sections, LC_UUID, LC_SYMTAB and LC_ID_DYLIB. Identity follows symbolic:
// debug id = LC_UUID as-is, code id = its hex, load address = __TEXT vmaddr.
import { ByteReader, cstringAt } from "./byte-reader.ts";
import { formatDebugId, NIL_DEBUG_ID, toHex } from "./debug-id.ts";
import { malformedFile } from "./errors.ts";
import type { ReadPlan } from "./read-plan.ts";
import type { DebugFeature, ObjectInfo, ObjectKind } from "./types.ts";

const MH_MAGIC = 0xfeedface;
const MH_MAGIC_64 = 0xfeedfacf;
const MH_CIGAM = 0xcefaedfe;
const MH_CIGAM_64 = 0xcffaedfe;
const FAT_MAGIC = 0xcafebabe;
const FAT_MAGIC_64 = 0xcafebabf;
const LC_SEGMENT = 0x1;
const LC_SYMTAB = 0x2;
const LC_ID_DYLIB = 0xd;
const LC_UUID = 0x1b;
const LC_SEGMENT_64 = 0x19;
/** Java class files share FAT_MAGIC; their "arch count" is a class-file version (≥ 45). */
const MAX_FAT_ARCHES = 30;
const MAX_LOAD_COMMAND_BYTES = 16 << 20;

export interface MachSection {
  segment: string;
  name: string;
  addr: number;
  size: number;
  /** File offset relative to the start of this (thin) object; 0 for phantom/zerofill sections. */
  offset: number;
  flags: number;
}

export interface MachSegment {
  name: string;
  vmaddr: number;
  fileoff: number;
  filesize: number;
}

export interface MachLayout {
  /** Where this object starts in the file (non-zero for fat members) and its size. */
  base: number;
  size: number;
  is64: boolean;
  littleEndian: boolean;
  cputype: number;
  cpusubtype: number;
  filetype: number;
  segments: MachSegment[];
  sections: MachSection[];
  uuid?: Uint8Array;
  symtab?: { symoff: number; nsyms: number; stroff: number; strsize: number };
  dylibName?: string;
}

export interface FatMember {
  offset: number;
  size: number;
}

/** The magic's kind, or undefined when the prefix is not Mach-O. */
export function machKind(prefix: Uint8Array): "thin" | "fat" | undefined {
  if (prefix.byteLength < 8) return undefined;
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const magic = view.getUint32(0, false);
  if (magic === MH_MAGIC || magic === MH_MAGIC_64 || magic === MH_CIGAM || magic === MH_CIGAM_64)
    return "thin";
  if (magic === FAT_MAGIC || magic === FAT_MAGIC_64) {
    const count = view.getUint32(4, false);
    if (count >= 1 && count <= MAX_FAT_ARCHES) return "fat";
  }
  return undefined;
}

export function* readFatMembers(fileSize: number): ReadPlan<FatMember[]> {
  const header = yield { offset: 0, length: 8, what: "fat header" };
  const r = new ByteReader(header, false);
  const is64 = r.u32() === FAT_MAGIC_64;
  const count = r.u32();
  const entrySize = is64 ? 32 : 20;
  const table = yield { offset: 8, length: count * entrySize, what: "fat arch table" };
  const t = new ByteReader(table, false);
  const members: FatMember[] = [];
  for (let i = 0; i < count; i++) {
    t.pos = i * entrySize + 8; // skip cputype, cpusubtype
    const offset = is64 ? t.u64() : t.u32();
    const size = is64 ? t.u64() : t.u32();
    if (offset + size > fileSize || size < 28) throw malformedFile(`fat member ${i} lies outside the file`);
    members.push({ offset, size });
  }
  return members;
}

export function* readMachLayout(base: number, size: number): ReadPlan<MachLayout> {
  if (size < 28) throw malformedFile("Mach-O header is truncated");
  const head = yield { offset: base, length: Math.min(32, size), what: "Mach-O header" };
  const magic = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(0, false);
  const is64 = magic === MH_MAGIC_64 || magic === MH_CIGAM_64;
  const littleEndian = magic === MH_CIGAM || magic === MH_CIGAM_64;
  const headerSize = is64 ? 32 : 28;
  if (head.byteLength < headerSize) throw malformedFile("Mach-O header is truncated");
  const r = new ByteReader(head, littleEndian, 4);
  const cputype = r.u32();
  const cpusubtype = r.u32() & 0x00ffffff; // drop capability bits (e.g. arm64e pointer auth ABI)
  const filetype = r.u32();
  const ncmds = r.u32();
  const sizeofcmds = r.u32();
  if (sizeofcmds > MAX_LOAD_COMMAND_BYTES || headerSize + sizeofcmds > size) {
    throw malformedFile("Mach-O load commands extend past the object");
  }
  const cmds = yield { offset: base + headerSize, length: sizeofcmds, what: "Mach-O load commands" };
  const layout: MachLayout = {
    base,
    size,
    is64,
    littleEndian,
    cputype,
    cpusubtype,
    filetype,
    segments: [],
    sections: [],
  };
  const c = new ByteReader(cmds, littleEndian);
  for (let i = 0; i < ncmds; i++) {
    if (c.remaining < 8) throw malformedFile("Mach-O load command is truncated");
    const start = c.pos;
    const cmd = c.u32();
    const cmdsize = c.u32();
    if (cmdsize < 8 || start + cmdsize > cmds.byteLength)
      throw malformedFile("Mach-O load command size is invalid");
    const body = new ByteReader(cmds.subarray(start, start + cmdsize), littleEndian, 8);
    if (cmd === LC_SEGMENT || cmd === LC_SEGMENT_64) readSegment(body, cmd === LC_SEGMENT_64, layout);
    else if (cmd === LC_UUID && cmdsize >= 24) layout.uuid = cmds.slice(start + 8, start + 24);
    else if (cmd === LC_SYMTAB && cmdsize >= 24) {
      layout.symtab = { symoff: body.u32(), nsyms: body.u32(), stroff: body.u32(), strsize: body.u32() };
    } else if (cmd === LC_ID_DYLIB && cmdsize >= 24) {
      const nameOffset = body.u32();
      if (nameOffset < cmdsize)
        layout.dylibName = cstringAt(cmds.subarray(start, start + cmdsize), nameOffset);
    }
    c.pos = start + cmdsize;
  }
  return layout;
}

function fixedName(r: ByteReader): string {
  const raw = r.bytes.subarray(r.pos, r.pos + 16);
  r.pos += 16;
  const end = raw.indexOf(0);
  return cstringAt(end < 0 ? Uint8Array.from([...raw, 0]) : raw, 0) ?? "";
}

function readSegment(r: ByteReader, is64: boolean, layout: MachLayout): void {
  r.need(is64 ? 64 : 48, "Mach-O segment command");
  const name = fixedName(r);
  const vmaddr = is64 ? r.u64() : r.u32();
  r.skip(is64 ? 8 : 4); // vmsize
  const fileoff = is64 ? r.u64() : r.u32();
  const filesize = is64 ? r.u64() : r.u32();
  r.skip(8); // maxprot, initprot
  const nsects = r.u32();
  r.skip(4); // flags
  layout.segments.push({ name, vmaddr, fileoff, filesize });
  const sectionSize = is64 ? 80 : 68;
  for (let i = 0; i < nsects; i++) {
    r.need(sectionSize, "Mach-O section header");
    const sectionStart = r.pos;
    const sectname = fixedName(r);
    const segname = fixedName(r);
    const addr = is64 ? r.u64() : r.u32();
    const size = is64 ? r.u64() : r.u32();
    const offset = r.u32();
    r.skip(12); // align, reloff, nreloc
    const flags = r.u32();
    layout.sections.push({ segment: segname, name: sectname, addr, size, offset, flags });
    r.pos = sectionStart + sectionSize;
  }
}

/** Finds `__debug_info`-style sections by their ELF-like name (`debug_info`); offset-0 ones do not count. */
export function findMachSection(layout: MachLayout, name: string): MachSection | undefined {
  for (const section of layout.sections) {
    if (!section.name.startsWith("__")) continue;
    let short = section.name.slice(2);
    if (short === "debug_str_offs") short = "debug_str_offsets"; // 16-byte name limit
    if (short !== name) continue;
    return section.offset === 0 ? undefined : section;
  }
  return undefined;
}

const CPU_TYPE_X86 = 7;
const CPU_TYPE_ARM = 12;
const CPU_TYPE_POWERPC = 18;
const ABI64 = 0x01000000;
const ABI64_32 = 0x02000000;
const ARM_SUBTYPES: Record<number, string> = {
  0: "arm",
  7: "armv5",
  6: "armv6",
  14: "armv6m",
  9: "armv7",
  10: "armv7f",
  11: "armv7s",
  12: "armv7k",
  15: "armv7m",
  16: "armv7em",
};

export function machArch(cputype: number, cpusubtype: number): string {
  switch (cputype) {
    case CPU_TYPE_X86:
      return cpusubtype === 3 ? "x86" : "x86_unknown";
    case CPU_TYPE_X86 | ABI64:
      return cpusubtype === 3 ? "x86_64" : cpusubtype === 8 ? "x86_64h" : "x86_64_unknown";
    case CPU_TYPE_ARM | ABI64:
      return ["arm64", "arm64v8", "arm64e"][cpusubtype] ?? "arm64_unknown";
    case CPU_TYPE_ARM | ABI64_32:
      return ["arm64_32", "arm64_32_v8"][cpusubtype] ?? "arm64_32_unknown";
    case CPU_TYPE_ARM:
      return ARM_SUBTYPES[cpusubtype] ?? "arm_unknown";
    case CPU_TYPE_POWERPC:
      return cpusubtype === 0 ? "ppc" : "unknown";
    case CPU_TYPE_POWERPC | ABI64:
      return cpusubtype === 0 ? "ppc64" : "unknown";
    default:
      return "unknown";
  }
}

const FILE_TYPES: Record<number, ObjectKind> = {
  1: "relocatable",
  2: "executable",
  3: "library",
  4: "dump",
  5: "executable",
  6: "library",
  7: "executable",
  8: "library",
  10: "debug",
  11: "library",
};

export function machIdentity(layout: MachLayout): ObjectInfo {
  const symtab = layout.symtab !== undefined;
  const debug = findMachSection(layout, "debug_info") !== undefined;
  const unwind = ["eh_frame", "debug_frame", "unwind_info"].some(
    (n) => findMachSection(layout, n) !== undefined,
  );
  const features: DebugFeature[] = [];
  if (symtab) features.push("symtab");
  if (debug) features.push("debug");
  if (unwind) features.push("unwind");
  const text = layout.segments.find((s) => s.name === "__TEXT");
  const info: ObjectInfo = {
    format: "macho",
    kind: FILE_TYPES[layout.filetype] ?? "other",
    arch: machArch(layout.cputype, layout.cpusubtype),
    debugId: layout.uuid ? formatDebugId(layout.uuid) : NIL_DEBUG_ID,
    features,
    hasDebugInfo: debug,
    hasSymbols: symtab,
    hasUnwindInfo: unwind,
    hasSources: false,
    loadAddress: `0x${(text?.vmaddr ?? 0).toString(16)}`,
    fileOffset: layout.base,
    fileSize: layout.size,
  };
  if (layout.uuid) info.codeId = toHex(layout.uuid);
  if (layout.dylibName) info.name = layout.dylibName;
  return info;
}
