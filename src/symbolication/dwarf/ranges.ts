// Address ranges of a DIE: DW_AT_low_pc/high_pc, or DW_AT_ranges into .debug_ranges (DWARF 2-4)
// or .debug_rnglists (DWARF 5, including rnglistx indices and addrx-based entries).
import { ByteReader } from "../byte-reader.ts";
import * as C from "./constants.ts";
import { attrAddress, type DwarfSections, type UnitContext } from "./unit.ts";

const MAX_RANGES_PER_LIST = 1 << 16;

/** Bytes first asked for a list in a blocked section; more while the list runs past them. */
const FIRST_LIST_BYTES = 1024;

/** Appends [start, end) pairs of the range list to `out`. Malformed lists end early instead of throwing. */
export function readRangeList(
  sections: DwarfSections,
  unit: UnitContext,
  form: number,
  value: number,
  out: number[],
): void {
  if (unit.version >= 5) {
    let offset = value;
    if (form === C.DW_FORM_rnglistx) {
      const at = unit.rnglistsBase + value * unit.offsetSize;
      const table = listBytes(sections, "rnglists", at, unit.offsetSize);
      if (table.bytes.byteLength < unit.offsetSize) return;
      offset =
        unit.rnglistsBase + new ByteReader(table.bytes, sections.littleEndian, at, at).uint(unit.offsetSize);
    }
    readList(sections, "rnglists", offset, out, (r) => readRnglist(sections, unit, r, out));
  } else {
    readList(sections, "ranges", value, out, (r) => readDebugRanges(unit, r, out));
  }
}

/** Bytes of a range-list section from `offset` on, at most `length` of them (fewer at its end). */
function listBytes(
  sections: DwarfSections,
  key: "ranges" | "rnglists",
  offset: number,
  length: number,
): { bytes: Uint8Array; atEnd: boolean } {
  const blocked = sections.blocked?.[key];
  if (!blocked) {
    const data = sections[key];
    if (offset < 0 || offset >= data.byteLength) return { bytes: new Uint8Array(0), atEnd: true };
    return { bytes: data.subarray(offset), atEnd: true };
  }
  const bytes = blocked.bytes(offset, length);
  return { bytes, atEnd: offset + bytes.byteLength >= blocked.size };
}

/**
 * Runs `parse` (true when the list ended before the bytes did) over the list at `offset`; from a
 * blocked section it is given a first piece, then a bigger one while the list runs past it.
 */
function readList(
  sections: DwarfSections,
  key: "ranges" | "rnglists",
  offset: number,
  out: number[],
  parse: (r: ByteReader) => boolean,
): void {
  const mark = out.length;
  for (let length = FIRST_LIST_BYTES; ; length *= 4) {
    const { bytes, atEnd } = listBytes(sections, key, offset, length);
    if (bytes.byteLength === 0) return;
    const r = new ByteReader(bytes, sections.littleEndian, offset, offset);
    try {
      if (parse(r) || atEnd) return;
    } catch (error) {
      if (atEnd) throw error;
    }
    out.length = mark;
  }
}

/** Returns true when the list ended (terminator, entry limit), false when the bytes ran out. */
function readDebugRanges(unit: UnitContext, r: ByteReader, out: number[]): boolean {
  const size = unit.addressSize;
  const maxAddress = size === 8 ? 0xffffffff * 4294967296 + 0xffffffff : 2 ** (size * 8) - 1;
  let base = unit.baseAddress;
  for (let i = 0; i < MAX_RANGES_PER_LIST; i++) {
    if (r.remaining < 2 * size) return false;
    const start = r.uint(size);
    const end = r.uint(size);
    if (start === 0 && end === 0) return true;
    if (start === maxAddress) {
      base = end;
      continue;
    }
    if (end > start) out.push(base + start, base + end);
  }
  return true;
}

function readRnglist(sections: DwarfSections, unit: UnitContext, r: ByteReader, out: number[]): boolean {
  const size = unit.addressSize;
  const addrx = (index: number) => attrAddress(sections, unit, C.DW_FORM_addrx, index);
  let base = unit.baseAddress;
  for (let i = 0; i < MAX_RANGES_PER_LIST; i++) {
    if (r.remaining <= 0) return false;
    const kind = r.u8();
    let start = -1;
    let end = -1;
    switch (kind) {
      case C.DW_RLE_end_of_list:
        return true;
      case C.DW_RLE_base_addressx:
        base = addrx(r.uleb());
        continue;
      case C.DW_RLE_startx_endx:
        start = addrx(r.uleb());
        end = addrx(r.uleb());
        break;
      case C.DW_RLE_startx_length:
        start = addrx(r.uleb());
        end = start + r.uleb();
        break;
      case C.DW_RLE_offset_pair:
        start = base + r.uleb();
        end = base + r.uleb();
        break;
      case C.DW_RLE_base_address:
        base = r.uint(size);
        continue;
      case C.DW_RLE_start_end:
        start = r.uint(size);
        end = r.uint(size);
        break;
      case C.DW_RLE_start_length:
        start = r.uint(size);
        end = start + r.uleb();
        break;
      default:
        return true; // unknown entry kind: the rest of the list cannot be decoded
    }
    if (start >= 0 && end > start) out.push(start, end);
  }
  return true;
}
