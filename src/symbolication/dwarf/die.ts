// Reading one DIE: its abbreviation, then only the attributes symbolication needs, kept as raw
// (form, value) pairs so strings and addresses can be resolved once the unit's bases are known.
import type { ByteReader } from "../byte-reader.ts";
import { malformedFile } from "../errors.ts";
import type { AbbrevTable } from "./abbrev.ts";
import * as C from "./constants.ts";
import { readForm, type UnitHeader } from "./unit.ts";

/** Attribute values of one DIE; reused across DIEs to avoid allocating per DIE. */
export class DieAttrs {
  tag = 0;
  hasChildren = false;
  lowPcForm = 0;
  lowPc = -1;
  highPcForm = 0;
  highPc = -1;
  rangesForm = 0;
  ranges = -1;
  nameForm = 0;
  name = -1;
  linkageForm = 0;
  linkage = -1;
  specification = -1;
  abstractOrigin = -1;
  callFile = -1;
  callLine = 0;
  declaration = false;
  stmtList = -1;
  compDirForm = 0;
  compDir = -1;
  strOffsetsBase = -1;
  addrBase = -1;
  rnglistsBase = -1;

  reset(): void {
    this.lowPc = -1;
    this.highPc = -1;
    this.ranges = -1;
    this.name = -1;
    this.linkage = -1;
    this.specification = -1;
    this.abstractOrigin = -1;
    this.callFile = -1;
    this.callLine = 0;
    this.declaration = false;
    this.stmtList = -1;
    this.compDir = -1;
    this.strOffsetsBase = -1;
    this.addrBase = -1;
    this.rnglistsBase = -1;
  }
}

/**
 * Reads the DIE at the reader's position into `out`. Returns false for a null entry (end of a
 * sibling list). With `wanted` false the attributes are only skipped.
 */
export function readDie(
  r: ByteReader,
  abbrevs: AbbrevTable,
  unit: UnitHeader,
  out: DieAttrs,
  wanted: boolean,
): boolean {
  const code = r.uleb();
  if (code === 0) return false;
  const abbrev = abbrevs.get(code);
  if (!abbrev) throw malformedFile(`DIE at 0x${r.pos.toString(16)} uses unknown abbreviation ${code}`);
  out.tag = abbrev.tag;
  out.hasChildren = abbrev.hasChildren;
  const { names, forms, consts } = abbrev;
  if (wanted) out.reset();
  for (let i = 0; i < names.length; i++) {
    let form = forms[i] ?? 0;
    if (form === C.DW_FORM_indirect) form = r.uleb();
    const value = readForm(r, form, unit, consts[i] ?? 0);
    if (!wanted) continue;
    switch (names[i]) {
      case C.DW_AT_low_pc:
        out.lowPcForm = form;
        out.lowPc = value;
        break;
      case C.DW_AT_high_pc:
        out.highPcForm = form;
        out.highPc = value;
        break;
      case C.DW_AT_ranges:
        out.rangesForm = form;
        out.ranges = value;
        break;
      case C.DW_AT_name:
        out.nameForm = form;
        out.name = value;
        break;
      case C.DW_AT_linkage_name:
      case C.DW_AT_MIPS_linkage_name:
        out.linkageForm = form;
        out.linkage = value;
        break;
      case C.DW_AT_specification:
        out.specification = value;
        break;
      case C.DW_AT_abstract_origin:
        out.abstractOrigin = value;
        break;
      case C.DW_AT_call_file:
        out.callFile = value;
        break;
      case C.DW_AT_call_line:
        out.callLine = value;
        break;
      case C.DW_AT_declaration:
        out.declaration = value !== 0;
        break;
      case C.DW_AT_stmt_list:
        out.stmtList = value;
        break;
      case C.DW_AT_comp_dir:
        out.compDirForm = form;
        out.compDir = value;
        break;
      case C.DW_AT_str_offsets_base:
        out.strOffsetsBase = value;
        break;
      case C.DW_AT_addr_base:
      case C.DW_AT_GNU_addr_base:
        out.addrBase = value;
        break;
      case C.DW_AT_rnglists_base:
        out.rnglistsBase = value;
        break;
    }
  }
  return true;
}

/** True when a high_pc value is an offset from low_pc (any constant form) rather than an address. */
export function highPcIsOffset(form: number): boolean {
  return (
    form !== C.DW_FORM_addr &&
    !(form >= C.DW_FORM_addrx1 && form <= C.DW_FORM_addrx4) &&
    form !== C.DW_FORM_addrx &&
    form !== C.DW_FORM_GNU_addr_index
  );
}
