// Function symbols of an object in columns: addresses and sizes in typed arrays, names as offsets
// into the object's string table (kept as bytes, decoded on use). A big executable has hundreds of
// thousands of symbols; as JS objects with JS strings they would take tens of MB.
import { cstringAt } from "./byte-reader.ts";

export interface SymbolEntry {
  /** Absolute (unrelocated) address; size 0 when unknown. */
  address: number;
  size: number;
  name: string;
}

export class SymbolTable implements Iterable<SymbolEntry> {
  private addresses = new Float64Array(64);
  private sizes = new Float64Array(64);
  private nameOffsets = new Uint32Array(64);
  private readonly names: Uint8Array;
  length = 0;

  /** `names` is the string table the name offsets point into. */
  constructor(names: Uint8Array = new Uint8Array(0)) {
    this.names = names;
  }

  push(address: number, size: number, nameOffset: number): void {
    if (this.length === this.addresses.length) {
      const grow = <T extends Float64Array | Uint32Array>(from: T, to: T): T => {
        to.set(from);
        return to;
      };
      this.addresses = grow(this.addresses, new Float64Array(this.length * 2));
      this.sizes = grow(this.sizes, new Float64Array(this.length * 2));
      this.nameOffsets = grow(this.nameOffsets, new Uint32Array(this.length * 2));
    }
    this.addresses[this.length] = address;
    this.sizes[this.length] = size;
    this.nameOffsets[this.length] = nameOffset;
    this.length++;
  }

  /** Bytes this table holds (its string table and columns). */
  get heldBytes(): number {
    return this.names.byteLength + this.addresses.length * 20;
  }

  address(index: number): number {
    return this.addresses[index] ?? 0;
  }

  size(index: number): number {
    return this.sizes[index] ?? 0;
  }

  name(index: number): string {
    return cstringAt(this.names, this.nameOffsets[index] ?? this.names.byteLength) ?? "";
  }

  /** Whether the name starts with `byte` (checked without decoding the name). */
  nameByte(index: number, at: number): number {
    return this.names[(this.nameOffsets[index] ?? 0) + at] ?? 0;
  }

  *[Symbol.iterator](): Iterator<SymbolEntry> {
    for (let i = 0; i < this.length; i++)
      yield { address: this.address(i), size: this.size(i), name: this.name(i) };
  }
}
