// Builds a debug file's CFI table at upload: the ELF's .debug_frame (compressed or not) and .eh_frame (the first that
// covers a function wins, as in Breakpad's dump_syms), addresses made relative to the load address.
// Only the two sections are read, with ranged reads, never the whole file.
import type { ByteSource } from "../byte-source.ts";
import { decompressElfSection, decompressGnuSection } from "../decompress.ts";
import { findElfSection, hasFileData, isElf, readElfLayout, SHF_EXECINSTR } from "../elf.ts";
import { runPlan } from "../read-plan.ts";
import { type CfiRange, type CfiTable, finishTable } from "./cfi-table.ts";
import { readDwarfCfi } from "./dwarf-cfi.ts";

/** The CFI table of an ELF file; undefined when it is not ELF or has no usable unwind sections. */
export async function buildElfCfiTable(
  source: ByteSource,
  maxSectionBytes: number,
): Promise<CfiTable | undefined> {
  if (source.size < 16 || !isElf(await source.read(0, 16))) return undefined;
  const layout = await runPlan(readElfLayout(source.size), source);
  if (!layout.littleEndian || !layout.is64) return undefined;
  const ranges: CfiRange[] = [];
  let ra = 16;
  for (const [name, kind] of [
    ["debug_frame", "debug_frame"],
    ["eh_frame", "eh_frame"],
  ] as const) {
    const found = findElfSection(layout, name);
    if (!found || !hasFileData(layout, found.section)) continue;
    if (found.section.size > maxSectionBytes) continue;
    const raw = await source.read(found.section.offset, found.section.size);
    // .debug_frame may be compressed like the other DWARF sections (.eh_frame never is: it is loaded).
    const bytes =
      found.compression === "elf"
        ? decompressElfSection(raw, layout.is64, layout.littleEndian, `.${name}`)
        : found.compression === "zlib-gnu"
          ? decompressGnuSection(raw, `.${name}`)
          : raw;
    if (bytes.byteLength > maxSectionBytes) continue;
    const read = readDwarfCfi({ bytes, address: found.section.addr, kind });
    ra = read.ra;
    for (const range of read.ranges) {
      range[0] -= layout.loadAddress;
      range[1] -= layout.loadAddress;
      for (const row of range[2]) row[0] = (row[0] as number) - layout.loadAddress;
      ranges.push(range);
    }
  }
  if (ranges.length === 0) return undefined;
  const code = layout.sections
    .filter((section) => section.flags & SHF_EXECINSTR && section.size > 0)
    .reduce((lowest, section) => Math.min(lowest, section.addr), Number.POSITIVE_INFINITY);
  return finishTable(ra, ranges, Number.isFinite(code) ? code - layout.loadAddress : undefined);
}
