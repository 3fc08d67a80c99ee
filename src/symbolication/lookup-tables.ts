// The interned tables a lookup is built from: strings, functions and source locations. A location is
// (function, file, line, parent location): the parent of an inlined call's location is the call
// site in its caller, so following parents walks the inline chain outwards.

/** "No value" in every u32 slot of the tables and of the serialized format. */
export const NONE = 0xffffffff;

const HASH_SPACE = 2 ** 52;

function locationHash(fn: number, file: number, line: number, parent: number): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (const value of [fn, file, line, parent]) {
    h1 = Math.imul(h1 ^ value, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ value, 0x5bd1e995) >>> 0;
  }
  return (h1 % 2 ** 20) * 2 ** 32 + h2;
}

export class LookupTables {
  readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  readonly fnName: number[] = [];
  readonly fnRaw: number[] = [];
  readonly fnEntry: number[] = [];
  private readonly fnIds = new Map<string, number>();
  readonly locFunction: number[] = [];
  readonly locFile: number[] = [];
  readonly locLine: number[] = [];
  readonly locParent: number[] = [];
  /** Location ids by a 52-bit hash of their four fields (open addressing on collisions). */
  private readonly locIds = new Map<number, number>();

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

  location(fn: number, file: number, line: number, parent: number): number {
    // Numeric keys instead of strings: a big debug file has millions of locations.
    for (let key = locationHash(fn, file, line, parent); ; key = (key + 1) % HASH_SPACE) {
      const id = this.locIds.get(key);
      if (id === undefined) {
        const created = this.locFunction.length;
        this.locFunction.push(fn);
        this.locFile.push(file);
        this.locLine.push(line);
        this.locParent.push(parent);
        this.locIds.set(key, created);
        return created;
      }
      if (
        this.locFunction[id] === fn &&
        this.locFile[id] === file &&
        this.locLine[id] === line &&
        this.locParent[id] === parent
      ) {
        return id;
      }
    }
  }
}

/** Address ranges under construction: [start, end) → location (NONE = known gap). */
export class IntervalList {
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly locs: number[] = [];

  push(start: number, end: number, loc: number): void {
    const last = this.starts.length - 1;
    // Merge with the previous interval when it continues it with the same location.
    if (last >= 0 && this.ends[last] === start && this.locs[last] === loc) {
      this.ends[last] = end;
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
