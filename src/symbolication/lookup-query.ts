// Resolving addresses with a serialized lookup: open reads the trailer and the index (two small
// reads), each page is fetched once on first use and cached, and a lookup is two binary searches plus
// a walk up the inline chain.
import { type ByteSource, memorySource } from "./byte-source.ts";
import { malformedFile, rethrowTruncation } from "./errors.ts";
import {
  FIXED_HEADER_BYTES,
  type LookupMeta,
  type PageIndexEntry,
  readLookupHeader,
  readLookupIndex,
  readLookupTrailer,
  TRAILER_BYTES,
} from "./lookup-format.ts";
import { NONE } from "./lookup-tables.ts";
import type { SymbolicatedLocation } from "./types.ts";

/** Pages kept per open lookup (each ≤ ~64 KiB). */
const PAGE_CACHE_SIZE = 32;
const MAX_CHAIN = 256;
const decoder = new TextDecoder("utf-8");

class Page {
  private readonly view: DataView;
  private readonly bytes: Uint8Array;
  readonly rangeCount: number;
  private readonly startsAt = 16;
  private readonly locsAt: number;
  private readonly locationsAt: number;
  private readonly functionsAt: number;
  private readonly stringsAt: number;
  private readonly locationCount: number;
  private readonly functionCount: number;
  private readonly strings = new Map<number, string>();

  constructor(bytes: Uint8Array) {
    if (bytes.byteLength < 16) throw malformedFile("symbol lookup page is truncated");
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.rangeCount = this.view.getUint32(0, true);
    this.locationCount = this.view.getUint32(4, true);
    this.functionCount = this.view.getUint32(8, true);
    const stringBytes = this.view.getUint32(12, true);
    this.locsAt = this.startsAt + this.rangeCount * 4;
    this.locationsAt = this.locsAt + this.rangeCount * 4;
    this.functionsAt = this.locationsAt + this.locationCount * 16;
    this.stringsAt = this.functionsAt + this.functionCount * 12;
    if (this.rangeCount === 0 || this.stringsAt + stringBytes > bytes.byteLength) {
      throw malformedFile("symbol lookup page sizes are inconsistent");
    }
  }

  private u32(at: number): number {
    return this.view.getUint32(at, true);
  }

  /** Location index for the address (relative), NONE for gaps. */
  find(address: number): number {
    let lo = 0;
    let hi = this.rangeCount - 1;
    if (address < this.u32(this.startsAt)) return NONE;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.u32(this.startsAt + mid * 4) <= address) lo = mid;
      else hi = mid - 1;
    }
    return this.u32(this.locsAt + lo * 4);
  }

  string(offset: number): string | undefined {
    if (offset === NONE) return undefined;
    const cached = this.strings.get(offset);
    if (cached !== undefined) return cached;
    const at = this.stringsAt + offset;
    if (at + 4 > this.bytes.byteLength) throw malformedFile("symbol lookup string is out of range");
    const length = this.u32(at);
    if (at + 4 + length > this.bytes.byteLength) throw malformedFile("symbol lookup string is out of range");
    const text = decoder.decode(this.bytes.subarray(at + 4, at + 4 + length));
    this.strings.set(offset, text);
    return text;
  }

  /** The inline chain of a location, outermost caller first, innermost (the location itself) last. */
  chain(loc: number): SymbolicatedLocation[] {
    const levels: SymbolicatedLocation[] = [];
    for (let id = loc; id !== NONE && levels.length < MAX_CHAIN; ) {
      if (id >= this.locationCount) throw malformedFile("symbol lookup location is out of range");
      const at = this.locationsAt + id * 16;
      const fn = this.u32(at);
      const file = this.string(this.u32(at + 4));
      const line = this.u32(at + 8);
      const level: SymbolicatedLocation = { inlined: true };
      if (fn !== NONE) {
        if (fn >= this.functionCount) throw malformedFile("symbol lookup function is out of range");
        const fnAt = this.functionsAt + fn * 12;
        const name = this.string(this.u32(fnAt));
        const raw = this.string(this.u32(fnAt + 4)) ?? name;
        const entry = this.u32(fnAt + 8);
        if (name !== undefined) level.function = name;
        if (raw !== undefined) level.rawFunction = raw;
        if (entry !== NONE) level.symbolAddr = entry;
      }
      if (file !== undefined) {
        level.absPath = file;
        level.filename = basename(file);
      }
      if (line > 0) level.lineno = line;
      levels.push(level);
      id = this.u32(at + 12);
    }
    levels.reverse();
    const outermost = levels[0];
    if (outermost) outermost.inlined = false;
    for (const level of levels.slice(1)) delete level.symbolAddr;
    return levels;
  }
}

export function basename(path: string): string {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return cut >= 0 ? path.slice(cut + 1) : path;
}

export interface Lookup {
  readonly meta: LookupMeta;
  /**
   * The inline chain at `address`, which is relative to the object's load address (for a frame:
   * instruction_addr − image_addr, after caller adjustment). Order: outermost caller first,
   * innermost inlined callee last — the order in which the frames replace the raw frame in Sentry's
   * caller-first frame list. Empty when nothing covers the address.
   */
  lookup(address: bigint | number): Promise<SymbolicatedLocation[]>;
}

export function openLookup(source: ByteSource): Promise<Lookup> {
  return rethrowTruncation(() => openPagedLookup(source));
}

async function openPagedLookup(source: ByteSource): Promise<Lookup> {
  if (source.size < TRAILER_BYTES) throw malformedFile("symbol lookup header is truncated");
  // Version 2 keeps its index at the end; version 1 (lookups built before) at the start.
  const layout =
    readLookupTrailer(await source.read(source.size - TRAILER_BYTES, TRAILER_BYTES), source.size) ??
    readLookupHeader(await source.read(0, FIXED_HEADER_BYTES), source.size);
  const { meta, pages } = readLookupIndex(await source.read(layout.indexOffset, layout.indexLength), layout);
  return new PagedLookup(source, meta, pages);
}

/** openLookup over bytes in memory. */
export function openLookupBytes(bytes: Uint8Array): Promise<Lookup> {
  return openLookup(memorySource(bytes));
}

class PagedLookup implements Lookup {
  readonly meta: LookupMeta;
  private readonly source: ByteSource;
  private readonly pages: PageIndexEntry[];
  private readonly cache = new Map<number, Promise<Page>>();

  constructor(source: ByteSource, meta: LookupMeta, pages: PageIndexEntry[]) {
    this.source = source;
    this.meta = meta;
    this.pages = pages;
  }

  lookup(address: bigint | number): Promise<SymbolicatedLocation[]> {
    return rethrowTruncation(() => this.resolve(address));
  }

  private async resolve(address: bigint | number): Promise<SymbolicatedLocation[]> {
    const relative = typeof address === "bigint" ? Number(address) : address;
    if (!Number.isSafeInteger(relative) || relative < 0 || relative > 0xffffffff) return [];
    const index = this.pageFor(relative);
    if (index < 0) return [];
    const page = await this.page(index);
    const loc = page.find(relative);
    return loc === NONE ? [] : page.chain(loc);
  }

  private pageFor(address: number): number {
    let lo = 0;
    let hi = this.pages.length - 1;
    if (hi < 0 || address < (this.pages[0]?.firstAddress ?? 0)) return -1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.pages[mid]?.firstAddress ?? 0) <= address) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private page(index: number): Promise<Page> {
    let page = this.cache.get(index);
    if (page) {
      // Refresh LRU order.
      this.cache.delete(index);
      this.cache.set(index, page);
      return page;
    }
    const entry = this.pages[index];
    if (!entry) return Promise.reject(malformedFile("symbol lookup page is missing"));
    page = this.source.read(entry.offset, entry.length).then((bytes) => new Page(bytes));
    page.catch(() => this.cache.delete(index));
    this.cache.set(index, page);
    if (this.cache.size > PAGE_CACHE_SIZE) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return page;
  }
}
