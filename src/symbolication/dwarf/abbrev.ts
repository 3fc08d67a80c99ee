// .debug_abbrev: the attribute layout of each DIE kind, parsed once per table offset.
import { ByteReader } from "../byte-reader.ts";
import { malformedFile } from "../errors.ts";
import { DW_FORM_implicit_const } from "./constants.ts";

export interface Abbrev {
  tag: number;
  hasChildren: boolean;
  /** Attribute names and forms, in DIE order. */
  names: Uint32Array;
  forms: Uint32Array;
  /** DW_FORM_implicit_const values (0 for other forms). */
  consts: Float64Array;
}

/** Abbreviations by code; codes are usually dense from 1, so an array is the common case. */
export class AbbrevTable {
  private readonly dense: (Abbrev | undefined)[] = [];
  private readonly sparse = new Map<number, Abbrev>();

  get(code: number): Abbrev | undefined {
    return code < 4096 ? this.dense[code] : this.sparse.get(code);
  }

  set(code: number, abbrev: Abbrev): void {
    if (code < 4096) this.dense[code] = abbrev;
    else this.sparse.set(code, abbrev);
  }
}

export function parseAbbrevTable(section: Uint8Array, offset: number, littleEndian: boolean): AbbrevTable {
  if (offset >= section.byteLength)
    throw malformedFile(`abbreviation table offset ${offset} is out of range`);
  const r = new ByteReader(section, littleEndian, offset);
  const table = new AbbrevTable();
  const names: number[] = [];
  const forms: number[] = [];
  const consts: number[] = [];
  for (;;) {
    const code = r.uleb();
    if (code === 0) break;
    const tag = r.uleb();
    r.need(1, "abbreviation");
    const hasChildren = r.u8() !== 0;
    names.length = 0;
    forms.length = 0;
    consts.length = 0;
    for (;;) {
      const name = r.uleb();
      const form = r.uleb();
      if (name === 0 && form === 0) break;
      names.push(name);
      forms.push(form);
      consts.push(form === DW_FORM_implicit_const ? r.sleb() : 0);
    }
    table.set(code, {
      tag,
      hasChildren,
      names: Uint32Array.from(names),
      forms: Uint32Array.from(forms),
      consts: Float64Array.from(consts),
    });
    if (r.remaining <= 0) break;
  }
  return table;
}
