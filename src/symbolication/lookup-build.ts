// Builds the paged symbol lookup of one debug file, once, off the request path: DWARF line and
// inline information unit by unit, then the symbol table for code DWARF does not cover (function
// name only), then the paged serialization of lookup-format.ts.
import { SYMBOL_LOOKUP_PAGE_BYTES } from "../limits.ts";
import type { ByteSource } from "./byte-source.ts";
import { displayName as defaultDisplayName } from "./demangle.ts";
import { DwarfReader } from "./dwarf/reader.ts";
import { malformedFile, rethrowTruncation } from "./errors.ts";
import { type LookupMeta, writeLookup } from "./lookup-format.ts";
import { addUnitIntervals, type IntervalContext } from "./lookup-intervals.ts";
import { IntervalList, LookupTables, NONE } from "./lookup-tables.ts";
import { type LoadedObject, loadObject, type SymbolEntry } from "./object-loader.ts";

export interface BuildOptions {
  /** Mangled name → display name; defaults to demangle.ts (which must be initialised first). */
  displayName?: (raw: string) => string;
  /** Page size target in bytes (default SYMBOL_LOOKUP_PAGE_BYTES). */
  pageBytes?: number;
  /** Which member of a fat Mach-O to build (default 0). */
  member?: number;
}

/** Reads the debug file through `source` and returns the serialized lookup. */
export function buildLookup(source: ByteSource, options: BuildOptions = {}): Promise<Uint8Array> {
  return rethrowTruncation(async () =>
    buildLookupFromObject(await loadObject(source, options.member ?? 0), options),
  );
}

/** Addresses beyond this (relative to the load address) do not fit the format's u32 slots. */
const MAX_RELATIVE_ADDRESS = 0xfffffffe;

export function buildLookupFromObject(object: LoadedObject, options: BuildOptions = {}): Uint8Array {
  try {
    return buildFromObject(object, options);
  } catch (error) {
    if (error instanceof RangeError) throw malformedFile("a DWARF structure is truncated");
    throw error;
  }
}

function buildFromObject(object: LoadedObject, options: BuildOptions): Uint8Array {
  const displayName = options.displayName ?? defaultDisplayName;
  const tables = new LookupTables();
  const dwarfIntervals = new IntervalList();
  if (object.dwarf) {
    const reader = new DwarfReader(object.dwarf);
    const ctx: IntervalContext = {
      reader,
      tables,
      out: dwarfIntervals,
      loadAddress: object.loadAddress,
      codeEnd: codeEndFinder(object.codeRanges),
      displayName,
      functionIds: new Map(),
      mangledSymbols: new Map(
        object.symbols.filter((s) => /^_{1,2}[ZR]/.test(s.name)).map((s) => [s.address, s.name] as const),
      ),
    };
    for (const header of reader.codeUnits()) addUnitIntervals(ctx, reader.readUnit(header));
  }
  const merged = mergeIntervals(dwarfIntervals);
  const symbols = symbolIntervals(object.symbols, object.loadAddress, object.codeRanges);
  const { starts, locs } = fillWithSymbols(merged, symbols, tables, displayName);
  const meta: LookupMeta = {
    debugId: object.info.debugId,
    arch: object.info.arch,
    format: object.info.format,
    loadAddress: `0x${object.loadAddress.toString(16)}`,
    ranges: starts.length,
    functions: tables.fnName.length,
  };
  if (object.info.codeId) meta.codeId = object.info.codeId;
  return writeLookup(meta, tables, starts, locs, options.pageBytes ?? SYMBOL_LOOKUP_PAGE_BYTES);
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

interface Segments {
  starts: number[];
  ends: number[];
  locs: number[];
}

/** Sorts intervals from all units and clips overlaps (the earlier-starting interval is cut short). */
function mergeIntervals(list: IntervalList): Segments {
  const order = Array.from({ length: list.length }, (_, i) => i).sort(
    (a, b) => (list.starts[a] ?? 0) - (list.starts[b] ?? 0) || a - b,
  );
  const out: Segments = { starts: [], ends: [], locs: [] };
  for (let k = 0; k < order.length; k++) {
    const i = order[k] ?? 0;
    let start = list.starts[i] ?? 0;
    let end = list.ends[i] ?? 0;
    const last = out.ends.length - 1;
    if (last >= 0 && start < (out.ends[last] ?? 0)) start = out.ends[last] ?? start;
    const next = order[k + 1];
    if (next !== undefined) end = Math.min(end, Math.max(start, list.starts[next] ?? end));
    if (start >= end || start < 0 || end - 1 > MAX_RELATIVE_ADDRESS) continue;
    out.starts.push(start);
    out.ends.push(end);
    out.locs.push(list.locs[i] ?? NONE);
  }
  return out;
}

interface SymbolRange {
  start: number;
  end: number;
  symbol: SymbolEntry;
}

/** Function symbols as relative ranges; a symbol without size runs to the next one (within its code range). */
function symbolIntervals(symbols: SymbolEntry[], loadAddress: number, codeRanges: number[]): SymbolRange[] {
  const sorted = [...symbols].sort((a, b) => a.address - b.address || b.size - a.size);
  const out: SymbolRange[] = [];
  const codeEnd = (address: number) => {
    for (let i = 0; i + 1 < codeRanges.length; i += 2) {
      if (address >= (codeRanges[i] ?? 0) && address < (codeRanges[i + 1] ?? 0))
        return codeRanges[i + 1] ?? address;
    }
    return address;
  };
  for (let i = 0; i < sorted.length; i++) {
    const symbol = sorted[i];
    if (!symbol || (i > 0 && sorted[i - 1]?.address === symbol.address)) continue;
    let end = symbol.address + symbol.size;
    if (symbol.size === 0) {
      let j = i + 1;
      while (j < sorted.length && (sorted[j]?.address ?? 0) <= symbol.address) j++;
      end = Math.min(sorted[j]?.address ?? Number.POSITIVE_INFINITY, codeEnd(symbol.address));
    }
    const start = symbol.address - loadAddress;
    const relEnd = end - loadAddress;
    if (start >= 0 && relEnd > start && relEnd - 1 <= MAX_RELATIVE_ADDRESS)
      out.push({ start, end: relEnd, symbol });
  }
  return out;
}

/**
 * Final contiguous ranges: DWARF ranges win; gaps are filled from the symbol table; DWARF ranges
 * without a known function borrow the covering symbol's name. Gaps become explicit NONE ranges.
 */
function fillWithSymbols(
  dwarf: Segments,
  symbols: SymbolRange[],
  tables: LookupTables,
  displayName: (raw: string) => string,
): { starts: number[]; locs: number[] } {
  const starts: number[] = [];
  const locs: number[] = [];
  const symbolFns = new Map<SymbolEntry, number>();
  const symbolFn = (range: SymbolRange) => {
    let fn = symbolFns.get(range.symbol);
    if (fn === undefined) {
      fn = tables.fn(displayName(range.symbol.name), range.symbol.name, range.start);
      symbolFns.set(range.symbol, fn);
    }
    return fn;
  };
  const emit = (start: number, loc: number) => {
    if (starts.length > 0 && locs[locs.length - 1] === loc) return;
    if (starts.length > 0 && starts[starts.length - 1] === start) {
      locs[locs.length - 1] = loc;
      return;
    }
    starts.push(start);
    locs.push(loc);
  };
  let s = 0;
  // Fills [from, to) from symbols, NONE where no symbol covers.
  const fillGap = (from: number, to: number) => {
    let at = from;
    while (s < symbols.length && (symbols[s]?.end ?? 0) <= at) s++;
    for (let k = s; k < symbols.length && at < to; k++) {
      const range = symbols[k];
      if (!range || range.start >= to) break;
      if (range.end <= at) continue;
      if (range.start > at) emit(at, NONE);
      at = Math.max(at, range.start);
      emit(at, tables.location(symbolFn(range), NONE, 0, NONE));
      at = Math.min(range.end, to);
    }
    if (at < to) emit(at, NONE);
  };
  const symbolAt = (address: number): SymbolRange | undefined => {
    let lo = 0;
    let hi = symbols.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const range = symbols[mid];
      if (!range) break;
      if (address < range.start) hi = mid - 1;
      else if (address >= range.end) lo = mid + 1;
      else return range;
    }
    return undefined;
  };
  let cursor = 0;
  for (let i = 0; i < dwarf.starts.length; i++) {
    const start = dwarf.starts[i] ?? 0;
    if (start > cursor) fillGap(cursor, start);
    let loc = dwarf.locs[i] ?? NONE;
    if (loc !== NONE && tables.locFunction[loc] === NONE) {
      const range = symbolAt(start);
      if (range)
        loc = tables.location(symbolFn(range), tables.locFile[loc] ?? NONE, tables.locLine[loc] ?? 0, NONE);
    }
    emit(start, loc);
    cursor = dwarf.ends[i] ?? start;
  }
  fillGap(cursor, MAX_RELATIVE_ADDRESS + 1);
  return { starts, locs };
}
