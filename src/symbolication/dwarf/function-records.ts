// The functions of one compilation unit (real and inlined) in typed-array columns: an LTO unit has
// hundreds of thousands of them, which as JS objects with arrays of ranges took about ten times the
// unit's .debug_info; as columns they take a few dozen bytes each plus 16 per address range.

export interface FunctionRecord {
  /** Offset of the DIE in .debug_info; its name is resolved with DwarfReader.functionName. */
  dieOffset: number;
  /** 0 for a real (out-of-line) function, n for an inlined call n levels deep. */
  depth: number;
  /** Index of the enclosing record in the same unit, -1 at the top. */
  parent: number;
  /** Flattened [start, end) address pairs. */
  ranges: number[];
  /** Entry address: low_pc, else the lowest range start. */
  entry: number;
  /** Inlined calls only: the call site in the caller (file index into the unit's line table). */
  callFile: number;
  callLine: number;
}

function grow<T extends Float64Array | Int32Array | Uint32Array>(from: T, make: (size: number) => T): T {
  const to = make(from.length * 2);
  to.set(from);
  return to;
}

export class FunctionRecords implements Iterable<FunctionRecord> {
  length = 0;
  private dieOffsets = new Float64Array(64);
  private depths = new Uint32Array(64);
  private parents = new Int32Array(64);
  private entries = new Float64Array(64);
  private callFiles = new Int32Array(64);
  private callLines = new Uint32Array(64);
  /** Record i's ranges are pairs rangeFirst[i] … rangeFirst[i + 1] - 1 of `pairs`. */
  private rangeFirst = new Uint32Array(65);
  private pairs = new Float64Array(128);
  private pairCount = 0;

  /** Adds a record; `ranges` are flattened [start, end) pairs. Returns its index. */
  push(
    dieOffset: number,
    depth: number,
    parent: number,
    entry: number,
    callFile: number,
    callLine: number,
    ranges: readonly number[],
  ): number {
    const i = this.length;
    if (i === this.dieOffsets.length) {
      this.dieOffsets = grow(this.dieOffsets, (n) => new Float64Array(n));
      this.depths = grow(this.depths, (n) => new Uint32Array(n));
      this.parents = grow(this.parents, (n) => new Int32Array(n));
      this.entries = grow(this.entries, (n) => new Float64Array(n));
      this.callFiles = grow(this.callFiles, (n) => new Int32Array(n));
      this.callLines = grow(this.callLines, (n) => new Uint32Array(n));
      const first = new Uint32Array(this.dieOffsets.length + 1);
      first.set(this.rangeFirst);
      this.rangeFirst = first;
    }
    const pairs = ranges.length >> 1;
    while (this.pairCount + pairs > this.pairs.length / 2)
      this.pairs = grow(this.pairs, (n) => new Float64Array(n));
    this.pairs.set(ranges.length === pairs * 2 ? ranges : ranges.slice(0, pairs * 2), this.pairCount * 2);
    this.pairCount += pairs;
    this.dieOffsets[i] = dieOffset;
    this.depths[i] = depth;
    this.parents[i] = parent;
    this.entries[i] = entry;
    // Call files are small indices (-1 for none); lines past u32 are corrupt and wrap like elsewhere.
    this.callFiles[i] = callFile < 0 || callFile > 0x7fffffff ? -1 : callFile;
    this.callLines[i] = callLine >>> 0;
    this.rangeFirst[i + 1] = this.pairCount;
    this.length = i + 1;
    return i;
  }

  dieOffset(i: number): number {
    return this.dieOffsets[i] ?? -1;
  }

  depth(i: number): number {
    return this.depths[i] ?? 0;
  }

  parent(i: number): number {
    return this.parents[i] ?? -1;
  }

  entry(i: number): number {
    return this.entries[i] ?? -1;
  }

  callFile(i: number): number {
    return this.callFiles[i] ?? -1;
  }

  callLine(i: number): number {
    return this.callLines[i] ?? 0;
  }

  /** Number of [start, end) ranges of record i. */
  rangeCount(i: number): number {
    return (this.rangeFirst[i + 1] ?? 0) - (this.rangeFirst[i] ?? 0);
  }

  rangeStart(i: number, k: number): number {
    return this.pairs[((this.rangeFirst[i] ?? 0) + k) * 2] ?? 0;
  }

  rangeEnd(i: number, k: number): number {
    return this.pairs[((this.rangeFirst[i] ?? 0) + k) * 2 + 1] ?? 0;
  }

  /** Bytes the columns take (capacity included). */
  get bytes(): number {
    return this.dieOffsets.length * 32 + this.rangeFirst.byteLength + this.pairs.byteLength;
  }

  /** Drops the spare capacity of growth (once all records are in). */
  compact(): void {
    const n = this.length;
    if (this.dieOffsets.length - n < 1024) return;
    this.dieOffsets = this.dieOffsets.slice(0, n);
    this.depths = this.depths.slice(0, n);
    this.parents = this.parents.slice(0, n);
    this.entries = this.entries.slice(0, n);
    this.callFiles = this.callFiles.slice(0, n);
    this.callLines = this.callLines.slice(0, n);
    this.rangeFirst = this.rangeFirst.slice(0, n + 1);
    this.pairs = this.pairs.slice(0, this.pairCount * 2);
  }

  /** Record i as an object (tests and diagnostics; the build reads the columns). */
  record(i: number): FunctionRecord {
    const ranges: number[] = [];
    for (let k = 0; k < this.rangeCount(i); k++) ranges.push(this.rangeStart(i, k), this.rangeEnd(i, k));
    return {
      dieOffset: this.dieOffset(i),
      depth: this.depth(i),
      parent: this.parent(i),
      ranges,
      entry: this.entry(i),
      callFile: this.callFile(i),
      callLine: this.callLine(i),
    };
  }

  *[Symbol.iterator](): Iterator<FunctionRecord> {
    for (let i = 0; i < this.length; i++) yield this.record(i);
  }
}
