// The symbol table's side of a lookup build (lookup-build.ts): function symbols as address ranges, and
// the final ranges of a window, where DWARF ranges win and the symbol table fills the gaps.
import type { LookupWriter } from "./lookup-format.ts";
import { type IntervalList, type LookupTables, NONE } from "./lookup-tables.ts";
import { MAX_RELATIVE_ADDRESS } from "./lookup-windows.ts";
import type { SymbolTable } from "./symbol-table.ts";

/**
 * Function symbols as sorted, non-overlapping relative ranges; each runs to the next symbol (within
 * its code range), as addr2line resolves them. Also answers "which mangled symbol starts here".
 */
export class SymbolRanges {
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

export function symbolIntervals(table: SymbolTable, loadAddress: number, codeRanges: number[]): SymbolRanges {
  return new SymbolRanges(table, loadAddress, codeRanges);
}

/**
 * Writes the window's final contiguous ranges: DWARF ranges win; gaps are filled from the symbol
 * table; DWARF ranges without a known function borrow the covering symbol's name. Gaps become
 * explicit NONE ranges; the first range starts at the window's start.
 */
export function fillWithSymbols(
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
