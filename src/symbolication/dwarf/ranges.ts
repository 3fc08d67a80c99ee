// Address ranges of a DIE: DW_AT_low_pc/high_pc, or DW_AT_ranges into .debug_ranges (DWARF 2-4)
// or .debug_rnglists (DWARF 5, including rnglistx indices and addrx-based entries).
import { ByteReader } from "../byte-reader.ts";
import * as C from "./constants.ts";
import { attrAddress, type DwarfSections, type UnitContext } from "./unit.ts";

const MAX_RANGES_PER_LIST = 1 << 16;

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
      if (at + unit.offsetSize > sections.rnglists.byteLength) return;
      offset =
        unit.rnglistsBase +
        new ByteReader(sections.rnglists, sections.littleEndian, at).uint(unit.offsetSize);
    }
    readRnglist(sections, unit, offset, out);
  } else {
    readDebugRanges(sections, unit, value, out);
  }
}

function readDebugRanges(sections: DwarfSections, unit: UnitContext, offset: number, out: number[]): void {
  const data = sections.ranges;
  const size = unit.addressSize;
  const maxAddress = size === 8 ? 0xffffffff * 4294967296 + 0xffffffff : 2 ** (size * 8) - 1;
  const r = new ByteReader(data, sections.littleEndian, offset);
  let base = unit.baseAddress;
  for (let i = 0; i < MAX_RANGES_PER_LIST && r.remaining >= 2 * size; i++) {
    const start = r.uint(size);
    const end = r.uint(size);
    if (start === 0 && end === 0) return;
    if (start === maxAddress) {
      base = end;
      continue;
    }
    if (end > start) out.push(base + start, base + end);
  }
}

function readRnglist(sections: DwarfSections, unit: UnitContext, offset: number, out: number[]): void {
  const data = sections.rnglists;
  if (offset < 0 || offset >= data.byteLength) return;
  const r = new ByteReader(data, sections.littleEndian, offset);
  const size = unit.addressSize;
  const addrx = (index: number) => attrAddress(sections, unit, C.DW_FORM_addrx, index);
  let base = unit.baseAddress;
  for (let i = 0; i < MAX_RANGES_PER_LIST && r.remaining > 0; i++) {
    const kind = r.u8();
    let start = -1;
    let end = -1;
    switch (kind) {
      case C.DW_RLE_end_of_list:
        return;
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
        return; // unknown entry kind: the rest of the list cannot be decoded
    }
    if (start >= 0 && end > start) out.push(start, end);
  }
}
