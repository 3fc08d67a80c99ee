// The serialized symbol lookup: a small header (metadata + page index) followed by pages, each
// self-contained (its own ranges, locations, functions and strings), so resolving one address reads
// the header once and then exactly one page — one R2 ranged GET per page.
//
// All integers are u32 little-endian; NONE (0xffffffff) marks absent values.
//   header:  magic "FLSC" | version | headerBytes | metaBytes | pageCount | rangeCount | reserved ×2
//            meta JSON (UTF-8, padded to 4) | pageCount × (firstAddress, offset, length)
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
export const LOOKUP_VERSION = 1;
export const FIXED_HEADER_BYTES = 32;
const PAGE_HEADER_BYTES = 16;

export interface LookupMeta {
  debugId: string;
  codeId?: string;
  arch: string;
  format: "elf" | "macho";
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

export interface LookupHeader {
  headerBytes: number;
  metaBytes: number;
  pageCount: number;
  rangeCount: number;
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

function addString(page: PageBuilder, encoded: Uint8Array[], id: number): void {
  if (id === NONE || page.strOffsets.has(id)) return;
  const bytes = encoded[id] ?? new Uint8Array(0);
  page.strOffsets.set(id, page.stringBytes);
  page.strBytes.push(bytes);
  page.stringBytes += 4 + bytes.byteLength;
}

/** Bytes that adding a range with this location would add to the page. */
function additionCost(page: PageBuilder, tables: LookupTables, encoded: Uint8Array[], loc: number): number {
  let cost = 8;
  const strings = new Set<number>();
  const stringCost = (id: number) => {
    if (id === NONE || page.strOffsets.has(id) || strings.has(id)) return 0;
    strings.add(id);
    return 4 + (encoded[id]?.byteLength ?? 0);
  };
  for (let id = loc; id !== NONE && !page.locLocal.has(id); id = tables.locParent[id] ?? NONE) {
    cost += 16 + stringCost(tables.locFile[id] ?? NONE);
    const fn = tables.locFunction[id] ?? NONE;
    if (fn !== NONE && !page.fnLocal.has(fn)) {
      cost += 12 + stringCost(tables.fnName[fn] ?? NONE) + stringCost(tables.fnRaw[fn] ?? NONE);
    }
  }
  return cost;
}

/** Adds a range and everything its location refers to (inline chain, functions, strings). */
function addRange(
  page: PageBuilder,
  tables: LookupTables,
  encoded: Uint8Array[],
  start: number,
  loc: number,
): void {
  page.starts.push(start);
  page.locs.push(loc);
  for (let id = loc; id !== NONE && !page.locLocal.has(id); id = tables.locParent[id] ?? NONE) {
    page.locLocal.set(id, page.locOrder.length);
    page.locOrder.push(id);
    addString(page, encoded, tables.locFile[id] ?? NONE);
    const fn = tables.locFunction[id] ?? NONE;
    if (fn !== NONE && !page.fnLocal.has(fn)) {
      page.fnLocal.set(fn, page.fnOrder.length);
      page.fnOrder.push(fn);
      addString(page, encoded, tables.fnName[fn] ?? NONE);
      addString(page, encoded, tables.fnRaw[fn] ?? NONE);
    }
  }
}

function encodePage(page: PageBuilder, tables: LookupTables): Uint8Array {
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
    const fn = tables.locFunction[loc] ?? NONE;
    const parent = tables.locParent[loc] ?? NONE;
    put(fn === NONE ? NONE : (page.fnLocal.get(fn) ?? NONE));
    put(str(tables.locFile[loc] ?? NONE));
    put(tables.locLine[loc] ?? 0);
    put(parent === NONE ? NONE : (page.locLocal.get(parent) ?? NONE));
  }
  for (const fn of page.fnOrder) {
    put(str(tables.fnName[fn] ?? NONE));
    put(str(tables.fnRaw[fn] ?? NONE));
    put(tables.fnEntry[fn] ?? NONE);
  }
  for (const s of page.strBytes) {
    put(s.byteLength);
    bytes.set(s, at);
    at += s.byteLength;
  }
  return bytes;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** Serializes sorted, contiguous ranges (starts ascending; NONE = gap) into the paged format. */
export function writeLookup(
  meta: LookupMeta,
  tables: LookupTables,
  starts: ArrayLike<number>,
  locs: ArrayLike<number>,
  pageBytes: number,
): Uint8Array {
  const encoded = tables.strings.map((text) => encoder.encode(text));
  const pages: { first: number; bytes: Uint8Array }[] = [];
  let page = new PageBuilder();
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i] ?? 0;
    const loc = locs[i] ?? NONE;
    if (page.starts.length > 0 && page.size + additionCost(page, tables, encoded, loc) > pageBytes) {
      pages.push({ first: page.starts[0] ?? 0, bytes: encodePage(page, tables) });
      page = new PageBuilder();
    }
    addRange(page, tables, encoded, start, loc);
  }
  if (page.starts.length > 0) pages.push({ first: page.starts[0] ?? 0, bytes: encodePage(page, tables) });

  const metaBytes = encoder.encode(JSON.stringify(meta));
  const headerBytes = FIXED_HEADER_BYTES + align4(metaBytes.byteLength) + pages.length * 12;
  const total = headerBytes + pages.reduce((sum, p) => sum + p.bytes.byteLength, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const words = [
    LOOKUP_MAGIC,
    LOOKUP_VERSION,
    headerBytes,
    metaBytes.byteLength,
    pages.length,
    starts.length,
    0,
    0,
  ];
  for (let i = 0; i < words.length; i++) view.setUint32(i * 4, words[i] ?? 0, true);
  out.set(metaBytes, FIXED_HEADER_BYTES);
  let indexAt = FIXED_HEADER_BYTES + align4(metaBytes.byteLength);
  let pageAt = headerBytes;
  for (const p of pages) {
    view.setUint32(indexAt, p.first, true);
    view.setUint32(indexAt + 4, pageAt, true);
    view.setUint32(indexAt + 8, p.bytes.byteLength, true);
    indexAt += 12;
    out.set(p.bytes, pageAt);
    pageAt += p.bytes.byteLength;
  }
  return out;
}

export function readLookupHeader(fixed: Uint8Array): LookupHeader {
  if (fixed.byteLength < FIXED_HEADER_BYTES) throw malformedFile("symbol lookup header is truncated");
  const view = new DataView(fixed.buffer, fixed.byteOffset, fixed.byteLength);
  if (view.getUint32(0, true) !== LOOKUP_MAGIC) throw malformedFile("not a symbol lookup (bad magic)");
  const version = view.getUint32(4, true);
  if (version !== LOOKUP_VERSION) throw malformedFile(`unsupported symbol lookup version ${version}`);
  const header: LookupHeader = {
    headerBytes: view.getUint32(8, true),
    metaBytes: view.getUint32(12, true),
    pageCount: view.getUint32(16, true),
    rangeCount: view.getUint32(20, true),
  };
  if (header.headerBytes !== FIXED_HEADER_BYTES + align4(header.metaBytes) + header.pageCount * 12) {
    throw malformedFile("symbol lookup header sizes are inconsistent");
  }
  return header;
}

/** Parses the metadata and page index from the first `header.headerBytes` bytes. */
export function readLookupIndex(
  bytes: Uint8Array,
  header: LookupHeader,
): { meta: LookupMeta; pages: PageIndexEntry[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let meta: LookupMeta;
  try {
    meta = JSON.parse(
      decoder.decode(bytes.subarray(FIXED_HEADER_BYTES, FIXED_HEADER_BYTES + header.metaBytes)),
    );
  } catch {
    throw malformedFile("symbol lookup metadata is not JSON");
  }
  const pages: PageIndexEntry[] = [];
  let at = FIXED_HEADER_BYTES + align4(header.metaBytes);
  for (let i = 0; i < header.pageCount; i++, at += 12) {
    pages.push({
      firstAddress: view.getUint32(at, true),
      offset: view.getUint32(at + 4, true),
      length: view.getUint32(at + 8, true),
    });
  }
  return { meta, pages };
}
