// The serialized symbol lookup: pages, each self-contained (its own ranges, locations, functions and
// strings), then the metadata and the page index, then a fixed trailer. Resolving one address reads
// the trailer and index once and then exactly one page — one R2 ranged GET per page. The index comes
// last so a build can write pages as it makes them (a streamed or multipart upload) and hold only the
// page being filled.
//
// All integers are u32 little-endian; NONE (0xffffffff) marks absent values.
//   version 2:
//     prefix:  magic "FLSC" | version | 0 | 0
//     pages
//     meta JSON (UTF-8, padded to 4) | pageCount × (firstAddress, offset, length)
//     trailer: magic | version | metaOffset | metaBytes | pageCount | rangeCount | reserved ×2
//   version 1 (still read): magic | version | headerBytes | metaBytes | pageCount | rangeCount |
//     reserved ×2 | meta JSON (padded to 4) | page index | pages
//   page:    rangeCount | locationCount | functionCount | stringBytes
//            starts[rangeCount] | locs[rangeCount]
//            locations[locationCount] × (function, file string, line, parent location)
//            functions[functionCount] × (name string, raw name string, entry address)
//            strings: each (u32 byte length, UTF-8 bytes), addressed by byte offset
// Addresses are relative to the object's load address. A page covers [its first start, the next
// page's first start); a range runs to the next start; NONE locations are gaps.
import { malformedFile } from "./errors.ts";
import { type LookupTables, NONE } from "./lookup-tables.ts";

export const LOOKUP_MAGIC = 0x43534c46; // "FLSC" read as little-endian u32
export const LOOKUP_VERSION = 2;
/** Size of the version 1 fixed header and of the version 2 trailer. */
export const FIXED_HEADER_BYTES = 32;
export const TRAILER_BYTES = 32;
const PREFIX_BYTES = 16;
const PAGE_HEADER_BYTES = 16;

export interface LookupMeta {
  debugId: string;
  codeId?: string;
  arch: string;
  format: "elf" | "macho" | "breakpad";
  /** Load address the addresses are relative to, as `0x…`. */
  loadAddress: string;
  /** Number of address ranges and of ranges resolved from DWARF vs the symbol table, for diagnostics. */
  ranges: number;
  functions: number;
}

export interface PageIndexEntry {
  firstAddress: number;
  offset: number;
  length: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8");

class PageBuilder {
  readonly starts: number[] = [];
  readonly locs: number[] = [];
  readonly locOrder: number[] = [];
  readonly locLocal = new Map<number, number>();
  readonly fnOrder: number[] = [];
  readonly fnLocal = new Map<number, number>();
  readonly strOffsets = new Map<number, number>();
  readonly strBytes: Uint8Array[] = [];
  stringBytes = 0;

  get size(): number {
    return (
      PAGE_HEADER_BYTES +
      this.starts.length * 8 +
      this.locOrder.length * 16 +
      this.fnOrder.length * 12 +
      this.stringBytes
    );
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** Receives the serialized lookup piece by piece, in file order. */
export type ChunkSink = (chunk: Uint8Array) => void | Promise<void>;

/**
 * Writes the paged format incrementally: ranges are added in ascending address order, each with a
 * location of the tables it was made with; full pages are encoded at once and handed to the sink
 * on `drain`, so only the page being filled (and pages not yet drained) are held.
 */
export class LookupWriter {
  private readonly sink: ChunkSink;
  private readonly pageBytes: number;
  private page = new PageBuilder();
  private tables: LookupTables | undefined;
  /** UTF-8 of the current tables' strings, by string id, made on first use. */
  private encoded: (Uint8Array | undefined)[] = [];
  private pending: Uint8Array[] = [];
  /** (firstAddress, offset, length) per written page. */
  private readonly index: number[] = [];
  private offset = PREFIX_BYTES;
  private rangeCount = 0;
  private lastStart = -1;
  private started = false;

  constructor(sink: ChunkSink, pageBytes: number) {
    this.sink = sink;
    this.pageBytes = pageBytes;
  }

  get ranges(): number {
    return this.rangeCount;
  }

  /** Adds the range starting at `start` (above every earlier start); NONE = a gap. */
  add(tables: LookupTables, start: number, loc: number): void {
    if (start <= this.lastStart) throw new Error("lookup ranges must be added in ascending order");
    if (tables !== this.tables) {
      this.endPage();
      this.tables = tables;
      this.encoded = [];
    }
    if (this.page.starts.length > 0 && this.page.size + this.additionCost(tables, loc) > this.pageBytes) {
      this.endPage();
    }
    this.addRange(tables, start, loc);
    this.lastStart = start;
    this.rangeCount++;
  }

  /** Closes the page being filled (the next range starts a new one). */
  endPage(): void {
    const tables = this.tables;
    if (!tables || this.page.starts.length === 0) return;
    const bytes = this.encodePage(tables);
    this.index.push(this.page.starts[0] ?? 0, this.offset, bytes.byteLength);
    this.offset += bytes.byteLength;
    this.pending.push(bytes);
    this.page = new PageBuilder();
  }

  /** Hands finished pages to the sink. */
  async drain(): Promise<void> {
    if (!this.started) {
      this.started = true;
      const prefix = new Uint8Array(PREFIX_BYTES);
      const view = new DataView(prefix.buffer);
      view.setUint32(0, LOOKUP_MAGIC, true);
      view.setUint32(4, LOOKUP_VERSION, true);
      await this.sink(prefix);
    }
    const pages = this.pending;
    this.pending = [];
    for (const bytes of pages) await this.sink(bytes);
  }

  /** Writes the last page, the metadata, the page index and the trailer; returns the total size. */
  async finish(meta: LookupMeta): Promise<number> {
    this.endPage();
    await this.drain();
    const metaBytes = encoder.encode(JSON.stringify(meta));
    const pageCount = this.index.length / 3;
    const tail = new Uint8Array(align4(metaBytes.byteLength) + this.index.length * 4 + TRAILER_BYTES);
    const view = new DataView(tail.buffer);
    tail.set(metaBytes, 0);
    let at = align4(metaBytes.byteLength);
    for (const value of this.index) {
      view.setUint32(at, value, true);
      at += 4;
    }
    const words = [
      LOOKUP_MAGIC,
      LOOKUP_VERSION,
      this.offset,
      metaBytes.byteLength,
      pageCount,
      this.rangeCount,
      0,
      0,
    ];
    for (const word of words) {
      view.setUint32(at, word, true);
      at += 4;
    }
    await this.sink(tail);
    return this.offset + tail.byteLength;
  }

  private bytesOf(id: number): Uint8Array {
    let bytes = this.encoded[id];
    if (!bytes) {
      bytes = encoder.encode(this.tables?.strings[id] ?? "");
      this.encoded[id] = bytes;
    }
    return bytes;
  }

  private addString(id: number): void {
    const page = this.page;
    if (id === NONE || page.strOffsets.has(id)) return;
    const bytes = this.bytesOf(id);
    page.strOffsets.set(id, page.stringBytes);
    page.strBytes.push(bytes);
    page.stringBytes += 4 + bytes.byteLength;
  }

  /** Bytes that adding a range with this location would add to the page. */
  private additionCost(tables: LookupTables, loc: number): number {
    const page = this.page;
    let cost = 8;
    const counted: number[] = [];
    const stringCost = (id: number) => {
      if (id === NONE || page.strOffsets.has(id) || counted.includes(id)) return 0;
      counted.push(id);
      return 4 + this.bytesOf(id).byteLength;
    };
    for (let id = loc; id !== NONE && !page.locLocal.has(id); id = tables.locParent.get(id)) {
      cost += 16 + stringCost(tables.locFile.get(id));
      const fn = tables.locFunction.get(id);
      if (fn !== NONE && !page.fnLocal.has(fn)) {
        cost += 12 + stringCost(tables.fnName.get(fn)) + stringCost(tables.fnRaw.get(fn));
      }
    }
    return cost;
  }

  /** Adds a range and everything its location refers to (inline chain, functions, strings). */
  private addRange(tables: LookupTables, start: number, loc: number): void {
    const page = this.page;
    page.starts.push(start);
    page.locs.push(loc);
    for (let id = loc; id !== NONE && !page.locLocal.has(id); id = tables.locParent.get(id)) {
      page.locLocal.set(id, page.locOrder.length);
      page.locOrder.push(id);
      this.addString(tables.locFile.get(id));
      const fn = tables.locFunction.get(id);
      if (fn !== NONE && !page.fnLocal.has(fn)) {
        page.fnLocal.set(fn, page.fnOrder.length);
        page.fnOrder.push(fn);
        this.addString(tables.fnName.get(fn));
        this.addString(tables.fnRaw.get(fn));
      }
    }
  }

  private encodePage(tables: LookupTables): Uint8Array {
    const page = this.page;
    const bytes = new Uint8Array(align4(page.size));
    const view = new DataView(bytes.buffer);
    let at = 0;
    const put = (value: number) => {
      view.setUint32(at, value, true);
      at += 4;
    };
    const str = (id: number) => (id === NONE ? NONE : (page.strOffsets.get(id) ?? NONE));
    put(page.starts.length);
    put(page.locOrder.length);
    put(page.fnOrder.length);
    put(page.stringBytes);
    for (const start of page.starts) put(start);
    for (const loc of page.locs) put(loc === NONE ? NONE : (page.locLocal.get(loc) ?? NONE));
    for (const loc of page.locOrder) {
      const fn = tables.locFunction.get(loc);
      const parent = tables.locParent.get(loc);
      put(fn === NONE ? NONE : (page.fnLocal.get(fn) ?? NONE));
      put(str(tables.locFile.get(loc)));
      put(tables.locLine.get(loc));
      put(parent === NONE ? NONE : (page.locLocal.get(parent) ?? NONE));
    }
    for (const fn of page.fnOrder) {
      put(str(tables.fnName.get(fn)));
      put(str(tables.fnRaw.get(fn)));
      put(tables.fnEntry.get(fn));
    }
    for (const s of page.strBytes) {
      put(s.byteLength);
      bytes.set(s, at);
      at += s.byteLength;
    }
    return bytes;
  }
}

/** Concatenates chunks (a lookup written to memory). */
export function concatChunks(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** Where the metadata and page index are, from the version 2 trailer or the version 1 header. */
export interface LookupLayout {
  version: number;
  /** Offset and length of the bytes holding the metadata and the page index. */
  indexOffset: number;
  indexLength: number;
  metaBytes: number;
  pageCount: number;
  rangeCount: number;
  /** Pages lie inside [pagesStart, pagesEnd). */
  pagesStart: number;
  pagesEnd: number;
}

/** Reads a version 2 trailer (the last TRAILER_BYTES of a file of `size` bytes); undefined when absent. */
export function readLookupTrailer(trailer: Uint8Array, size: number): LookupLayout | undefined {
  if (trailer.byteLength < TRAILER_BYTES) return undefined;
  const view = new DataView(trailer.buffer, trailer.byteOffset, trailer.byteLength);
  if (view.getUint32(0, true) !== LOOKUP_MAGIC) return undefined;
  const version = view.getUint32(4, true);
  if (version !== LOOKUP_VERSION) throw malformedFile(`unsupported symbol lookup version ${version}`);
  const metaOffset = view.getUint32(8, true);
  const metaBytes = view.getUint32(12, true);
  const pageCount = view.getUint32(16, true);
  const rangeCount = view.getUint32(20, true);
  const indexLength = align4(metaBytes) + pageCount * 12;
  if (metaOffset < PREFIX_BYTES || metaOffset + indexLength + TRAILER_BYTES !== size) {
    throw malformedFile("symbol lookup trailer sizes are inconsistent");
  }
  return {
    version,
    indexOffset: metaOffset,
    indexLength,
    metaBytes,
    pageCount,
    rangeCount,
    pagesStart: PREFIX_BYTES,
    pagesEnd: metaOffset,
  };
}

/** Reads a version 1 fixed header (the first FIXED_HEADER_BYTES of the file). */
export function readLookupHeader(fixed: Uint8Array, size: number): LookupLayout {
  if (fixed.byteLength < FIXED_HEADER_BYTES) throw malformedFile("symbol lookup header is truncated");
  const view = new DataView(fixed.buffer, fixed.byteOffset, fixed.byteLength);
  if (view.getUint32(0, true) !== LOOKUP_MAGIC) throw malformedFile("not a symbol lookup (bad magic)");
  const version = view.getUint32(4, true);
  if (version === LOOKUP_VERSION) throw malformedFile("symbol lookup trailer is missing");
  if (version !== 1) throw malformedFile(`unsupported symbol lookup version ${version}`);
  const headerBytes = view.getUint32(8, true);
  const metaBytes = view.getUint32(12, true);
  const pageCount = view.getUint32(16, true);
  if (headerBytes !== FIXED_HEADER_BYTES + align4(metaBytes) + pageCount * 12) {
    throw malformedFile("symbol lookup header sizes are inconsistent");
  }
  if (headerBytes > size) throw malformedFile("symbol lookup header is truncated");
  return {
    version,
    indexOffset: FIXED_HEADER_BYTES,
    indexLength: headerBytes - FIXED_HEADER_BYTES,
    metaBytes,
    pageCount,
    rangeCount: view.getUint32(20, true),
    pagesStart: headerBytes,
    pagesEnd: size,
  };
}

/** Parses the metadata and page index from the `layout.indexLength` bytes at `layout.indexOffset`. */
export function readLookupIndex(
  bytes: Uint8Array,
  layout: LookupLayout,
): { meta: LookupMeta; pages: PageIndexEntry[] } {
  if (bytes.byteLength < layout.indexLength) throw malformedFile("symbol lookup index is truncated");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let meta: LookupMeta;
  try {
    meta = JSON.parse(decoder.decode(bytes.subarray(0, layout.metaBytes)));
  } catch {
    throw malformedFile("symbol lookup metadata is not JSON");
  }
  const pages: PageIndexEntry[] = [];
  let at = align4(layout.metaBytes);
  for (let i = 0; i < layout.pageCount; i++, at += 12) {
    const page = {
      firstAddress: view.getUint32(at, true),
      offset: view.getUint32(at + 4, true),
      length: view.getUint32(at + 8, true),
    };
    if (page.offset < layout.pagesStart || page.offset + page.length > layout.pagesEnd) {
      throw malformedFile("symbol lookup page lies outside the file");
    }
    pages.push(page);
  }
  return { meta, pages };
}
