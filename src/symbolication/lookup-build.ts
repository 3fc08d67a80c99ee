// Builds the paged symbol lookup of one debug file, once, off the request path, in bounded memory:
//   1. every compilation unit is read once to learn which addresses it covers (a few coarse chunks
//      per unit, each with about the number of intervals it holds; no line rows are kept);
//   2. the address space is cut into windows of about `windowRanges` intervals, and each window is
//      built on its own: the units covering it are read again, their intervals clipped to the
//      window, overlaps between units resolved, the gaps filled from the symbol table (function name
//      only), and the window's ranges written as pages (lookup-format.ts) before the next window.
// Only one window's tables and the page being filled are held, whatever the size of the file.
import { tooLarge } from "../errors.ts";
import { SYMBOL_LOOKUP_PAGE_BYTES } from "../limits.ts";
import type { ByteSource } from "./byte-source.ts";
import { displayName as defaultDisplayName } from "./demangle.ts";
import type { BlockedSection } from "./dwarf/blocked-section.ts";
import {
  DwarfReader,
  type FunctionName,
  NeedBlocks,
  NeedUnit,
  type UnitDebugInfo,
  withLoadedUnits,
} from "./dwarf/reader.ts";
import type { UnitHeader } from "./dwarf/unit.ts";
import { malformedFile, rethrowTruncation } from "./errors.ts";
import { type ChunkSink, concatChunks, type LookupMeta, LookupWriter } from "./lookup-format.ts";
import { addUnitCoverage, addUnitIntervals, type IntervalContext } from "./lookup-intervals.ts";
import { F64Column, IntervalList, LookupTables, NONE, U32Column } from "./lookup-tables.ts";
import { type LoadedObject, type LoadOptions, loadObject } from "./object-loader.ts";
import type { SymbolTable } from "./symbol-table.ts";

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
/** Coverage chunks of one unit are split after this many intervals, so windows can be cut finely. */
const CHUNK_RANGES = 16_384;
/** Intervals of one unit closer than this are counted in one chunk. */
const CHUNK_GAP = 64 * 1024;

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

/** Addresses beyond this (relative to the load address) do not fit the format's u32 slots. */
const MAX_RELATIVE_ADDRESS = 0xfffffffe;
const ADDRESS_END = MAX_RELATIVE_ADDRESS + 1;

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

/** Rounds of loads without a new name before resolveNames falls back to one name at a time. */
const MAX_STALLED_ROUNDS = 64;

/** One unit's functions and line table, its bytes loaded first when the sections are lazy. */
async function readUnit(reader: DwarfReader, header: UnitHeader): Promise<UnitDebugInfo> {
  await reader.load(header, true, true);
  // The unit's context (root DIE, its strings) first; then the walk, which loads blocks as it goes.
  await withLoadedUnits(reader, () => reader.context(header));
  return reader.readUnitLoading(header, false);
}

/**
 * Names of the functions a window needs from a unit: those with a range in the window and their
 * callers. Names may come from other units (LTO) and from blocked string sections: each pass
 * resolves what it can and collects what is missing, which is then loaded at once (blocks in
 * parallel) before the next pass, so a unit costs a few rounds of reads rather than one per name.
 */
async function resolveNames(
  reader: DwarfReader,
  unit: UnitDebugInfo,
  windowStart: number,
  windowEnd: number,
  loadAddress: number,
): Promise<Map<number, FunctionName>> {
  const records = unit.functions;
  const wanted = new Uint8Array(records.length);
  const from = windowStart + loadAddress;
  const to = windowEnd + loadAddress;
  for (let index = 0; index < records.length; index++) {
    let inWindow = false;
    for (let k = 0; k < records.rangeCount(index) && !inWindow; k++) {
      inWindow = records.rangeStart(index, k) < to && records.rangeEnd(index, k) > from;
    }
    for (let at = inWindow ? index : -1; at >= 0 && wanted[at] === 0; at = records.parent(at)) {
      wanted[at] = 1;
    }
  }
  const names = new Map<number, FunctionName>();
  let pending: number[] = [];
  for (let index = 0; index < records.length; index++) {
    const offset = records.dieOffset(index);
    if (wanted[index] === 0 || names.has(offset)) continue;
    try {
      names.set(offset, reader.functionName(offset));
    } catch (error) {
      if (!(error instanceof NeedUnit) && !(error instanceof NeedBlocks)) throw error;
      pending.push(offset);
    }
  }
  for (let stalled = 0; pending.length > 0; ) {
    const resolved = names.size;
    const blocks = new Map<BlockedSection, Set<number>>();
    let unitNeeded: NeedUnit | undefined;
    let full = false;
    const retry: number[] = [];
    for (const offset of pending) {
      if (names.has(offset)) continue;
      if (full) {
        retry.push(offset);
        continue;
      }
      try {
        names.set(offset, reader.functionName(offset));
      } catch (error) {
        if (error instanceof NeedUnit) {
          unitNeeded ??= error;
          full = true;
        } else if (error instanceof NeedBlocks) {
          const set = blocks.get(error.section) ?? new Set<number>();
          blocks.set(error.section, set);
          for (const block of error.blocks) set.add(block);
          // Half the cache per round, so what a name needs from earlier rounds stays loaded.
          full = set.size >= error.section.maxBlocks / 2;
        } else {
          throw error;
        }
        retry.push(offset);
      }
    }
    if (retry.length === 0) break;
    if (unitNeeded) await reader.load(unitNeeded.header, unitNeeded.line);
    await Promise.all([...blocks].map(([section, set]) => section.load([...set])));
    stalled = names.size === resolved ? stalled + 1 : 0;
    if (stalled > MAX_STALLED_ROUNDS) {
      // Names that need more than the caches hold at once: one by one, loading as needed.
      for (const offset of retry)
        names.set(offset, await withLoadedUnits(reader, () => reader.functionName(offset)));
      break;
    }
    pending = retry;
  }
  return names;
}

/**
 * Address chunks each unit covers, with how many intervals each holds: [start, end) relative to the
 * load address, merged across small gaps.
 */
class Coverage {
  readonly starts = new F64Column();
  readonly ends = new F64Column();
  readonly weights = new F64Column();
  readonly units = new U32Column();
  private unit = 0;
  private open = false;

  beginUnit(unit: number): void {
    this.unit = unit;
    this.open = false;
  }

  push(start: number, end: number, weight: number): void {
    const last = this.starts.length - 1;
    if (
      this.open &&
      start - this.ends.get(last) <= CHUNK_GAP &&
      start >= this.starts.get(last) &&
      this.weights.get(last) < CHUNK_RANGES
    ) {
      this.ends.set(last, Math.max(end, this.ends.get(last)));
      this.weights.set(last, this.weights.get(last) + weight);
      return;
    }
    this.starts.push(start);
    this.ends.push(end);
    this.weights.push(weight);
    this.units.push(this.unit);
    this.open = true;
  }

  /** Units with a chunk overlapping [start, end), ascending. */
  unitsIn(start: number, end: number): number[] {
    const found = new Set<number>();
    for (let i = 0; i < this.starts.length; i++) {
      if (this.starts.get(i) < end && this.ends.get(i) > start) found.add(this.units.get(i));
    }
    return [...found].sort((a, b) => a - b);
  }
}

/** Window boundaries [0, b1, …, ADDRESS_END): cut before a chunk once a window holds `budget` intervals. */
function planWindows(coverage: Coverage, budget: number): number[] {
  const count = coverage.starts.length;
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((a, b) => coverage.starts.get(a) - coverage.starts.get(b));
  const bounds = [0];
  let weight = 0;
  for (const i of order) {
    const start = coverage.starts.get(i);
    const chunkWeight = coverage.weights.get(i);
    if (weight > 0 && weight + chunkWeight > budget && start > (bounds[bounds.length - 1] ?? 0)) {
      bounds.push(start);
      weight = 0;
    }
    weight += chunkWeight;
  }
  bounds.push(ADDRESS_END);
  return bounds;
}

/** End of the executable section containing an address, or -1 outside code. */
function codeEndFinder(codeRanges: number[]): (address: number) => number {
  return (address) => {
    let lo = 0;
    let hi = codeRanges.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const start = codeRanges[mid * 2] ?? 0;
      const end = codeRanges[mid * 2 + 1] ?? 0;
      if (address < start) hi = mid - 1;
      else if (address >= end) lo = mid + 1;
      else return end;
    }
    return -1;
  };
}

/**
 * Resolves overlaps between the intervals of different units: at each address the covering
 * interval that starts last wins (the later one on equal starts). Depends only on the intervals
 * covering an address, so windows built apart agree with one built whole. Returns sorted,
 * non-overlapping intervals.
 */
function mergeIntervals(list: IntervalList): IntervalList {
  const count = list.length;
  const starts = list.starts.data;
  const ends = list.ends.data;
  const locs = list.locs.data;
  const order = new Uint32Array(count);
  let sorted = true;
  for (let i = 0; i < count; i++) {
    order[i] = i;
    if (i > 0 && (starts[i] ?? 0) < (ends[i - 1] ?? 0)) sorted = false;
  }
  // Intervals of one unit come sorted and apart; only several units need the sweep.
  if (sorted) return list;
  order.sort((a, b) => (starts[a] ?? 0) - (starts[b] ?? 0) || a - b);
  const out = new IntervalList();
  const stack: number[] = [];
  let cursor = Number.NEGATIVE_INFINITY;
  const emit = (from: number, to: number, loc: number) => {
    if (from < to) out.push(from, to, loc);
  };
  const unwind = (until: number) => {
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) return;
      const end = ends[top] ?? 0;
      if (end > until) return;
      emit(cursor, end, locs[top] ?? NONE);
      cursor = Math.max(cursor, end);
      stack.pop();
      while (stack.length > 0 && (ends[stack[stack.length - 1] ?? 0] ?? 0) <= cursor) stack.pop();
    }
  };
  for (const i of order) {
    const start = starts[i] ?? 0;
    unwind(start);
    const top = stack[stack.length - 1];
    if (top !== undefined) emit(cursor, start, locs[top] ?? NONE);
    cursor = start;
    stack.push(i);
  }
  unwind(Number.POSITIVE_INFINITY);
  return out;
}

/**
 * Function symbols as sorted, non-overlapping relative ranges; each runs to the next symbol (within
 * its code range), as addr2line resolves them. Also answers "which mangled symbol starts here".
 */
class SymbolRanges {
  readonly table: SymbolTable;
  readonly starts: Float64Array;
  readonly ends: Float64Array;
  /** Symbol table index of each range. */
  readonly symbols: Uint32Array;
  readonly length: number;
  /** All symbol indices sorted by (address, size descending, index). */
  private readonly byAddress: Uint32Array;

  constructor(table: SymbolTable, loadAddress: number, codeRanges: number[]) {
    this.table = table;
    const sorted = new Uint32Array(table.length);
    for (let i = 0; i < sorted.length; i++) sorted[i] = i;
    sorted.sort((a, b) => table.address(a) - table.address(b) || table.size(b) - table.size(a) || a - b);
    this.byAddress = sorted;
    const codeEnd = (address: number) => {
      for (let i = 0; i + 1 < codeRanges.length; i += 2) {
        if (address >= (codeRanges[i] ?? 0) && address < (codeRanges[i + 1] ?? 0))
          return codeRanges[i + 1] ?? address;
      }
      return address;
    };
    const starts = new Float64Array(sorted.length);
    const ends = new Float64Array(sorted.length);
    const symbols = new Uint32Array(sorted.length);
    let n = 0;
    for (let i = 0; i < sorted.length; i++) {
      const symbol = sorted[i] ?? 0;
      const address = table.address(symbol);
      if (i > 0 && table.address(sorted[i - 1] ?? 0) === address) continue;
      const size = table.size(symbol);
      // Like addr2line, an address is named after the nearest preceding symbol of its code section,
      // whatever that symbol's size says (0 for assembly entry points; padding after a function).
      let j = i + 1;
      while (j < sorted.length && table.address(sorted[j] ?? 0) <= address) j++;
      const next = j < sorted.length ? table.address(sorted[j] ?? 0) : Number.POSITIVE_INFINITY;
      let end = Math.min(next, codeEnd(address));
      // Outside every known code section only the symbol's own size can be trusted.
      if (end <= address) end = Math.min(next, address + size);
      const start = address - loadAddress;
      const relEnd = end - loadAddress;
      if (start >= 0 && relEnd > start && relEnd - 1 <= MAX_RELATIVE_ADDRESS) {
        starts[n] = start;
        ends[n] = relEnd;
        symbols[n] = symbol;
        n++;
      }
    }
    this.starts = starts.subarray(0, n);
    this.ends = ends.subarray(0, n);
    this.symbols = symbols.subarray(0, n);
    this.length = n;
  }

  /** Index of the range covering a relative address, -1 if none. */
  at(address: number): number {
    let lo = 0;
    let hi = this.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (address < (this.starts[mid] ?? 0)) hi = mid - 1;
      else if (address >= (this.ends[mid] ?? 0)) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /** The mangled (Itanium or Rust) name of the last such symbol at an absolute address. */
  mangledAt(address: number): string | undefined {
    const table = this.table;
    let lo = 0;
    let hi = this.byAddress.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (table.address(this.byAddress[mid] ?? 0) < address) lo = mid + 1;
      else hi = mid;
    }
    let best = -1;
    for (let i = lo; i < this.byAddress.length; i++) {
      const symbol = this.byAddress[i] ?? 0;
      if (table.address(symbol) !== address) break;
      if (symbol > best && isMangled(table, symbol)) best = symbol;
    }
    return best >= 0 ? table.name(best) : undefined;
  }
}

/** /^_{1,2}[ZR]/ on the raw name bytes. */
function isMangled(table: SymbolTable, symbol: number): boolean {
  if (table.nameByte(symbol, 0) !== 0x5f) return false;
  let at = 1;
  if (table.nameByte(symbol, at) === 0x5f) at++;
  const c = table.nameByte(symbol, at);
  return c === 0x5a || c === 0x52;
}

function symbolIntervals(table: SymbolTable, loadAddress: number, codeRanges: number[]): SymbolRanges {
  return new SymbolRanges(table, loadAddress, codeRanges);
}

/**
 * Writes the window's final contiguous ranges: DWARF ranges win; gaps are filled from the symbol
 * table; DWARF ranges without a known function borrow the covering symbol's name. Gaps become
 * explicit NONE ranges; the first range starts at the window's start.
 */
function fillWithSymbols(
  dwarf: IntervalList,
  symbols: SymbolRanges,
  tables: LookupTables,
  displayName: (raw: string) => string,
  windowStart: number,
  windowEnd: number,
  writer: LookupWriter,
): void {
  const symbolFns = new Map<number, number>();
  const symbolFn = (range: number) => {
    let fn = symbolFns.get(range);
    if (fn === undefined) {
      const name = symbols.table.name(symbols.symbols[range] ?? 0);
      fn = tables.fn(displayName(name), name, symbols.starts[range] ?? 0);
      symbolFns.set(range, fn);
    }
    return fn;
  };
  // The last range, held back: a later range at the same start replaces it, an equal location
  // continues it.
  let pendingStart = -1;
  let pendingLoc = NONE;
  const emit = (start: number, loc: number) => {
    if (pendingStart >= 0 && pendingLoc === loc) return;
    if (pendingStart === start) {
      pendingLoc = loc;
      return;
    }
    if (pendingStart >= 0) writer.add(tables, pendingStart, pendingLoc);
    pendingStart = start;
    pendingLoc = loc;
  };
  // First symbol that ends after the window's start.
  let s = 0;
  for (let hi = symbols.length; s < hi; ) {
    const mid = (s + hi) >> 1;
    if ((symbols.ends[mid] ?? 0) <= windowStart) s = mid + 1;
    else hi = mid;
  }
  // Fills [from, to) from symbols, NONE where no symbol covers.
  const fillGap = (from: number, to: number) => {
    let at = from;
    while (s < symbols.length && (symbols.ends[s] ?? 0) <= at) s++;
    for (let k = s; k < symbols.length && at < to; k++) {
      const start = symbols.starts[k] ?? 0;
      const end = symbols.ends[k] ?? 0;
      if (start >= to) break;
      if (end <= at) continue;
      if (start > at) emit(at, NONE);
      at = Math.max(at, start);
      emit(at, tables.location(symbolFn(k), NONE, 0, NONE));
      at = Math.min(end, to);
    }
    if (at < to) emit(at, NONE);
  };
  let cursor = windowStart;
  for (let i = 0; i < dwarf.length; i++) {
    const start = dwarf.starts.get(i);
    const end = dwarf.ends.get(i);
    if (start < cursor || start >= end || start < windowStart || end > windowEnd) continue;
    if (start > cursor) fillGap(cursor, start);
    let loc = dwarf.locs.get(i);
    if (loc !== NONE && tables.locFunction.get(loc) === NONE) {
      const range = symbols.at(start);
      if (range >= 0)
        loc = tables.location(symbolFn(range), tables.locFile.get(loc), tables.locLine.get(loc), NONE);
    }
    emit(start, loc);
    cursor = end;
  }
  fillGap(cursor, windowEnd);
  if (pendingStart >= 0) writer.add(tables, pendingStart, pendingLoc);
}
