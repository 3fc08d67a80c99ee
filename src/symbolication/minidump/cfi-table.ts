// The unwind table the stack walker reads: per function range (one DWARF FDE or one Breakpad
// `STACK CFI INIT`), rows of "from this address on, the CFA is register+offset and each saved
// register is found so". Built once per debug file when it is uploaded (from .eh_frame/.debug_frame or
// a Breakpad .sym file), stored in R2 as JSON next to the file, and read whole per module a dump
// references. Addresses are relative to the object's load address.

/** How a caller's register is recovered. */
export const RULE = {
  undefined: 0,
  sameValue: 1,
  /** Saved in memory at CFA + value. */
  offset: 2,
  /** The value is CFA + value. */
  valOffset: 3,
  /** The value is in (callee) register `value`. */
  register: 4,
  /** A form we do not evaluate: the register is unknown. */
  unsupported: 5,
  /** Saved in memory at the address DWARF expression `value` (an index into the range's expressions) gives. */
  expression: 6,
  /** The value is what DWARF expression `value` gives. */
  valExpression: 7,
} as const;

/**
 * One row: `[address, cfaRegister, cfaOffset, reg, rule, value, reg, rule, value, …]`; cfaRegister
 * -1 when the CFA is unknown (the row cannot be used), -2 when it is the DWARF expression at index
 * cfaOffset of the range's expressions. Registers are DWARF numbers.
 */
export type CfiRow = number[];

/** `[start, end, rows, expressions?]` with rows sorted by address, the first at `start`. */
export type CfiRange = [number, number, CfiRow[]] | [number, number, CfiRow[], number[][]];

export interface CfiTable {
  /** Format version of the stored JSON. */
  v: 1;
  /** DWARF register number of the return address column (16 on x86-64, 30 on arm64). */
  ra: number;
  /** Ranges sorted by start, not overlapping. */
  ranges: CfiRange[];
  /** Where the object's code starts (its first executable section), relative like the ranges. */
  code?: number;
}

export interface CfiRules {
  cfaRegister: number;
  cfaOffset: number;
  /** The CFA's DWARF expression when cfaRegister is -2. */
  cfaExpression?: number[];
  rules: Map<number, { rule: number; value: number; expression?: number[] }>;
}

/** The range covering a (relative) address, by binary search. */
export function findRange(table: CfiTable, address: number): CfiRange | undefined {
  let lo = 0;
  let hi = table.ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const range = table.ranges[mid] as CfiRange;
    if (address < range[0]) hi = mid - 1;
    else if (address >= range[1]) lo = mid + 1;
    else return range;
  }
  return undefined;
}

/** The rules in force at a (relative) address; undefined when no range covers it or the CFA is an expression. */
export function rulesAt(table: CfiTable, address: number): CfiRules | undefined {
  const range = findRange(table, address);
  if (!range) return undefined;
  let row: CfiRow | undefined;
  for (const candidate of range[2]) {
    if ((candidate[0] ?? 0) > address) break;
    row = candidate;
  }
  const cfaRegister = row?.[1] ?? -1;
  if (!row || cfaRegister === -1 || cfaRegister < -2) return undefined;
  const expressions = range[3] ?? [];
  const rules = new Map<number, { rule: number; value: number; expression?: number[] }>();
  for (let i = 3; i + 2 < row.length; i += 3) {
    const rule = row[i + 1] as number;
    const value = row[i + 2] as number;
    const expression =
      rule === RULE.expression || rule === RULE.valExpression ? expressions[value] : undefined;
    rules.set(row[i] as number, expression ? { rule, value, expression } : { rule, value });
  }
  const out: CfiRules = { cfaRegister, cfaOffset: row[2] as number, rules };
  if (cfaRegister === -2) {
    const expression = expressions[out.cfaOffset];
    if (!expression) return undefined;
    out.cfaExpression = expression;
  }
  return out;
}

/** Sorts ranges and drops the later of two overlapping ones (duplicate FDEs from merged sections). */
export function finishTable(ra: number, ranges: CfiRange[], code?: number): CfiTable {
  ranges.sort((a, b) => a[0] - b[0]);
  const out: CfiRange[] = [];
  for (const range of ranges) {
    const last = out[out.length - 1];
    if (range[1] <= range[0]) continue;
    if (last && range[0] < last[1]) continue;
    out.push(range);
  }
  return code === undefined ? { v: 1, ra, ranges: out } : { v: 1, ra, ranges: out, code };
}

export function parseCfiTable(text: string): CfiTable | undefined {
  try {
    const value = JSON.parse(text) as Partial<CfiTable>;
    if (value.v !== 1 || !Array.isArray(value.ranges) || typeof value.ra !== "number") return undefined;
    return value as CfiTable;
  } catch {
    return undefined;
  }
}
