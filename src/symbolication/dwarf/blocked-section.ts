// A DWARF section left in the file and read through a small cache of fixed-size blocks instead of
// whole: .debug_str and .debug_line_str (strings at offsets, NUL-terminated) and the range-list
// sections. Parsers are synchronous, so a read that misses the cache throws NeedBlocks; the caller
// loads the blocks (`load`, batched and in parallel) and runs the operation again. Memory stays
// within `maxBlocks` blocks whatever the size of the section.
import { decodeUtf8 } from "../byte-reader.ts";
import { malformedFile } from "../errors.ts";

/**
 * Strings longer than this (or than half the cache) are cut; real names are far shorter. Bounds
 * the blocks one string spans.
 */
const MAX_STRING_BYTES = 1024 * 1024;

export interface BlockedSectionOptions {
  /** Bytes per block (default 64 KiB). */
  blockBytes?: number;
  /** Bytes of blocks kept (default 4 MiB); at least 8 blocks are kept. */
  cacheBytes?: number;
}

/** Thrown when a read needs blocks that are not loaded: `await error.section.load(error.blocks)`. */
export class NeedBlocks extends Error {
  readonly section: BlockedSection;
  readonly blocks: number[];

  constructor(section: BlockedSection, blocks: number[]) {
    super(`${section.name} blocks ${blocks.join(", ")} are not loaded`);
    this.section = section;
    this.blocks = blocks;
  }
}

export class BlockedSection {
  readonly name: string;
  readonly size: number;
  readonly blockBytes: number;
  readonly maxBlocks: number;
  /** Loaded blocks, least recently loaded first. */
  private readonly blocks = new Map<number, Uint8Array>();
  private readonly read: (offset: number, length: number) => Promise<Uint8Array>;
  /** Blocks read so far, and read requests made (adjacent blocks are read together). */
  blocksRead = 0;
  reads = 0;

  constructor(
    name: string,
    size: number,
    read: (offset: number, length: number) => Promise<Uint8Array>,
    options: BlockedSectionOptions = {},
  ) {
    this.name = name;
    this.size = size;
    this.read = read;
    this.blockBytes = options.blockBytes ?? 64 * 1024;
    this.maxBlocks = Math.max(8, Math.floor((options.cacheBytes ?? 4 * 1024 * 1024) / this.blockBytes));
  }

  /** Most bytes the cache holds. */
  get cacheBytes(): number {
    return this.maxBlocks * this.blockBytes;
  }

  private block(index: number): Uint8Array {
    const bytes = this.blocks.get(index);
    if (!bytes) throw new NeedBlocks(this, [index]);
    return bytes;
  }

  /**
   * The NUL-terminated string at `offset` (to the section's end when unterminated), undefined when
   * the offset is outside the section.
   */
  cstring(offset: number): string | undefined {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= this.size) return undefined;
    let index = Math.floor(offset / this.blockBytes);
    const first = this.block(index);
    const start = offset - index * this.blockBytes;
    const end = first.indexOf(0, start);
    if (end >= 0) return decodeUtf8(first, start, end);
    // The string continues into the next blocks: ask for all of them at once.
    const parts = [first.subarray(start)];
    let length = parts[0]?.byteLength ?? 0;
    const missing: number[] = [];
    const maxString = Math.min(MAX_STRING_BYTES, (this.maxBlocks / 2) * this.blockBytes);
    for (index++; index * this.blockBytes < this.size && length < maxString; index++) {
      const bytes = this.blocks.get(index);
      if (!bytes) {
        missing.push(index);
        length += this.blockBytes;
        continue;
      }
      const stop = bytes.indexOf(0);
      parts.push(stop >= 0 ? bytes.subarray(0, stop) : bytes);
      length += stop >= 0 ? stop : bytes.byteLength;
      if (stop >= 0) break;
    }
    if (missing.length > 0) throw new NeedBlocks(this, missing);
    const joined = new Uint8Array(Math.min(length, maxString));
    let at = 0;
    for (const part of parts) {
      const take = Math.min(part.byteLength, joined.byteLength - at);
      joined.set(part.subarray(0, take), at);
      at += take;
    }
    return decodeUtf8(joined, 0, at);
  }

  /**
   * Bytes [offset, offset + length) of the section, clipped to its end: a view of one block, or a
   * copy when the range spans blocks.
   */
  bytes(offset: number, length: number): Uint8Array {
    if (offset < 0 || offset >= this.size || length <= 0) return new Uint8Array(0);
    const end = Math.min(this.size, offset + length);
    const firstIndex = Math.floor(offset / this.blockBytes);
    const lastIndex = Math.floor((end - 1) / this.blockBytes);
    if (firstIndex === lastIndex) {
      const base = firstIndex * this.blockBytes;
      return this.block(firstIndex).subarray(offset - base, end - base);
    }
    const missing: number[] = [];
    for (let index = firstIndex; index <= lastIndex; index++)
      if (!this.blocks.has(index)) missing.push(index);
    if (missing.length > 0) throw new NeedBlocks(this, missing);
    const out = new Uint8Array(end - offset);
    for (let index = firstIndex; index <= lastIndex; index++) {
      const base = index * this.blockBytes;
      const bytes = this.block(index);
      const from = Math.max(offset, base);
      const to = Math.min(end, base + bytes.byteLength);
      out.set(bytes.subarray(from - base, to - base), from - offset);
    }
    return out;
  }

  /**
   * Loads blocks (runs of adjacent ones in one read, the runs in parallel). Older blocks are dropped
   * to stay within the cache, never the ones just asked for; ask for at most `maxBlocks` at a time.
   */
  async load(indices: readonly number[]): Promise<void> {
    const wanted = [...new Set(indices)]
      .filter((i) => i >= 0 && i * this.blockBytes < this.size && !this.blocks.has(i))
      .sort((a, b) => a - b);
    if (wanted.length === 0) return;
    if (wanted.length > this.maxBlocks) throw malformedFile(`${this.name}: too many blocks asked at once`);
    const runs: [number, number][] = [];
    for (const index of wanted) {
      const last = runs[runs.length - 1];
      if (last && last[1] === index) last[1] = index + 1;
      else runs.push([index, index + 1]);
    }
    const loaded = await Promise.all(
      runs.map(async ([from, to]) => {
        const start = from * this.blockBytes;
        const bytes = await this.read(start, Math.min(to * this.blockBytes, this.size) - start);
        return [from, to, bytes] as const;
      }),
    );
    const keep = new Set(wanted);
    for (const [index] of this.blocks) {
      if (this.blocks.size + wanted.length <= this.maxBlocks) break;
      if (!keep.has(index)) this.blocks.delete(index);
    }
    for (const [from, to, bytes] of loaded) {
      this.reads++;
      for (let index = from; index < to; index++) {
        const start = (index - from) * this.blockBytes;
        // A copy per block, so dropping one frees it (a view would keep the whole read alive).
        const block =
          to - from === 1 ? bytes : bytes.slice(start, Math.min(start + this.blockBytes, bytes.byteLength));
        this.blocks.set(index, block);
        this.blocksRead++;
      }
    }
  }
}
