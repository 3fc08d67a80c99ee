// Breakpad text symbol files (`.sym`, as dump_syms writes them and sentry-cli uploads them): the
// MODULE/INFO header identifies the file (the id is the debug id's GUID followed by its age), FUNC
// records with their line records and PUBLIC symbols become a symbol lookup, and STACK CFI records
// become the walker's unwind table. Pure: text in, values out. Inline records are not read.

import { normalizeDebugId } from "./debug-id.ts";
import { malformedFile } from "./errors.ts";
import { type ChunkSink, LookupWriter } from "./lookup-format.ts";
import { LookupTables, NONE } from "./lookup-tables.ts";
import { type CfiRange, type CfiRow, type CfiTable, finishTable, RULE } from "./minidump/cfi-table.ts";
import { DWARF_REGISTERS } from "./minidump/context.ts";

export interface BreakpadHeader {
  os: string;
  /** Sentry's architecture name. */
  arch: string;
  debugId: string;
  codeId?: string;
  name: string;
  hasFunctions: boolean;
  hasPublics: boolean;
  hasCfi: boolean;
}

const ARCHES: Record<string, string> = {
  x86_64: "x86_64",
  x86: "x86",
  arm64: "arm64",
  arm: "arm",
  ppc64: "ppc64",
};

export function isBreakpadSym(prefix: Uint8Array): boolean {
  return new TextDecoder().decode(prefix.subarray(0, 7)) === "MODULE ";
}

/** The header of a .sym file and which record kinds it has. */
export function readBreakpadHeader(text: string): BreakpadHeader {
  const firstLine = text.slice(0, text.indexOf("\n") >>> 0).trim();
  const match = /^MODULE (\S+) (\S+) ([0-9A-Fa-f]{33,40}) (.+)$/.exec(firstLine);
  if (!match) throw malformedFile("a Breakpad symbol file must start with a MODULE line");
  const id = match[3] ?? "";
  const debugId = normalizeDebugId(`${id.slice(0, 32)}-${id.slice(32)}`);
  if (!debugId) throw malformedFile("the MODULE line has no valid debug id");
  const codeId = /^INFO CODE_ID ([0-9A-Fa-f]+)/m.exec(text)?.[1]?.toLowerCase();
  const header: BreakpadHeader = {
    os: match[1] ?? "",
    arch: ARCHES[match[2] ?? ""] ?? "unknown",
    debugId,
    name: (match[4] ?? "").trim(),
    hasFunctions: /^FUNC /m.test(text),
    hasPublics: /^PUBLIC /m.test(text),
    hasCfi: /^STACK CFI INIT /m.test(text),
  };
  if (codeId) header.codeId = codeId;
  return header;
}

interface Interval {
  start: number;
  end: number;
  fn: number;
  file: number;
  line: number;
}

/** Writes the lookup of a .sym file's FUNC/line/PUBLIC records (addresses relative to load address 0). */
export async function writeBreakpadLookup(text: string, sink: ChunkSink, pageBytes: number): Promise<number> {
  const header = readBreakpadHeader(text);
  const tables = new LookupTables();
  const files = new Map<string, number>();
  const funcs: Interval[] = [];
  const publics: { start: number; fn: number }[] = [];
  let current: { fn: number; start: number; end: number } | undefined;
  let functions = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("FILE ")) {
      const m = /^FILE (\d+) (.*)$/.exec(line);
      if (m) files.set(m[1] ?? "", tables.string((m[2] ?? "").trim()));
    } else if (line.startsWith("FUNC ")) {
      const m = /^FUNC (?:m )?([0-9a-fA-F]+) ([0-9a-fA-F]+) [0-9a-fA-F]+ (.*)$/.exec(line);
      if (!m) continue;
      const start = Number.parseInt(m[1] ?? "0", 16);
      const name = (m[3] ?? "").trim();
      current = { fn: tables.fn(name, name, start), start, end: start + Number.parseInt(m[2] ?? "0", 16) };
      functions++;
      // The whole function, named, for addresses no line record covers.
      funcs.push({ start: current.start, end: current.end, fn: current.fn, file: NONE, line: 0 });
    } else if (line.startsWith("PUBLIC ")) {
      current = undefined;
      const m = /^PUBLIC (?:m )?([0-9a-fA-F]+) [0-9a-fA-F]+ (.*)$/.exec(line);
      if (!m) continue;
      const start = Number.parseInt(m[1] ?? "0", 16);
      const name = (m[2] ?? "").trim();
      publics.push({ start, fn: tables.fn(name, name, start) });
    } else if (current && /^[0-9a-fA-F]/.test(line)) {
      const m = /^([0-9a-fA-F]+) ([0-9a-fA-F]+) (\d+) (\d+)/.exec(line);
      if (!m) continue;
      const start = Number.parseInt(m[1] ?? "0", 16);
      const file = files.get(m[4] ?? "") ?? NONE;
      funcs.push({
        start,
        end: start + Number.parseInt(m[2] ?? "0", 16),
        fn: current.fn,
        file,
        line: Number(m[3]),
      });
    } else if (!line.startsWith("INLINE")) current = undefined;
  }
  // Breakpad's order of resolution: the FUNC containing an address (its line record when one covers
  // it), else the nearest PUBLIC below it when no FUNC lies in between; nothing past a FUNC's end.
  const byFunction = new Map<number, Interval[]>();
  const wholes: Interval[] = [];
  for (const f of funcs) {
    if (f.file === NONE && f.line === 0 && !byFunction.has(f.fn)) {
      byFunction.set(f.fn, []);
      wholes.push(f);
    } else byFunction.get(f.fn)?.push(f);
  }
  wholes.sort((x, y) => x.start - y.start);
  publics.sort((x, y) => x.start - y.start);
  const events: [number, number][] = [];
  let p = 0;
  let coveredTo = 0;
  const emitPublicsBefore = (limit: number) => {
    for (; p < publics.length && (publics[p]?.start ?? 0) < limit; p++) {
      const pub = publics[p] as { start: number; fn: number };
      if (pub.start >= coveredTo) events.push([pub.start, tables.location(pub.fn, NONE, 0, NONE)]);
    }
  };
  for (const whole of wholes) {
    emitPublicsBefore(whole.start);
    const locFunc = tables.location(whole.fn, NONE, 0, NONE);
    let cursor = whole.start;
    for (const line of (byFunction.get(whole.fn) ?? []).sort((x, y) => x.start - y.start)) {
      if (line.start < cursor || line.start >= whole.end) continue;
      if (line.start > cursor) events.push([cursor, locFunc]);
      events.push([line.start, tables.location(whole.fn, line.file, line.line, NONE)]);
      cursor = Math.min(line.end, whole.end);
    }
    if (cursor < whole.end) events.push([cursor, locFunc]);
    events.push([whole.end, NONE]);
    coveredTo = Math.max(coveredTo, whole.end);
  }
  emitPublicsBefore(Number.POSITIVE_INFINITY);
  events.sort((x, y) => x[0] - y[0]);
  const points = new Map<number, number>();
  for (const [at, loc] of events) points.set(at, loc);
  const writer = new LookupWriter(sink, pageBytes);
  let last = NONE - 1;
  for (const [start, loc] of [...points].sort((a, b) => a[0] - b[0])) {
    if (loc === last) continue;
    writer.add(tables, start, loc);
    last = loc;
  }
  return writer.finish({
    debugId: header.debugId,
    ...(header.codeId ? { codeId: header.codeId } : {}),
    arch: header.arch,
    format: "breakpad",
    loadAddress: "0x0",
    ranges: writer.ranges,
    functions,
  });
}

type Rules = Map<number, [number, number]>;

/** One `reg: expr` of a STACK CFI record, in the table's terms; undefined when it is not a form we evaluate. */
function parseRule(
  target: string,
  expr: string[],
  names: readonly string[],
  ra: number,
  rules: Rules,
  cfa: number[],
): void {
  const reg = (name: string) => (name === ".ra" ? ra : names.indexOf(name.replace(/^\$/, "")));
  const deref = expr[expr.length - 1] === "^";
  const body = deref ? expr.slice(0, -1) : expr;
  let base: string | undefined;
  let offset = 0;
  if (body.length === 1) base = body[0];
  else if (body.length === 3 && (body[2] === "+" || body[2] === "-")) {
    base = body[0];
    offset = Number(body[1]) * (body[2] === "-" ? -1 : 1);
  }
  if (target === ".cfa") {
    const r = base && !deref && Number.isFinite(offset) ? reg(base) : -1;
    cfa[0] = r;
    cfa[1] = offset;
    return;
  }
  const t = reg(target);
  if (t < 0) return;
  if (base === ".cfa" && Number.isFinite(offset))
    rules.set(t, [deref ? RULE.offset : RULE.valOffset, offset]);
  else if (base && !deref && body.length === 1 && reg(base) >= 0)
    rules.set(t, reg(base) === t ? [RULE.sameValue, 0] : [RULE.register, reg(base)]);
  else rules.set(t, [RULE.unsupported, 0]);
}

function applyRules(text: string, names: readonly string[], ra: number, rules: Rules, cfa: number[]): void {
  const tokens = text.trim().split(/\s+/);
  let target: string | undefined;
  let expr: string[] = [];
  const flush = () => {
    if (target) parseRule(target, expr, names, ra, rules, cfa);
  };
  for (const token of tokens) {
    if (token.endsWith(":")) {
      flush();
      target = token.slice(0, -1);
      expr = [];
    } else expr.push(token);
  }
  flush();
}

/** The unwind table of a .sym file's STACK CFI records; undefined when it has none. */
export function breakpadCfiTable(text: string): CfiTable | undefined {
  const header = readBreakpadHeader(text);
  const arch = header.arch === "arm64" ? "arm64" : "x86_64";
  const names = DWARF_REGISTERS[arch];
  const ra = arch === "arm64" ? 30 : 16;
  const ranges: CfiRange[] = [];
  let range: CfiRange | undefined;
  let rules: Rules = new Map();
  const cfa = [-1, 0];
  const snapshot = (address: number): CfiRow => {
    const row: CfiRow = [address, cfa[0] ?? -1, cfa[1] ?? 0];
    for (const [reg, [rule, value]] of rules) row.push(reg, rule, value);
    return row;
  };
  for (const line of text.split("\n")) {
    if (!line.startsWith("STACK CFI ")) continue;
    const init = /^STACK CFI INIT ([0-9a-fA-F]+) ([0-9a-fA-F]+) (.*)$/.exec(line);
    if (init) {
      const start = Number.parseInt(init[1] ?? "0", 16);
      rules = new Map();
      cfa[0] = -1;
      cfa[1] = 0;
      applyRules(init[3] ?? "", names, ra, rules, cfa);
      range = [start, start + Number.parseInt(init[2] ?? "0", 16), [snapshot(start)]];
      ranges.push(range);
      continue;
    }
    const delta = /^STACK CFI ([0-9a-fA-F]+) (.*)$/.exec(line);
    if (!delta || !range) continue;
    const address = Number.parseInt(delta[1] ?? "0", 16);
    applyRules(delta[2] ?? "", names, ra, rules, cfa);
    const rows = range[2];
    if (rows[rows.length - 1]?.[0] === address) rows[rows.length - 1] = snapshot(address);
    else rows.push(snapshot(address));
  }
  if (ranges.length === 0) return undefined;
  const firstFunc = /^FUNC (?:m )?([0-9a-fA-F]+)/m.exec(text)?.[1];
  const firstPublic = /^PUBLIC (?:m )?([0-9a-fA-F]+)/m.exec(text)?.[1];
  const starts = [firstFunc, firstPublic]
    .filter((v): v is string => v !== undefined)
    .map((v) => Number.parseInt(v, 16));
  return finishTable(ra, ranges, starts.length > 0 ? Math.min(...starts) : undefined);
}
