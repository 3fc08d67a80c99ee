// Turns one compilation unit into address intervals, each mapped to its innermost source location:
// the deepest function (real or inlined) covering the interval, with the line-table row's file and
// line, and the chain of inlined call sites as parent locations (symbolic's SymCache idea).

import { END_OF_SEQUENCE } from "./dwarf/line-program.ts";
import type { DwarfReader, FunctionRecord, UnitDebugInfo } from "./dwarf/reader.ts";
import { type IntervalList, type LookupTables, NONE } from "./lookup-tables.ts";

export interface IntervalContext {
  reader: DwarfReader;
  tables: LookupTables;
  out: IntervalList;
  loadAddress: number;
  /**
   * End of the executable section containing the address, -1 outside code: rejects tombstoned or
   * dead DWARF ranges and clips corrupt ones to their section.
   */
  codeEnd(address: number): number;
  /** Mangled name → display name. */
  displayName(raw: string): string;
  /** Cache of DIE offset → function id, shared across units. */
  functionIds: Map<number, number>;
  /** Mangled function symbols by (absolute) address. */
  mangledSymbols: Map<number, string>;
}

function functionId(ctx: IntervalContext, record: FunctionRecord, entry: number): number {
  let id = ctx.functionIds.get(record.dieOffset);
  if (id !== undefined) return id;
  const { name } = ctx.reader.functionName(record.dieOffset);
  let { linkageName } = ctx.reader.functionName(record.dieOffset);
  // GCC omits DW_AT_linkage_name for some C++ functions (e.g. static ones); like symbolic and
  // binutils, take the mangled symbol at the function's entry then, for the full signature.
  if (!linkageName && record.depth === 0) linkageName = ctx.mangledSymbols.get(record.entry);
  if (linkageName) id = ctx.tables.fn(ctx.displayName(linkageName), linkageName, entry);
  else if (name) id = ctx.tables.fn(name, name, entry);
  else id = NONE;
  ctx.functionIds.set(record.dieOffset, id);
  return id;
}

export function addUnitIntervals(ctx: IntervalContext, unit: UnitDebugInfo): void {
  const { tables, loadAddress } = ctx;
  const records = unit.functions;
  const files = unit.lineTable?.files ?? [];
  const fileIds = files.map((f) => tables.string(f));
  const fileId = (index: number) => (index >= 0 ? (fileIds[index] ?? NONE) : NONE);

  // Function ids: inlined records name the callee; only real functions carry an entry address
  // (Sentry gives symbol_addr to the outermost frame only).
  const fnIds = records.map((r) => functionId(ctx, r, r.depth > 0 ? NONE : r.entry - loadAddress));
  const callerLocs = new Array<number>(records.length).fill(-1);
  const callerLocation = (index: number): number => {
    const cached = callerLocs[index] ?? -1;
    if (cached >= 0) return cached;
    const record = records[index];
    if (!record || record.parent < 0) return NONE;
    const parent = records[record.parent];
    const grand = parent && parent.depth > 0 ? callerLocation(record.parent) : NONE;
    const loc = tables.location(
      fnIds[record.parent] ?? NONE,
      fileId(record.callFile),
      record.callLine,
      grand,
    );
    callerLocs[index] = loc;
    return loc;
  };

  // Events: function range starts and ends.
  const events: number[] = []; // triples: address, record, 1 = start / 0 = end
  records.forEach((record, index) => {
    for (let i = 0; i + 1 < record.ranges.length; i += 2) {
      const start = record.ranges[i] ?? 0;
      const codeEnd = ctx.codeEnd(start);
      if (codeEnd < 0) continue;
      events.push(start, index, 1, Math.min(record.ranges[i + 1] ?? start, codeEnd), index, 0);
    }
  });
  const eventOrder = sortedTriples(events);

  // Line intervals from the rows of each sequence.
  const lineStarts: number[] = [];
  const lineEnds: number[] = [];
  const lineFiles: number[] = [];
  const lineLines: number[] = [];
  const table = unit.lineTable;
  if (table) {
    let sequenceEnd = -1;
    let sequenceStart = true;
    for (let i = 0; i < table.addresses.length; i++) {
      const address = table.addresses[i] ?? 0;
      if (sequenceStart) sequenceEnd = ctx.codeEnd(address);
      sequenceStart = table.lines[i] === END_OF_SEQUENCE;
      if (sequenceStart || sequenceEnd < 0) continue;
      const next = Math.min(table.addresses[i + 1] ?? address, sequenceEnd);
      if (next <= address) continue;
      lineStarts.push(address);
      lineEnds.push(next);
      lineFiles.push(fileId(table.fileIndexes[i] ?? -1));
      lineLines.push(table.lines[i] ?? 0);
    }
  }
  const lineOrder = Array.from(lineStarts.keys()).sort((a, b) => (lineStarts[a] ?? 0) - (lineStarts[b] ?? 0));

  // Boundaries: every place the innermost function or the line row can change.
  const boundaries = new Float64Array(events.length / 3 + lineStarts.length * 2);
  let n = 0;
  for (let i = 0; i < events.length; i += 3) boundaries[n++] = events[i] ?? 0;
  for (let i = 0; i < lineStarts.length; i++) {
    boundaries[n++] = lineStarts[i] ?? 0;
    boundaries[n++] = lineEnds[i] ?? 0;
  }
  boundaries.sort();
  let unique = 0;
  for (let i = 0; i < boundaries.length; i++) {
    if (i === 0 || boundaries[i] !== boundaries[unique - 1]) boundaries[unique++] = boundaries[i] ?? 0;
  }
  const points = boundaries.subarray(0, unique);

  const activeByDepth: number[][] = [];
  let deepest = -1;
  let e = 0;
  let l = -1;
  for (let b = 0; b < points.length; b++) {
    const at = points[b] ?? 0;
    // Apply events at this address: ends before starts (ranges are half-open).
    for (let pass = 0; pass < 2; pass++) {
      for (let k = e; k < eventOrder.length; k++) {
        const t = (eventOrder[k] ?? 0) * 3;
        if (events[t] !== at) break;
        const record = events[t + 1] ?? 0;
        const isStart = events[t + 2] === 1;
        const depth = records[record]?.depth ?? 0;
        if (pass === 0 && !isStart) {
          const list = activeByDepth[depth];
          const pos = list ? list.lastIndexOf(record) : -1;
          if (list && pos >= 0) list.splice(pos, 1);
        } else if (pass === 1 && isStart) {
          const list = activeByDepth[depth] ?? [];
          activeByDepth[depth] = list;
          list.push(record);
        }
      }
    }
    while (e < eventOrder.length && events[(eventOrder[e] ?? 0) * 3] === at) e++;
    deepest = activeByDepth.length - 1;
    while (deepest >= 0 && (activeByDepth[deepest]?.length ?? 0) === 0) deepest--;
    while (l + 1 < lineOrder.length && (lineStarts[lineOrder[l + 1] ?? 0] ?? 0) <= at) l++;

    const next = points[b + 1];
    if (next === undefined) break;
    const lineIndex = l >= 0 ? (lineOrder[l] ?? -1) : -1;
    const covered = lineIndex >= 0 && at < (lineEnds[lineIndex] ?? 0);
    const list = deepest >= 0 ? activeByDepth[deepest] : undefined;
    const innermost = list ? (list[list.length - 1] ?? -1) : -1;
    let loc = NONE;
    if (innermost >= 0 || covered) {
      const record = innermost >= 0 ? records[innermost] : undefined;
      loc = tables.location(
        innermost >= 0 ? (fnIds[innermost] ?? NONE) : NONE,
        covered ? (lineFiles[lineIndex] ?? NONE) : NONE,
        covered ? (lineLines[lineIndex] ?? 0) : 0,
        record && record.depth > 0 ? callerLocation(innermost) : NONE,
      );
    }
    if (loc !== NONE) ctx.out.push(at - loadAddress, next - loadAddress, loc);
  }
}

/** Indices of (address, …, …) triples sorted by address. */
function sortedTriples(triples: number[]): number[] {
  const order = Array.from({ length: triples.length / 3 }, (_, i) => i);
  return order.sort((a, b) => (triples[a * 3] ?? 0) - (triples[b * 3] ?? 0));
}
