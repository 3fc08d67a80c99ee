// DWARF call frame information (.eh_frame and .debug_frame) turned into the walker's CFI table: CIEs
// and FDEs with their pointer encodings and augmentations, and each FDE's CFA program run into rows
// (every common instruction: advance/set_loc, def_cfa*, offset*, val_offset*, register, same_value,
// undefined, restore*, remember/restore_state, GNU_args_size, GNU_negative_offset_extended).
// Expressions (def_cfa_expression, expression, val_expression) are kept as bytes and evaluated by the
// walker (dwarf-expression.ts).
import { ByteReader } from "../byte-reader.ts";
import { malformedFile } from "../errors.ts";
import { type CfiRange, type CfiRow, RULE } from "./cfi-table.ts";

export interface CfiSection {
  bytes: Uint8Array;
  /** The section's virtual address (for pc-relative pointers). */
  address: number;
  kind: "eh_frame" | "debug_frame";
}

interface Cie {
  codeAlign: number;
  dataAlign: number;
  ra: number;
  pointerEncoding: number;
  hasAugmentationData: boolean;
  initial: Uint8Array;
  addressSize: number;
}

interface State {
  cfaRegister: number;
  cfaOffset: number;
  rules: Map<number, [number, number]>;
}

const DW_EH_PE_omit = 0xff;

function readEncoded(r: ByteReader, encoding: number, section: CfiSection, addressSize: number): number {
  if (encoding === DW_EH_PE_omit) return 0;
  const fieldAddress = section.address + r.pos;
  let value: number;
  switch (encoding & 0x0f) {
    case 0x00:
      value = r.uint(addressSize);
      break;
    case 0x01:
      value = r.uleb();
      break;
    case 0x02:
      value = r.u16();
      break;
    case 0x03:
      value = r.u32();
      break;
    case 0x04:
      value = r.u64();
      break;
    case 0x09:
      value = r.sleb();
      break;
    case 0x0a:
      value = (r.u16() << 16) >> 16;
      break;
    case 0x0b:
      value = r.u32() | 0;
      break;
    case 0x0c: {
      const raw = r.u64();
      value = raw >= 2 ** 63 ? raw - 2 ** 64 : raw;
      break;
    }
    default:
      throw malformedFile(`unsupported pointer encoding 0x${encoding.toString(16)}`);
  }
  if ((encoding & 0x70) === 0x10) value += fieldAddress;
  return value;
}

function readCie(r: ByteReader, end: number, section: CfiSection): Cie {
  const version = r.u8();
  const augmentation = r.cstring();
  let addressSize = 8;
  if (section.kind === "debug_frame" && version >= 4) {
    addressSize = r.u8();
    r.u8(); // segment selector size
  }
  const cie: Cie = {
    codeAlign: r.uleb(),
    dataAlign: r.sleb(),
    ra: version === 1 ? r.u8() : r.uleb(),
    pointerEncoding: 0,
    hasAugmentationData: augmentation.startsWith("z"),
    initial: new Uint8Array(0),
    addressSize,
  };
  if (cie.hasAugmentationData) {
    const length = r.uleb();
    const dataEnd = r.pos + length;
    for (const ch of augmentation.slice(1)) {
      if (ch === "R") cie.pointerEncoding = r.u8();
      else if (ch === "L") r.u8();
      else if (ch === "P") readEncoded(r, r.u8() & 0x7f, section, addressSize);
      else if (ch !== "S" && ch !== "B" && ch !== "G") break;
    }
    r.pos = dataEnd;
  }
  cie.initial = r.bytes.subarray(r.pos - r.base, end - r.base);
  return cie;
}

function snapshot(address: number, state: State): CfiRow {
  const row: CfiRow = [address, state.cfaRegister, state.cfaOffset];
  for (const [reg, [rule, value]] of state.rules) row.push(reg, rule, value);
  return row;
}

/** Runs a CFA program from `state`, appending a row each time the location advances. */
function runProgram(
  program: Uint8Array,
  cie: Cie,
  section: CfiSection,
  state: State,
  start: number,
  rows: CfiRow[] | undefined,
  initial: Map<number, [number, number]>,
  expressions: number[][],
): number {
  const r = new ByteReader(program, true);
  const stack: State[] = [];
  let loc = start;
  const advance = (to: number) => {
    if (rows) {
      const last = rows[rows.length - 1];
      if (last && last[0] === loc) rows[rows.length - 1] = snapshot(loc, state);
      else rows.push(snapshot(loc, state));
    }
    loc = to;
  };
  const set = (reg: number, rule: number, value: number) => state.rules.set(reg, [rule, value]);
  while (r.remaining > 0) {
    const op = r.u8();
    const high = op & 0xc0;
    const low = op & 0x3f;
    if (high === 0x40) advance(loc + low * cie.codeAlign);
    else if (high === 0x80) set(low, RULE.offset, r.uleb() * cie.dataAlign);
    else if (high === 0xc0) restore(state, initial, low);
    else {
      switch (op) {
        case 0x00:
          break;
        case 0x01:
          advance(readEncoded(r, cie.pointerEncoding, section, cie.addressSize));
          break;
        case 0x02:
          advance(loc + r.u8() * cie.codeAlign);
          break;
        case 0x03:
          advance(loc + r.u16() * cie.codeAlign);
          break;
        case 0x04:
          advance(loc + r.u32() * cie.codeAlign);
          break;
        case 0x05:
          set(r.uleb(), RULE.offset, r.uleb() * cie.dataAlign);
          break;
        case 0x06:
          restore(state, initial, r.uleb());
          break;
        case 0x07:
          set(r.uleb(), RULE.undefined, 0);
          break;
        case 0x08:
          set(r.uleb(), RULE.sameValue, 0);
          break;
        case 0x09:
          set(r.uleb(), RULE.register, r.uleb());
          break;
        case 0x0a:
          stack.push({ ...state, rules: new Map(state.rules) });
          break;
        case 0x0b: {
          const saved = stack.pop();
          // The CFA is not part of the remembered state's restore in practice (GCC keeps it per row).
          if (saved) state.rules = saved.rules;
          if (saved) {
            state.cfaRegister = saved.cfaRegister;
            state.cfaOffset = saved.cfaOffset;
          }
          break;
        }
        case 0x0c:
          state.cfaRegister = r.uleb();
          state.cfaOffset = r.uleb();
          break;
        case 0x0d:
          state.cfaRegister = r.uleb();
          break;
        case 0x0e:
          state.cfaOffset = r.uleb();
          break;
        case 0x0f:
          state.cfaRegister = -2;
          state.cfaOffset = expressions.push(block(r)) - 1;
          break;
        case 0x10:
        case 0x16: {
          const reg = r.uleb();
          set(reg, op === 0x10 ? RULE.expression : RULE.valExpression, expressions.push(block(r)) - 1);
          break;
        }
        case 0x11:
          set(r.uleb(), RULE.offset, r.sleb() * cie.dataAlign);
          break;
        case 0x12:
          state.cfaRegister = r.uleb();
          state.cfaOffset = r.sleb() * cie.dataAlign;
          break;
        case 0x13:
          state.cfaOffset = r.sleb() * cie.dataAlign;
          break;
        case 0x14:
          set(r.uleb(), RULE.valOffset, r.uleb() * cie.dataAlign);
          break;
        case 0x15:
          set(r.uleb(), RULE.valOffset, r.sleb() * cie.dataAlign);
          break;
        case 0x2e:
          r.uleb();
          break;
        case 0x2f:
          set(r.uleb(), RULE.offset, -r.uleb() * cie.dataAlign);
          break;
        default:
          throw malformedFile(`unknown CFA instruction 0x${op.toString(16)}`);
      }
    }
  }
  return loc;
}

/** A ULEB128-sized block (a DWARF expression) as plain bytes. */
function block(r: ByteReader): number[] {
  const length = r.uleb();
  r.need(length, "a CFI expression");
  const start = r.pos - r.base;
  r.pos += length;
  return [...r.bytes.subarray(start, start + length)];
}

function restore(state: State, initial: Map<number, [number, number]>, reg: number): void {
  const rule = initial.get(reg);
  if (rule) state.rules.set(reg, rule);
  else state.rules.delete(reg);
}

/**
 * Every FDE of the section as a CFI range (addresses as in the object: the caller makes them
 * relative to the load address). An FDE that does not parse is skipped, not fatal.
 */
export function readDwarfCfi(section: CfiSection): { ranges: CfiRange[]; ra: number } {
  const r = new ByteReader(section.bytes, true);
  const cies = new Map<number, Cie>();
  const ranges: CfiRange[] = [];
  let ra = 16;
  const eh = section.kind === "eh_frame";
  while (r.remaining >= 4) {
    const entryStart = r.pos;
    let length = r.u32();
    if (length === 0) {
      if (eh) break;
      continue;
    }
    let offsetSize = 4;
    if (length === 0xffffffff) {
      length = r.u64();
      offsetSize = 8;
    }
    const idPos = r.pos;
    const end = idPos + length;
    if (end > r.length) break;
    const id = r.uint(offsetSize);
    const isCie = eh ? id === 0 : id === (offsetSize === 4 ? 0xffffffff : 2 ** 64 - 1);
    try {
      if (isCie) {
        const cie = readCie(r, end, section);
        cies.set(entryStart, cie);
        ra = cie.ra;
      } else {
        const ciePos = eh ? idPos - id : id;
        let cie = cies.get(ciePos);
        if (!cie) {
          const saved = r.pos;
          r.pos = ciePos;
          const cieLength = r.u32();
          r.skip(4);
          cie = readCie(r, ciePos + 4 + cieLength, section);
          cies.set(ciePos, cie);
          r.pos = saved;
        }
        const start = readEncoded(r, cie.pointerEncoding, section, cie.addressSize);
        const size = readEncoded(r, cie.pointerEncoding & 0x0f, section, cie.addressSize);
        if (cie.hasAugmentationData) r.skip(r.uleb());
        const program = r.bytes.subarray(r.pos - r.base, end - r.base);
        const state: State = { cfaRegister: -1, cfaOffset: 0, rules: new Map() };
        const expressions: number[][] = [];
        runProgram(cie.initial, cie, section, state, start, undefined, new Map(), expressions);
        const initial = new Map(state.rules);
        const rows: CfiRow[] = [];
        const last = runProgram(program, cie, section, state, start, rows, initial, expressions);
        rows.push(snapshot(last, state));
        const finalRows = collapse(rows.filter((row) => (row[0] as number) < start + size));
        if (size > 0 && start > 0)
          ranges.push(
            expressions.length > 0
              ? [start, start + size, finalRows, expressions]
              : [start, start + size, finalRows],
          );
      }
    } catch {
      // skip the entry
    }
    r.pos = end;
  }
  return { ranges, ra };
}

/** Keeps the last row per address (instructions at one location replace its earlier snapshot). */
function collapse(rows: CfiRow[]): CfiRow[] {
  const out: CfiRow[] = [];
  for (const row of rows) {
    const last = out[out.length - 1];
    if (last && last[0] === row[0]) out[out.length - 1] = row;
    else out.push(row);
  }
  return out;
}
