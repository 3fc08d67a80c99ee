// Value types of the symbolication core, shared by object identification, the lookup format and
// frame symbolication.

/** What an object file is, in symbolic's terms (sentry-cli prints `relocatable` as "object"). */
export type ObjectKind = "executable" | "library" | "debug" | "relocatable" | "dump" | "other" | "none";

/** Sentry's feature names, in the order sentry-cli prints them. */
export type DebugFeature = "symtab" | "debug" | "unwind" | "sources";

export interface ObjectInfo {
  format: "elf" | "macho";
  kind: ObjectKind;
  /** Sentry's architecture name: x86_64, x86, arm64, arm, arm64e, armv7, ppc64, mips, unknown… */
  arch: string;
  /** Lowercase hyphenated; the nil id `00000000-0000-0000-0000-000000000000` when none could be derived. */
  debugId: string;
  /** ELF: the full build id in hex; Mach-O: the LC_UUID in hex. Absent when there is none. */
  codeId?: string;
  /** ELF DT_SONAME or Mach-O LC_ID_DYLIB name. */
  name?: string;
  features: DebugFeature[];
  hasDebugInfo: boolean;
  hasSymbols: boolean;
  hasUnwindInfo: boolean;
  hasSources: boolean;
  /** Preferred load address (first PT_LOAD / __TEXT vmaddr) as `0x…`; lookups are relative to it. */
  loadAddress: string;
  /** Byte range of this object inside the file (differs from the whole file for fat Mach-O members). */
  fileOffset: number;
  fileSize: number;
}

/** One level of an inline chain at an address. */
export interface SymbolicatedLocation {
  /** Demangled name, Rust `::h<16 hex>` hash removed; `"<unknown>"`-free: absent names are undefined. */
  function?: string;
  /** The mangled (linkage) name as stored in the debug file, when there is one. */
  rawFunction?: string;
  /** Basename of `absPath`. */
  filename?: string;
  /** comp_dir + directory + file, joined. */
  absPath?: string;
  /** 1-based line; absent when unknown (line 0). */
  lineno?: number;
  /** Entry address of the enclosing real function (relative to the load address); outermost level only. */
  symbolAddr?: number;
  /** True for every level except the outermost (the real, non-inlined function). */
  inlined: boolean;
}
