// Walks the compilation units of .debug_info one at a time and extracts, per unit, the functions
// (subprograms and inlined subroutines, nested to any depth, with their address ranges and call
// sites) and the line table. Names are resolved through DW_AT_abstract_origin/specification chains,
// across units when needed (LTO), like binutils: a linkage name anywhere in the chain wins.
import { ByteReader } from "../byte-reader.ts";
import { malformedFile } from "../errors.ts";
import { type AbbrevTable, parseAbbrevTable } from "./abbrev.ts";
import { NeedBlocks } from "./blocked-section.ts";
import * as C from "./constants.ts";
import { DieAttrs, highPcIsOffset, readDie } from "./die.ts";
import { FunctionRecords } from "./function-records.ts";
import { type LineRowVisitor, type LineTable, parseLineProgram, runLineProgram } from "./line-program.ts";
import { readRangeList } from "./ranges.ts";
import {
  attrAddress,
  attrString,
  type DwarfSections,
  readUnitHeader,
  type SectionSlice,
  type UnitContext,
  type UnitHeader,
} from "./unit.ts";

export type { FunctionRecord } from "./function-records.ts";
export { FunctionRecords, NeedBlocks };

export interface UnitDebugInfo {
  unit: UnitContext;
  lineTable?: LineTable;
  /**
   * Without a kept line table (`readUnit(header, false)`): runs the unit's line program row by row
   * and returns its file names. Absent when the unit has no line program.
   */
  runLines?: (onRow: LineRowVisitor) => (string | undefined)[];
  functions: FunctionRecords;
}

export interface FunctionName {
  /** DW_AT_name (plain, unqualified). */
  name?: string;
  /** DW_AT_linkage_name / DW_AT_MIPS_linkage_name (mangled). */
  linkageName?: string;
}

const MAX_REFERENCE_DEPTH = 16;
/** Loads one operation may wait for: each level of a name chain may need a unit and two strings. */
const MAX_LOADS_PER_OPERATION = 4 * MAX_REFERENCE_DEPTH + 16;
/**
 * Entries kept in each of the reader's caches (abbreviation tables, unit contexts, function names)
 * before it is emptied: big files have thousands of units and millions of functions, and a build
 * visits them in order, so small caches keep nearly all of their benefit in bounded memory.
 */
const MAX_CACHED = 4096;
const MAX_CACHED_NAMES = 32_768;

/** Bytes of units other than the current one a lazy reader keeps (names followed across units). */
const LAZY_INFO_CACHE_BYTES = 4 * 1024 * 1024;
/** Line programs a lazy reader keeps (each is only needed while its own unit is read). */
const LAZY_LINE_CACHE = 2;

/**
 * Thrown by a reader over lazy sections when an operation needs bytes that are not loaded: await
 * `reader.load(error.header, error.line)` and run the operation again.
 */
export class NeedUnit extends Error {
  readonly header: UnitHeader;
  /** Whether the unit's line program is wanted too. */
  readonly line: boolean;

  constructor(header: UnitHeader, line: boolean) {
    super(`unit at 0x${header.offset.toString(16)} is not loaded`);
    this.header = header;
    this.line = line;
  }
}

/**
 * Runs `operation`, loading what a lazy reader misses (units, blocks of blocked sections) and
 * running it again, until it completes.
 */
export async function withLoadedUnits<T>(reader: DwarfReader, operation: () => T): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return operation();
    } catch (error) {
      if (attempt > MAX_LOADS_PER_OPERATION) throw error;
      if (error instanceof NeedUnit) await reader.load(error.header, error.line);
      else if (error instanceof NeedBlocks) await error.section.load(error.blocks);
      else throw error;
    }
  }
}

/** Drives a unit read whose blocked sections are all in memory (throws what it would wait for). */
function runSteps<T>(steps: Generator<NeedBlocks, T, void>): T {
  const step = steps.next();
  if (!step.done) throw step.value;
  return step.value;
}

export class DwarfReader {
  readonly sections: DwarfSections;
  readonly headers: UnitHeader[] = [];
  private readonly abbrevCache = new Map<number, AbbrevTable>();
  private readonly contexts = new Map<number, UnitContext>();
  private readonly names = new Map<number, FunctionName>();
  /** Lazy sections: loaded unit bytes by unit offset (least recently used first), line programs. */
  private readonly infoCache = new Map<number, Uint8Array>();
  private infoCacheBytes = 0;
  private pinned = -1;
  /** The unit loaded before the last one: kept too, so a name chain through two big units ends. */
  private previous = -1;
  private readonly lineCache = new Map<number, SectionSlice>();

  /** A reader over sections in memory; lazy sections need `DwarfReader.open`. */
  constructor(sections: DwarfSections, headers?: UnitHeader[]) {
    this.sections = sections;
    if (headers) {
      this.headers = headers;
      return;
    }
    let offset = 0;
    while (offset + 11 <= sections.info.byteLength) {
      const header = readUnitHeader(sections.info, offset, sections.littleEndian);
      this.headers.push(header);
      offset = header.end;
    }
  }

  /** A reader over any sections: for lazy ones, reads the unit headers (a few bytes per unit). */
  static async open(sections: DwarfSections): Promise<DwarfReader> {
    const lazy = sections.lazy;
    if (!lazy) return new DwarfReader(sections);
    const headers: UnitHeader[] = [];
    let offset = 0;
    while (offset + 11 <= lazy.infoSize) {
      const bytes = await lazy.readInfo(offset, Math.min(32, lazy.infoSize - offset));
      const header = readUnitHeader(bytes, offset, sections.littleEndian, offset, lazy.infoSize);
      headers.push(header);
      offset = header.end;
    }
    return new DwarfReader(sections, headers);
  }

  /**
   * Loads a unit's bytes (and its line program) from lazy sections. `pin` makes it the current
   * unit, kept until another is pinned; other units are kept while they fit a small cache.
   */
  async load(header: UnitHeader, line = false, pin = false): Promise<void> {
    const lazy = this.sections.lazy;
    if (!lazy) return;
    if (pin) this.pinned = header.offset;
    if (!this.infoCache.has(header.offset)) {
      const bytes = await lazy.readInfo(header.offset, header.end - header.offset);
      this.infoCache.set(header.offset, bytes);
      this.infoCacheBytes += bytes.byteLength;
      for (const [offset, cached] of this.infoCache) {
        if (this.infoCacheBytes <= LAZY_INFO_CACHE_BYTES) break;
        if (offset === header.offset || offset === this.pinned || offset === this.previous) continue;
        this.infoCache.delete(offset);
        this.infoCacheBytes -= cached.byteLength;
      }
      this.previous = header.offset;
    }
    if (!line || this.lineCache.has(header.offset)) return;
    const stmtList = (await withLoadedUnits(this, () => this.context(header))).stmtList;
    let slice: SectionSlice = { bytes: new Uint8Array(0), base: 0 };
    if (stmtList >= 0 && stmtList < lazy.lineSize) {
      const head = await lazy.readLine(stmtList, Math.min(12, lazy.lineSize - stmtList));
      const r = new ByteReader(head, this.sections.littleEndian, stmtList, stmtList);
      r.need(4, "line program header");
      let length = r.u32();
      if (length === 0xffffffff) {
        r.need(8, "line program header");
        length = r.u64();
      }
      // A length past the section is refused by the parser, which sees the section's end.
      const total = Math.min(r.pos - stmtList + length, lazy.lineSize - stmtList);
      slice = { bytes: await lazy.readLine(stmtList, total), base: stmtList };
    }
    if (this.lineCache.size >= LAZY_LINE_CACHE) {
      const oldest = this.lineCache.keys().next();
      if (!oldest.done) this.lineCache.delete(oldest.value);
    }
    this.lineCache.set(header.offset, slice);
  }

  /** The bytes of a unit: the whole section in memory, or the unit loaded from lazy sections. */
  private info(header: UnitHeader): SectionSlice {
    if (!this.sections.lazy) return { bytes: this.sections.info, base: 0 };
    const bytes = this.infoCache.get(header.offset);
    if (!bytes) throw new NeedUnit(header, false);
    return { bytes, base: header.offset };
  }

  /** The unit's line program (its bytes from `base` on). */
  private line(header: UnitHeader): SectionSlice {
    if (!this.sections.lazy) return { bytes: this.sections.line, base: 0 };
    const slice = this.lineCache.get(header.offset);
    if (!slice) throw new NeedUnit(header, true);
    return slice;
  }

  /** Units that can carry code: compile and partial units (type and split units are skipped). */
  codeUnits(): UnitHeader[] {
    return this.headers.filter((h) => h.unitType === C.DW_UT_compile || h.unitType === C.DW_UT_partial);
  }

  private abbrevs(offset: number): AbbrevTable {
    let table = this.abbrevCache.get(offset);
    if (!table) {
      table = parseAbbrevTable(this.sections.abbrev, offset, this.sections.littleEndian);
      if (this.abbrevCache.size >= MAX_CACHED) this.abbrevCache.clear();
      this.abbrevCache.set(offset, table);
    }
    return table;
  }

  /** The unit with its root DIE's bases, names and statement list. */
  context(header: UnitHeader): UnitContext {
    const cached = this.contexts.get(header.offset);
    if (cached) return cached;
    const info = this.info(header);
    const abbrevs = this.abbrevs(header.abbrevOffset);
    const root = new DieAttrs();
    const r = new ByteReader(info.bytes, this.sections.littleEndian, header.firstDie, info.base);
    const hasRoot = header.firstDie < header.end && readDie(r, abbrevs, header, root, true);
    const unit: UnitContext = {
      ...header,
      abbrevs,
      strOffsetsBase: Math.max(root.strOffsetsBase, 0),
      addrBase: Math.max(root.addrBase, 0),
      rnglistsBase: Math.max(root.rnglistsBase, 0),
      baseAddress: 0,
      compDir: "",
      name: "",
      stmtList: hasRoot ? root.stmtList : -1,
    };
    if (hasRoot) {
      if (root.lowPc >= 0)
        unit.baseAddress = Math.max(attrAddress(this.sections, unit, root.lowPcForm, root.lowPc), 0);
      if (root.compDir >= 0)
        unit.compDir = attrString(this.sections, unit, root.compDirForm, root.compDir, info) ?? "";
      if (root.name >= 0) unit.name = attrString(this.sections, unit, root.nameForm, root.name, info) ?? "";
    }
    if (this.contexts.size >= MAX_CACHED) this.contexts.clear();
    this.contexts.set(header.offset, unit);
    return unit;
  }

  private unitAt(offset: number): UnitHeader | undefined {
    let lo = 0;
    let hi = this.headers.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const header = this.headers[mid];
      if (!header) break;
      if (offset < header.offset) hi = mid - 1;
      else if (offset >= header.end) lo = mid + 1;
      else return header;
    }
    return undefined;
  }

  /** Name and linkage name of the function DIE at `offset`, following origin/specification chains. */
  functionName(offset: number, depth = 0): FunctionName {
    const cached = this.names.get(offset);
    if (cached) return cached;
    const result: FunctionName = {};
    const header = this.unitAt(offset);
    if (!header || depth > MAX_REFERENCE_DEPTH) return result;
    const unit = this.context(header);
    const info = this.info(header);
    const attrs = new DieAttrs();
    const r = new ByteReader(info.bytes, this.sections.littleEndian, offset, info.base);
    if (!readDie(r, unit.abbrevs, unit, attrs, true)) return result;
    if (attrs.linkage >= 0)
      result.linkageName = attrString(this.sections, unit, attrs.linkageForm, attrs.linkage, info);
    if (attrs.name >= 0) result.name = attrString(this.sections, unit, attrs.nameForm, attrs.name, info);
    for (const ref of [attrs.abstractOrigin, attrs.specification]) {
      if (result.linkageName !== undefined || ref < 0 || ref === offset) continue;
      const target = this.functionName(ref, depth + 1);
      result.linkageName ??= target.linkageName;
      result.name ??= target.name;
    }
    if (this.names.size >= MAX_CACHED_NAMES) this.names.clear();
    this.names.set(offset, result);
    return result;
  }

  /**
   * Functions and line table of one unit. Only this unit's DIEs are walked. With `keepRows` false
   * the line rows are not stored; `runLines` produces them on demand. Blocked sections must have
   * what the unit needs loaded (else NeedBlocks is thrown); `readUnitLoading` loads it.
   */
  readUnit(header: UnitHeader, keepRows = true): UnitDebugInfo {
    return runSteps(this.unitSteps(header, keepRows));
  }

  /**
   * `readUnit` that loads blocks of blocked sections as the walk needs them, so a miss costs a
   * load rather than a new walk. The unit's own bytes must be loaded (withLoadedUnits).
   */
  async readUnitLoading(header: UnitHeader, keepRows = true): Promise<UnitDebugInfo> {
    const steps = this.unitSteps(header, keepRows);
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done) return step.value;
      await step.value.section.load(step.value.blocks);
    }
  }

  private *unitSteps(header: UnitHeader, keepRows: boolean): Generator<NeedBlocks, UnitDebugInfo, void> {
    const unit = this.context(header);
    const bytes = this.info(header);
    const info: UnitDebugInfo = { unit, functions: new FunctionRecords() };
    const lineSize = this.sections.lazy?.lineSize ?? this.sections.line.byteLength;
    if (unit.stmtList >= 0 && lineSize > 0) {
      const slice = this.line(header);
      const run = (onRow: LineRowVisitor | undefined, files?: (string | undefined)[]) =>
        runLineProgram(
          this.sections,
          unit.stmtList,
          unit.addressSize,
          unit.compDir,
          unit.name,
          slice,
          onRow,
          files,
        );
      if (keepRows) {
        info.lineTable = parseLineProgram(
          this.sections,
          unit.stmtList,
          unit.addressSize,
          unit.compDir,
          unit.name,
          slice,
        );
      } else {
        // File names first (they may be in a blocked string section), so running rows reads none.
        let files: (string | undefined)[] = [];
        for (;;) {
          try {
            files = run(undefined);
            break;
          } catch (error) {
            if (!(error instanceof NeedBlocks)) throw error;
            yield error;
          }
        }
        info.runLines = (onRow) => run(onRow, files);
      }
    }
    const functions = info.functions;
    const attrs = new DieAttrs();
    const r = new ByteReader(bytes.bytes, this.sections.littleEndian, header.firstDie, bytes.base);
    const openRecords: number[] = [];
    const openDepths: number[] = [];
    let depth = 0;
    while (r.pos < header.end) {
      const dieOffset = r.pos;
      const code = r.uleb();
      if (code === 0) {
        depth -= 1;
        if (depth < 0) break; // padding after the root's children
        continue;
      }
      r.pos = dieOffset;
      const abbrev = unit.abbrevs.get(code);
      if (!abbrev)
        throw malformedFile(`DIE at 0x${dieOffset.toString(16)} uses unknown abbreviation ${code}`);
      const isFunction = abbrev.tag === C.DW_TAG_subprogram || abbrev.tag === C.DW_TAG_inlined_subroutine;
      readDie(r, unit.abbrevs, unit, attrs, isFunction);
      while (openDepths.length > 0 && (openDepths[openDepths.length - 1] ?? 0) >= depth) {
        openDepths.pop();
        openRecords.pop();
      }
      if (isFunction && !attrs.declaration) {
        let ranges: number[] = [];
        for (;;) {
          try {
            ranges = this.ranges(unit, attrs);
            break;
          } catch (error) {
            if (!(error instanceof NeedBlocks)) throw error;
            yield error;
          }
        }
        if (ranges.length > 0) {
          const inlined = abbrev.tag === C.DW_TAG_inlined_subroutine;
          const parent = inlined && openRecords.length > 0 ? (openRecords[openRecords.length - 1] ?? -1) : -1;
          const parentDepth = parent >= 0 ? functions.depth(parent) : -1;
          let entry = attrs.lowPc >= 0 ? attrAddress(this.sections, unit, attrs.lowPcForm, attrs.lowPc) : -1;
          if (entry < 0) entry = minStart(ranges);
          const index = functions.push(
            dieOffset,
            parentDepth + 1,
            parent,
            entry,
            inlined ? attrs.callFile : -1,
            inlined ? attrs.callLine : 0,
            ranges,
          );
          if (abbrev.hasChildren) {
            openRecords.push(index);
            openDepths.push(depth);
          }
        }
      }
      if (abbrev.hasChildren) depth += 1;
    }
    functions.compact();
    return info;
  }

  private ranges(unit: UnitContext, attrs: DieAttrs): number[] {
    const out: number[] = [];
    if (attrs.ranges >= 0) {
      readRangeList(this.sections, unit, attrs.rangesForm, attrs.ranges, out);
    } else if (attrs.lowPc >= 0 && attrs.highPc >= 0) {
      const low = attrAddress(this.sections, unit, attrs.lowPcForm, attrs.lowPc);
      const high = highPcIsOffset(attrs.highPcForm)
        ? low + attrs.highPc
        : attrAddress(this.sections, unit, attrs.highPcForm, attrs.highPc);
      if (low >= 0 && high > low) out.push(low, high);
    }
    return out;
  }
}

function minStart(ranges: number[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < ranges.length; i += 2) min = Math.min(min, ranges[i] ?? min);
  return min;
}
