// .debug_line: the line-number program of one unit (versions 2-5), run into rows of
// (address, file, line). DWARF 5 file and directory tables are described by entry formats.
import { ByteReader, cstringAt } from "../byte-reader.ts";
import { malformedFile } from "../errors.ts";
import { F64Column } from "../lookup-tables.ts";
import * as C from "./constants.ts";
import { attrString, type DwarfSections, readForm, type SectionSlice, type UnitHeader } from "./unit.ts";

/** Marks the row that ends a sequence (its address is the first byte after the sequence). */
export const END_OF_SEQUENCE = 0xffffffff;
/** Rows of one unit's program (real units have far fewer); bounds memory on corrupt input. */
const MAX_ROWS = 1 << 22;

export interface LineTable {
  /** Full path of each file index, as used by the program and by DW_AT_call_file. */
  files: (string | undefined)[];
  /** Rows in program order; a row whose line is END_OF_SEQUENCE closes its sequence. */
  addresses: Float64Array;
  fileIndexes: Float64Array;
  lines: Float64Array;
}

/** Joins a directory and a file name the way debuggers do: absolute names win. */
export function joinPath(dir: string | undefined, name: string): string {
  if (!dir || isAbsolute(name)) return name;
  return dir.endsWith("/") || dir.endsWith("\\") ? dir + name : `${dir}/${name}`;
}

function isAbsolute(path: string): boolean {
  return path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:[\\/]/.test(path);
}

/** Receives the rows of a line program in program order; `line` is END_OF_SEQUENCE for a sequence's end. */
export type LineRowVisitor = (address: number, file: number, line: number) => void;

/** Parses the program at `offset`; `slice` may hold only part of .debug_line (from `line.base` on). */
export function parseLineProgram(
  sections: DwarfSections,
  offset: number,
  unitAddressSize: number,
  compDir: string,
  compName: string,
  slice: SectionSlice = { bytes: sections.line, base: 0 },
): LineTable {
  const addresses = new F64Column(1024);
  const fileIndexes = new F64Column(1024);
  const lines = new F64Column(1024);
  const files = runLineProgram(
    sections,
    offset,
    unitAddressSize,
    compDir,
    compName,
    slice,
    (address, file, line) => {
      if (addresses.length >= MAX_ROWS) throw malformedFile("line program has too many rows");
      addresses.push(address);
      fileIndexes.push(file);
      lines.push(line);
    },
  );
  return {
    files,
    addresses: addresses.data.subarray(0, addresses.length),
    fileIndexes: fileIndexes.data.subarray(0, fileIndexes.length),
    lines: lines.data.subarray(0, lines.length),
  };
}

/**
 * Runs the program at `offset`, handing each row to `onRow` without keeping it; returns the full
 * path of each file index. Without `onRow` only the file table is read. `knownFiles` (from such a
 * read) skips the file table, so a program whose names are in a blocked string section runs
 * without reading strings.
 */
export function runLineProgram(
  sections: DwarfSections,
  offset: number,
  unitAddressSize: number,
  compDir: string,
  compName: string,
  slice: SectionSlice,
  onRow: LineRowVisitor | undefined,
  knownFiles?: readonly (string | undefined)[],
): (string | undefined)[] {
  const data = slice.bytes;
  if (offset < slice.base || offset >= slice.base + data.byteLength)
    throw malformedFile(`line program offset ${offset} is out of range`);
  const r = new ByteReader(data, sections.littleEndian, offset, slice.base);
  r.need(4, "line program header");
  let length = r.u32();
  let offsetSize = 4;
  if (length === 0xffffffff) {
    length = r.u64();
    offsetSize = 8;
  }
  const end = r.pos + length;
  if (end > slice.base + data.byteLength) throw malformedFile("line program extends past .debug_line");
  const version = r.u16();
  if (version < 2 || version > 5) throw malformedFile(`unsupported line program version ${version}`);
  let addressSize = unitAddressSize;
  if (version >= 5) {
    addressSize = r.u8();
    r.skip(1); // segment_selector_size
  }
  const headerLength = r.uint(offsetSize);
  const programStart = r.pos + headerLength;
  const minInstLength = r.u8();
  if (version >= 4) r.skip(1); // maximum_operations_per_instruction (VLIW only)
  const defaultIsStmt = r.u8() !== 0;
  const lineBase = (r.u8() << 24) >> 24;
  const lineRange = r.u8();
  const opcodeBase = r.u8();
  if (lineRange === 0) throw malformedFile("line program has line_range 0");
  const opcodeLengths: number[] = [];
  for (let i = 1; i < opcodeBase; i++) opcodeLengths.push(r.u8());

  const header: UnitHeader = {
    offset,
    end,
    firstDie: 0,
    version,
    unitType: 0,
    addressSize,
    offsetSize,
    abbrevOffset: 0,
  };
  const files = knownFiles
    ? [...knownFiles]
    : version >= 5
      ? readTablesV5(r, sections, header)
      : readTablesV4(r, compDir, compName);
  void defaultIsStmt;
  if (!onRow) return files;

  r.pos = programStart;
  let address = 0;
  let file = 1;
  let line = 1;
  const emit = (endOfSequence: boolean) => onRow(address, file, endOfSequence ? END_OF_SEQUENCE : line);
  while (r.pos < end) {
    const opcode = r.u8();
    if (opcode >= opcodeBase) {
      const adjusted = opcode - opcodeBase;
      address += Math.floor(adjusted / lineRange) * minInstLength;
      line += lineBase + (adjusted % lineRange);
      emit(false);
    } else if (opcode === 0) {
      const length = r.uleb();
      const next = r.pos + length;
      if (length === 0 || next > end) break;
      const sub = r.u8();
      if (sub === C.DW_LNE_end_sequence) {
        emit(true);
        address = 0;
        file = 1;
        line = 1;
      } else if (sub === C.DW_LNE_set_address) {
        address = r.uint(length - 1);
      } else if (sub === C.DW_LNE_define_file) {
        const name = r.cstring();
        const dir = r.uleb();
        files.push(dir === 0 ? joinPath(compDir, name) : joinPath(files[0] ?? compDir, name));
      }
      r.pos = next;
    } else if (opcode === C.DW_LNS_copy) {
      emit(false);
    } else if (opcode === C.DW_LNS_advance_pc) {
      address += r.uleb() * minInstLength;
    } else if (opcode === C.DW_LNS_advance_line) {
      line += r.sleb();
    } else if (opcode === C.DW_LNS_set_file) {
      file = r.uleb();
    } else if (opcode === C.DW_LNS_const_add_pc) {
      address += Math.floor((255 - opcodeBase) / lineRange) * minInstLength;
    } else if (opcode === C.DW_LNS_fixed_advance_pc) {
      address += r.u16();
    } else {
      // set_column, negate_stmt, set_basic_block, prologue/epilogue, set_isa and unknown opcodes:
      // skip their LEB128 operands.
      const operands = opcodeLengths[opcode - 1] ?? 0;
      for (let i = 0; i < operands; i++) r.uleb();
    }
  }
  return files;
}

function readTablesV4(r: ByteReader, compDir: string, compName: string): (string | undefined)[] {
  const dirs: string[] = [compDir];
  for (;;) {
    const dir = r.cstring();
    if (dir === "") break;
    dirs.push(joinPath(compDir, dir));
  }
  // File 0 does not exist before DWARF 5; keep the unit's own name there for DW_AT_call_file 0.
  const files: (string | undefined)[] = [joinPath(compDir, compName)];
  for (;;) {
    const name = r.cstring();
    if (name === "") break;
    const dirIndex = r.uleb();
    r.uleb(); // mtime
    r.uleb(); // length
    files.push(joinPath(dirs[dirIndex] ?? compDir, name));
  }
  return files;
}

function readEntryFormats(r: ByteReader): number[] {
  const count = r.u8();
  const formats: number[] = [];
  for (let i = 0; i < count; i++) formats.push(r.uleb(), r.uleb());
  return formats;
}

function readTablesV5(r: ByteReader, sections: DwarfSections, header: UnitHeader): (string | undefined)[] {
  const unit = { ...header, strOffsetsBase: 0 };
  const readEntries = (): { path?: string; dir: number }[] => {
    const formats = readEntryFormats(r);
    const count = r.uleb();
    const entries: { path?: string; dir: number }[] = [];
    for (let i = 0; i < count; i++) {
      const entry: { path?: string; dir: number } = { dir: 0 };
      for (let f = 0; f < formats.length; f += 2) {
        const contentType = formats[f] ?? 0;
        const form = formats[f + 1] ?? 0;
        const value = readForm(r, form, header, 0);
        if (contentType === C.DW_LNCT_path) {
          entry.path =
            form === C.DW_FORM_string
              ? cstringAt(r.bytes, value - r.base)
              : attrString(sections, unit, form, value);
        } else if (contentType === C.DW_LNCT_directory_index) {
          entry.dir = value;
        }
      }
      entries.push(entry);
    }
    return entries;
  };
  const dirEntries = readEntries();
  const compDir = dirEntries[0]?.path ?? "";
  const dirs = dirEntries.map((d, i) => (i === 0 ? compDir : joinPath(compDir, d.path ?? "")));
  return readEntries().map((f) =>
    f.path === undefined ? undefined : joinPath(dirs[f.dir] ?? compDir, f.path),
  );
}
