// The interned tables a lookup is built from: strings, functions and source locations. A location is
// (function, file, line, parent location): the parent of an inlined call's location is the call
// site in its caller, so following parents walks the inline chain outwards. Columns are growable
// typed arrays, not JS arrays of numbers or objects: a big debug file has millions of rows.

/** "No value" in every u32 slot of the tables and of the serialized format. */
export const NONE = 0xffffffff;

/** A growable column of u32 values. */
export class U32Column {
  data: Uint32Array;
  length = 0;

  constructor(capacity = 64) {
    this.data = new Uint32Array(capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Uint32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  get(index: number): number {
    return index < this.length ? (this.data[index] ?? NONE) : NONE;
  }
}

/** A growable column of f64 values (addresses: they may not fit 32 bits before they are made relative). */
export class F64Column {
  data: Float64Array;
  length = 0;

  constructor(capacity = 64) {
    this.data = new Float64Array(capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  get(index: number): number {
    return this.data[index] ?? 0;
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  clear(): void {
    this.length = 0;
  }
}

function mix(h: number, value: number): number {
  return Math.imul(h ^ value, 0x5bd1e995) >>> 0;
}

export class LookupTables {
  readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  readonly fnName = new U32Column();
  readonly fnRaw = new U32Column();
  readonly fnEntry = new U32Column();
  private readonly fnIds = new Map<string, number>();
  readonly locFunction = new U32Column(1024);
  readonly locFile = new U32Column(1024);
  readonly locLine = new U32Column(1024);
  readonly locParent = new U32Column(1024);
  /** Open-addressing hash of locations: slot → location id + 1 (0 = empty). */
  private slots = new Uint32Array(2048);

  get functionCount(): number {
    return this.fnName.length;
  }

  get locationCount(): number {
    return this.locFunction.length;
  }

  string(value: string | undefined): number {
    if (value === undefined) return NONE;
    let id = this.stringIds.get(value);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(value);
      this.stringIds.set(value, id);
    }
    return id;
  }

  /** A function: display name, raw (mangled) name and entry address relative to the load address. */
  fn(name: string | undefined, raw: string | undefined, entry: number): number {
    const nameId = this.string(name);
    const rawId = raw === name ? NONE : this.string(raw);
    const key = `${nameId},${rawId},${entry}`;
    let id = this.fnIds.get(key);
    if (id === undefined) {
      id = this.fnName.length;
      this.fnName.push(nameId);
      this.fnRaw.push(rawId);
      this.fnEntry.push(entry);
      this.fnIds.set(key, id);
    }
    return id;
  }

  location(fn: number, file: number, lineNumber: number, parent: number): number {
    const line = lineNumber >>> 0;
    const mask = this.slots.length - 1;
    let slot = mix(mix(mix(mix(0x811c9dc5, fn), file), line), parent) & mask;
    for (;;) {
      const stored = this.slots[slot] ?? 0;
      if (stored === 0) break;
      const id = stored - 1;
      if (
        this.locFunction.data[id] === fn &&
        this.locFile.data[id] === file &&
        this.locLine.data[id] === line &&
        this.locParent.data[id] === parent
      ) {
        return id;
      }
      slot = (slot + 1) & mask;
    }
    const created = this.locFunction.length;
    this.locFunction.push(fn);
    this.locFile.push(file);
    this.locLine.push(line);
    this.locParent.push(parent);
    this.slots[slot] = created + 1;
    if ((created + 1) * 2 > this.slots.length) this.rehash();
    return created;
  }

  private rehash(): void {
    const slots = new Uint32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let id = 0; id < this.locFunction.length; id++) {
      const d = (c: U32Column) => c.data[id] ?? 0;
      let slot =
        mix(
          mix(mix(mix(0x811c9dc5, d(this.locFunction)), d(this.locFile)), d(this.locLine)),
          d(this.locParent),
        ) & mask;
      while ((slots[slot] ?? 0) !== 0) slot = (slot + 1) & mask;
      slots[slot] = id + 1;
    }
    this.slots = slots;
  }
}

/** Address ranges under construction: [start, end) → location (NONE = known gap). */
export class IntervalList {
  readonly starts = new F64Column(1024);
  readonly ends = new F64Column(1024);
  readonly locs = new U32Column(1024);

  push(start: number, end: number, loc: number): void {
    const last = this.starts.length - 1;
    // Merge with the previous interval when it continues it with the same location.
    if (last >= 0 && this.ends.get(last) === start && this.locs.get(last) === loc) {
      this.ends.set(last, end);
      return;
    }
    this.starts.push(start);
    this.ends.push(end);
    this.locs.push(loc);
  }

  get length(): number {
    return this.starts.length;
  }
}
