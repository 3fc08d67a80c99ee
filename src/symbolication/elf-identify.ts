// Identity and features of an ELF object, computed the way symbolic (Sentry's parser) does so that
// debug ids, kinds and feature lists agree with what sentry-cli reports for the same file.
import { elfDebugId, NIL_DEBUG_ID, textPageHash, toHex } from "./debug-id.ts";
import {
  type ElfLayout,
  findElfSection,
  readElfBuildId,
  readElfLayout,
  readElfSoname,
  readElfTextPage,
  SHT_DYNSYM,
  SHT_SYMTAB,
} from "./elf.ts";
import type { ReadPlan } from "./read-plan.ts";
import type { DebugFeature, ObjectInfo, ObjectKind } from "./types.ts";

const EM_386 = 3;
const EM_MIPS = 8;
const EM_MIPS_RS3_LE = 10;
const EM_PPC = 20;
const EM_PPC64 = 21;
const EM_ARM = 40;
const EM_X86_64 = 62;
const EM_AARCH64 = 183;
/** e_flags bits that mean a 64-bit MIPS ABI (O64, EABI64). */
const MIPS_64_FLAGS = 0x2000 | 0x4000;

export function elfArch(machine: number, flags: number): string {
  switch (machine) {
    case EM_386:
      return "x86";
    case EM_X86_64:
      return "x86_64";
    case EM_AARCH64:
      return "arm64";
    case EM_ARM:
      return "arm";
    case EM_PPC:
      return "ppc";
    case EM_PPC64:
      return "ppc64";
    case EM_MIPS:
    case EM_MIPS_RS3_LE:
      return flags & MIPS_64_FLAGS ? "mips64" : "mips";
    default:
      return "unknown";
  }
}

export function elfKind(layout: ElfLayout): ObjectKind {
  let kind: ObjectKind;
  switch (layout.type) {
    case 0:
      kind = "none";
      break;
    case 1:
      kind = "relocatable";
      break;
    case 2:
    case 0xfe10: // ET_SCE_DYNEXEC (PlayStation)
      kind = "executable";
      break;
    case 3:
    case 0xfe18: // ET_SCE_DYNAMIC
      kind = "library";
      break;
    case 4:
      kind = "dump";
      break;
    default:
      kind = "other";
  }
  // `objcopy --only-keep-debug` keeps e_type but drops the interpreter (executables) and turns .text
  // into NOBITS (libraries): that is how a debug companion is recognised.
  if (kind === "executable" && !layout.hasInterpreter) return "debug";
  if (kind === "library" && !findElfSection(layout, "text")) return "debug";
  return kind;
}

export function elfFeatures(layout: ElfLayout): { symtab: boolean; debug: boolean; unwind: boolean } {
  const symtab = layout.sections.some(
    (s) =>
      (s.type === SHT_SYMTAB || s.type === SHT_DYNSYM) && s.size > 0 && s.offset + s.size <= layout.fileSize,
  );
  const debug = findElfSection(layout, "debug_info") !== undefined;
  const unwind =
    findElfSection(layout, "eh_frame") !== undefined || findElfSection(layout, "debug_frame") !== undefined;
  return { symtab, debug, unwind };
}

export function* identifyElf(fileSize: number): ReadPlan<ObjectInfo> {
  return yield* elfIdentity(yield* readElfLayout(fileSize));
}

/** Identity of an ELF whose layout is already read (reads notes, .text page and .dynamic). */
export function* elfIdentity(layout: ElfLayout): ReadPlan<ObjectInfo> {
  const fileSize = layout.fileSize;
  const buildId = yield* readElfBuildId(layout);
  let debugId = NIL_DEBUG_ID;
  let codeId: string | undefined;
  if (buildId) {
    debugId = elfDebugId(buildId, layout.littleEndian);
    if (buildId.byteLength > 0) codeId = toHex(buildId);
  } else {
    const page = yield* readElfTextPage(layout);
    if (page) debugId = elfDebugId(textPageHash(page), layout.littleEndian);
  }
  const name = yield* readElfSoname(layout);
  const { symtab, debug, unwind } = elfFeatures(layout);
  const features: DebugFeature[] = [];
  if (symtab) features.push("symtab");
  if (debug) features.push("debug");
  if (unwind) features.push("unwind");
  const info: ObjectInfo = {
    format: "elf",
    kind: elfKind(layout),
    arch: elfArch(layout.machine, layout.flags),
    debugId,
    features,
    hasDebugInfo: debug,
    hasSymbols: symtab,
    hasUnwindInfo: unwind,
    hasSources: false,
    loadAddress: `0x${layout.loadAddress.toString(16)}`,
    fileOffset: 0,
    fileSize,
  };
  if (codeId) info.codeId = codeId;
  if (name) info.name = name;
  return info;
}
