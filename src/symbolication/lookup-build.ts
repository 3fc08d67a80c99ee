// Builds the paged symbol lookup of one debug file, once, off the request path, in bounded memory:
//   1. every compilation unit is read once to learn which addresses it covers (a few coarse chunks
//      per unit, each with about the number of intervals it holds; no line rows are kept);
//   2. the address space is cut into windows of about `windowRanges` intervals, and each window is
//      built on its own: the units covering it are read again, their intervals clipped to the
//      window, overlaps between units resolved, the gaps filled from the symbol table (function name
//      only), and the window's ranges written as pages (lookup-format.ts) before the next window.
// The parts: lookup-windows.ts (coverage, windows, overlaps), lookup-names.ts (function names a
// window needs), lookup-symbols.ts (the symbol table's ranges and the gaps they fill).
// Only one window's tables and the page being filled are held, whatever the size of the file.
import { tooLarge } from "../errors.ts";
import { SYMBOL_LOOKUP_PAGE_BYTES } from "../limits.ts";
import type { ByteSource } from "./byte-source.ts";
import { displayName as defaultDisplayName } from "./demangle.ts";
import { DwarfReader, type FunctionName, type UnitDebugInfo, withLoadedUnits } from "./dwarf/reader.ts";
import type { UnitHeader } from "./dwarf/unit.ts";
import { malformedFile, rethrowTruncation } from "./errors.ts";
import { type ChunkSink, concatChunks, type LookupMeta, LookupWriter } from "./lookup-format.ts";
import { addUnitCoverage, addUnitIntervals, type IntervalContext } from "./lookup-intervals.ts";
import { resolveNames } from "./lookup-names.ts";
import { fillWithSymbols, symbolIntervals } from "./lookup-symbols.ts";
import { IntervalList, LookupTables } from "./lookup-tables.ts";
import { ADDRESS_END, Coverage, codeEndFinder, mergeIntervals, planWindows } from "./lookup-windows.ts";
import { type LoadedObject, type LoadOptions, loadObject } from "./object-loader.ts";

export interface BuildOptions {
  /** Mangled name → display name; defaults to demangle.ts (which must be initialised first). */
  displayName?: (raw: string) => string;
  /** Page size target in bytes (default SYMBOL_LOOKUP_PAGE_BYTES). */
  pageBytes?: number;
  /** Which member of a fat Mach-O to build (default 0). */
  member?: number;
  /** Intervals per build window (default WINDOW_RANGES); bounds the build's memory. */
  windowRanges?: number;
  /**
   * Refuse (413) a file with a compilation unit larger than this (its .debug_info bytes): a unit's
   * function records are held while it is read, about ten times its size.
   */
  maxUnitBytes?: number;
  /** How sections left in the file are read (block caches); see LoadOptions. */
  load?: Omit<LoadOptions, "lazyDwarf">;
}

export interface BuildSummary {
  /** Size of the written lookup. */
  bytes: number;
  ranges: number;
  /** Build windows (each reads the units covering it). */
  windows: number;
}

/**
 * Intervals per window. A window holds ~60 bytes per interval (interval, location, hash slot,
 * sort order), so this keeps a window's tables under ~10 MB.
 */
const WINDOW_RANGES = 160_000;

/** Reads the debug file through `source` and returns the serialized lookup. */
export function buildLookup(source: ByteSource, options: BuildOptions = {}): Promise<Uint8Array> {
  return rethrowTruncation(async () =>
    buildLookupFromObject(
      await loadObject(source, options.member ?? 0, { ...options.load, lazyDwarf: true }),
      options,
    ),
  );
}

/** Reads the debug file through `source` and hands the serialized lookup to `sink` piece by piece. */
export function writeLookup(
  source: ByteSource,
  sink: ChunkSink,
  options: BuildOptions = {},
): Promise<BuildSummary> {
  return rethrowTruncation(async () =>
    writeLookupFromObject(
      await loadObject(source, options.member ?? 0, { ...options.load, lazyDwarf: true }),
      sink,
      options,
    ),
  );
}

export async function buildLookupFromObject(
  object: LoadedObject,
  options: BuildOptions = {},
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  await writeLookupFromObject(object, (chunk) => void chunks.push(chunk), options);
  return concatChunks(chunks);
}

export async function writeLookupFromObject(
  object: LoadedObject,
  sink: ChunkSink,
  options: BuildOptions = {},
): Promise<BuildSummary> {
  try {
    return await buildFromObject(object, sink, options);
  } catch (error) {
    if (error instanceof RangeError) throw malformedFile("a DWARF structure is truncated");
    throw error;
  }
}

async function buildFromObject(
  object: LoadedObject,
  sink: ChunkSink,
  options: BuildOptions,
): Promise<BuildSummary> {
  const displayName = options.displayName ?? defaultDisplayName;
  const writer = new LookupWriter(sink, options.pageBytes ?? SYMBOL_LOOKUP_PAGE_BYTES);
  const reader = object.dwarf ? await DwarfReader.open(object.dwarf) : undefined;
  const units = reader?.codeUnits() ?? [];
  const maxUnitBytes = options.maxUnitBytes ?? Number.POSITIVE_INFINITY;
  for (const header of units) {
    if (header.end - header.offset > maxUnitBytes) {
      throw tooLarge(
        `a compilation unit has ${header.end - header.offset} bytes of .debug_info (limit ${maxUnitBytes})`,
      );
    }
  }
  const symbols = symbolIntervals(object.symbols, object.loadAddress, object.codeRanges);
  const noNames = (): FunctionName => ({});
  const base: Omit<IntervalContext, "tables" | "out"> = {
    functionName: noNames,
    loadAddress: object.loadAddress,
    windowStart: 0,
    windowEnd: ADDRESS_END,
    codeEnd: codeEndFinder(object.codeRanges),
    displayName,
    functionIds: new Map(),
    mangledSymbol: (address) => symbols.mangledAt(address),
  };

  // 1. Coverage of each unit.
  const coverage = new Coverage();
  if (reader) {
    for (let u = 0; u < units.length; u++) {
      const header = units[u];
      if (!header) continue;
      coverage.beginUnit(u);
      addUnitCoverage(base, await readUnit(reader, header), coverage);
    }
  }

  // 2. Windows.
  const bounds = planWindows(coverage, options.windowRanges ?? WINDOW_RANGES);
  let functions = 0;
  for (let w = 0; w + 1 < bounds.length; w++) {
    const windowStart = bounds[w] ?? 0;
    const windowEnd = bounds[w + 1] ?? ADDRESS_END;
    const tables = new LookupTables();
    const list = new IntervalList();
    if (reader) {
      const functionIds = new Map<number, number>();
      for (const u of coverage.unitsIn(windowStart, windowEnd)) {
        const header = units[u];
        if (!header) continue;
        const unit = await readUnit(reader, header);
        const names = await resolveNames(reader, unit, windowStart, windowEnd, object.loadAddress);
        const ctx: IntervalContext = {
          ...base,
          functionName: (offset) => names.get(offset) ?? {},
          tables,
          out: list,
          windowStart,
          windowEnd,
          functionIds,
        };
        addUnitIntervals(ctx, unit);
      }
    }
    const merged = mergeIntervals(list);
    fillWithSymbols(merged, symbols, tables, displayName, windowStart, windowEnd, writer);
    writer.endPage();
    functions += tables.functionCount;
    await writer.drain();
  }

  const meta: LookupMeta = {
    debugId: object.info.debugId,
    arch: object.info.arch,
    format: object.info.format,
    loadAddress: `0x${object.loadAddress.toString(16)}`,
    ranges: writer.ranges,
    functions,
  };
  if (object.info.codeId) meta.codeId = object.info.codeId;
  const bytes = await writer.finish(meta);
  return { bytes, ranges: meta.ranges, windows: bounds.length - 1 };
}

/** One unit's functions and line table, its bytes loaded first when the sections are lazy. */
async function readUnit(reader: DwarfReader, header: UnitHeader): Promise<UnitDebugInfo> {
  await reader.load(header, true, true);
  // The unit's context (root DIE, its strings) first; then the walk, which loads blocks as it goes.
  await withLoadedUnits(reader, () => reader.context(header));
  return reader.readUnitLoading(header, false);
}
