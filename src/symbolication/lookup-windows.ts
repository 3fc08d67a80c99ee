// How a lookup build (lookup-build.ts) cuts the address space: which chunks of addresses each unit
// covers, the windows built one at a time, the end of the code section an address is in, and how
// overlapping intervals of different units are resolved.
import { F64Column, IntervalList, NONE, U32Column } from "./lookup-tables.ts";

/** Addresses beyond this (relative to the load address) do not fit the format's u32 slots. */
export const MAX_RELATIVE_ADDRESS = 0xfffffffe;
export const ADDRESS_END = MAX_RELATIVE_ADDRESS + 1;
/** Coverage chunks of one unit are split after this many intervals, so windows can be cut finely. */
const CHUNK_RANGES = 16_384;
/** Intervals of one unit closer than this are counted in one chunk. */
const CHUNK_GAP = 64 * 1024;

/**
 * Address chunks each unit covers, with how many intervals each holds: [start, end) relative to the
 * load address, merged across small gaps.
 */
export class Coverage {
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
export function planWindows(coverage: Coverage, budget: number): number[] {
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
export function codeEndFinder(codeRanges: number[]): (address: number) => number {
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
export function mergeIntervals(list: IntervalList): IntervalList {
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
