// Turns one compilation unit into address intervals, each mapped to its innermost source location:
// the deepest function (real or inlined) covering the interval, with the line-table row's file and
// line, and the chain of inlined call sites as parent locations (symbolic's SymCache idea).

import { END_OF_SEQUENCE } from "./dwarf/line-program.ts";
import type { FunctionName, FunctionRecords, UnitDebugInfo } from "./dwarf/reader.ts";
import { F64Column, type LookupTables, NONE } from "./lookup-tables.ts";

/** Where a unit's intervals go: pushed in ascending, non-overlapping order. */
export interface IntervalSink {
  push(start: number, end: number, loc: number): void;
}

export interface IntervalContext {
  /** Name and linkage name of the function DIE at an offset (resolved before, see lookup-build). */
  functionName(dieOffset: number): FunctionName;
  /** Interned tables; absent when only the covered address ranges are wanted (locations are 0). */
  tables: LookupTables | undefined;
  out: IntervalSink;
  loadAddress: number;
  /** Only intervals inside [windowStart, windowEnd) (relative addresses) are made, clipped to it. */
  windowStart: number;
  windowEnd: number;
  /**
   * End of the executable section containing the address, -1 outside code: rejects tombstoned or
   * dead DWARF ranges and clips corrupt ones to their section.
   */
  codeEnd(address: number): number;
  /** Mangled name → display name. */
  displayName(raw: string): string;
  /** Cache of DIE offset → function id, for the current tables. */
  functionIds: Map<number, number>;
  /** The mangled function symbol at an (absolute) address, if any. */
  mangledSymbol(address: number): string | undefined;
}

function functionId(
  ctx: IntervalContext,
  tables: LookupTables,
  records: FunctionRecords,
  index: number,
  entry: number,
): number {
  const dieOffset = records.dieOffset(index);
  let id = ctx.functionIds.get(dieOffset);
  if (id !== undefined) return id;
  const resolved = ctx.functionName(dieOffset);
  const name = resolved.name;
  let linkageName = resolved.linkageName;
  // GCC omits DW_AT_linkage_name for some C++ functions (e.g. static ones); like symbolic and
  // binutils, take the mangled symbol at the function's entry then, for the full signature.
  if (!linkageName && records.depth(index) === 0) linkageName = ctx.mangledSymbol(records.entry(index));
  if (linkageName) id = tables.fn(ctx.displayName(linkageName), linkageName, entry);
  else if (name) id = tables.fn(name, name, entry);
  else id = NONE;
  ctx.functionIds.set(dieOffset, id);
  return id;
}

export function addUnitIntervals(ctx: IntervalContext, unit: UnitDebugInfo): void {
  const { tables, loadAddress, windowStart, windowEnd } = ctx;
  const records = unit.functions;
  // Absolute bounds of the window: only rows and function ranges reaching into it matter.
  const from = windowStart + loadAddress;
  const to = windowEnd + loadAddress;

  // Line intervals from the rows of each sequence that reach into the window.
  const lineStarts = new F64Column(1024);
  const lineEnds = new F64Column(1024);
  const lineFiles = new F64Column(1024);
  const lineLines = new F64Column(1024);
  const files = lineIntervals(ctx, unit, (start, end, file, line) => {
    if (end <= from || start >= to) return;
    lineStarts.push(start);
    lineEnds.push(end);
    lineFiles.push(file);
    lineLines.push(line);
  });
  // File and function ids are made on first use: a window only needs those of its own intervals.
  const fileIds = new Float64Array(files.length).fill(-1);
  const fileId = (index: number): number => {
    if (!tables || index < 0 || index >= files.length) return NONE;
    let id = fileIds[index] ?? -1;
    if (id < 0) {
      id = tables.string(files[index]);
      fileIds[index] = id;
    }
    return id;
  };
  // Per-record caches, made on the first record in the window: a window often needs few of them.
  let fnIds: Float64Array | undefined;
  let callerLocs: Float64Array | undefined;
  // Inlined records name the callee; only real functions carry an entry address (Sentry gives
  // symbol_addr to the outermost frame only).
  const fnId = (index: number): number => {
    if (!tables || index < 0 || index >= records.length) return NONE;
    fnIds ??= new Float64Array(records.length).fill(-1);
    let id = fnIds[index] ?? -1;
    if (id < 0) {
      const entry = records.depth(index) > 0 ? NONE : records.entry(index) - loadAddress;
      id = functionId(ctx, tables, records, index, entry);
      fnIds[index] = id;
    }
    return id;
  };
  const callerLocation = (index: number): number => {
    callerLocs ??= new Float64Array(records.length).fill(-1);
    const cached = callerLocs[index] ?? -1;
    if (cached >= 0) return cached;
    const parent = records.parent(index);
    if (!tables || parent < 0) return NONE;
    const grand = records.depth(parent) > 0 ? callerLocation(parent) : NONE;
    const loc = tables.location(
      fnId(parent),
      fileId(records.callFile(index)),
      records.callLine(index),
      grand,
    );
    callerLocs[index] = loc;
    return loc;
  };

  // Events: function range starts and ends, as (address, record, 1 = start / 0 = end) triples.
  const events = new F64Column(1024);
  for (let index = 0; index < records.length; index++) {
    const count = records.rangeCount(index);
    for (let k = 0; k < count; k++) {
      const start = records.rangeStart(index, k);
      if (start >= to) continue;
      const codeEnd = ctx.codeEnd(start);
      const end = Math.min(records.rangeEnd(index, k), codeEnd);
      if (codeEnd < 0 || end <= from) continue;
      events.push(start);
      events.push(index);
      events.push(1);
      events.push(end);
      events.push(index);
      events.push(0);
    }
  }
  const eventCount = events.length / 3;
  const eventOrder = sortedBy(eventCount, (i) => events.get(i * 3));

  const lineOrder = sortedBy(lineStarts.length, (i) => lineStarts.get(i));

  // Boundaries: every place the innermost function or the line row can change.
  const boundaries = new Float64Array(eventCount + lineStarts.length * 2);
  let n = 0;
  for (let i = 0; i < eventCount; i++) boundaries[n++] = events.get(i * 3);
  for (let i = 0; i < lineStarts.length; i++) {
    boundaries[n++] = lineStarts.get(i);
    boundaries[n++] = lineEnds.get(i);
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
      for (let k = e; k < eventCount; k++) {
        const t = (eventOrder[k] ?? 0) * 3;
        if (events.get(t) !== at) break;
        const record = events.get(t + 1);
        const isStart = events.get(t + 2) === 1;
        const depth = records.depth(record);
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
    while (e < eventCount && events.get((eventOrder[e] ?? 0) * 3) === at) e++;
    deepest = activeByDepth.length - 1;
    while (deepest >= 0 && (activeByDepth[deepest]?.length ?? 0) === 0) deepest--;
    while (l + 1 < lineOrder.length && lineStarts.get(lineOrder[l + 1] ?? 0) <= at) l++;

    const next = points[b + 1];
    if (next === undefined) break;
    const from = Math.max(at - loadAddress, windowStart);
    const to = Math.min(next - loadAddress, windowEnd);
    if (from >= to) continue;
    const lineIndex = l >= 0 ? (lineOrder[l] ?? -1) : -1;
    const covered = lineIndex >= 0 && at < lineEnds.get(lineIndex);
    const list = deepest >= 0 ? activeByDepth[deepest] : undefined;
    const innermost = list ? (list[list.length - 1] ?? -1) : -1;
    if (innermost < 0 && !covered) continue;
    let loc = 0;
    if (tables) {
      loc = tables.location(
        innermost >= 0 ? fnId(innermost) : NONE,
        covered ? fileId(lineFiles.get(lineIndex)) : NONE,
        covered ? lineLines.get(lineIndex) : 0,
        innermost >= 0 && records.depth(innermost) > 0 ? callerLocation(innermost) : NONE,
      );
      if (loc === NONE) continue;
    }
    ctx.out.push(from, to, loc);
  }
}

/**
 * Runs the unit's line rows as intervals [address, next row's address), clipped to the end of their
 * code section (sequences outside code are dropped); returns the unit's file names.
 */
function lineIntervals(
  ctx: Pick<IntervalContext, "codeEnd">,
  unit: UnitDebugInfo,
  onInterval: (start: number, end: number, file: number, line: number) => void,
): (string | undefined)[] {
  let pending = false;
  let pendingAddress = 0;
  let pendingFile = 0;
  let pendingLine = 0;
  let sequenceEnd = -1;
  let sequenceStart = true;
  const onRow = (address: number, file: number, line: number) => {
    if (pending) {
      const next = Math.min(address, sequenceEnd);
      if (next > pendingAddress) onInterval(pendingAddress, next, pendingFile, pendingLine);
      pending = false;
    }
    if (sequenceStart) sequenceEnd = ctx.codeEnd(address);
    sequenceStart = line === END_OF_SEQUENCE;
    if (sequenceStart || sequenceEnd < 0) return;
    pending = true;
    pendingAddress = address;
    pendingFile = file;
    pendingLine = line;
  };
  const table = unit.lineTable;
  if (table) {
    for (let i = 0; i < table.addresses.length; i++) {
      onRow(table.addresses[i] ?? 0, table.fileIndexes[i] ?? -1, table.lines[i] ?? 0);
    }
    return table.files;
  }
  return unit.runLines?.(onRow) ?? [];
}

/**
 * The address ranges a unit covers, for planning windows: its line intervals and function ranges,
 * each stream merged where contiguous, relative to the load address. Holds no per-row state.
 */
export function addUnitCoverage(
  ctx: Pick<IntervalContext, "codeEnd" | "loadAddress">,
  unit: UnitDebugInfo,
  out: { push(start: number, end: number, weight: number): void },
): void {
  const { loadAddress } = ctx;
  let runStart = -1;
  let runEnd = -1;
  let runRows = 0;
  const flush = () => {
    if (runStart >= 0) out.push(runStart - loadAddress, runEnd - loadAddress, runRows);
    runStart = -1;
    runRows = 0;
  };
  lineIntervals(ctx, unit, (start, end) => {
    if (start !== runEnd) flush();
    if (runStart < 0) runStart = start;
    runEnd = end;
    runRows++;
  });
  flush();
  const records = unit.functions;
  const ranges = new F64Column(1024);
  for (let index = 0; index < records.length; index++) {
    for (let k = 0; k < records.rangeCount(index); k++) {
      const start = records.rangeStart(index, k);
      const codeEnd = ctx.codeEnd(start);
      if (codeEnd < 0) continue;
      const end = Math.min(records.rangeEnd(index, k), codeEnd);
      if (end <= start) continue;
      ranges.push(start);
      ranges.push(end);
    }
  }
  const order = sortedBy(ranges.length / 2, (i) => ranges.get(i * 2));
  for (const i of order) {
    const start = ranges.get(i * 2);
    const end = ranges.get(i * 2 + 1);
    if (runStart >= 0 && start <= runEnd) {
      runEnd = Math.max(runEnd, end);
      runRows += 2;
      continue;
    }
    flush();
    runStart = start;
    runEnd = end;
    runRows = 2;
  }
  flush();
}

/** Indices 0..count-1 sorted by key (stable). */
function sortedBy(count: number, key: (index: number) => number): Uint32Array {
  const keys = new Float64Array(count);
  for (let i = 0; i < count; i++) keys[i] = key(i);
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  // Typed-array sort with a comparator; ties keep index order.
  return order.sort((a, b) => (keys[a] ?? 0) - (keys[b] ?? 0) || a - b);
}
