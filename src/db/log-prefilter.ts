// The full-text prefilter of the logs explorer (migrations/0030): free text narrows through the
// trigram table of bodies (`logs_text`), `key:value` through the table of attribute pair tokens
// (`logs_attrs`). Both only propose candidates; the explorer's exact checks (substring of the lower-cased
// body, attribute equality) still run on each record, so results are the same as without them.
//
// Which one drives a query is decided by probing: each term's matches are counted up to a bound (a
// short walk of its doclist), and only terms under the bound are used, the rarest first. A filter made
// only of common terms (every record says "request") gets no prefilter: the plain walk serves it.
import type { SqlParam } from "./sql.ts";

/** Probe bound: a term with this many matches or more is too common to drive the histogram. */
export const PREFILTER_CAP = 20_000;
/** Distinct trigrams probed at most (any subset keeps the prefilter a superset). */
const MAX_PROBED_TRIGRAMS = 16;
/** Trigrams ANDed into the text prefilter at most (the rarest ones). */
const MAX_MATCHED_TRIGRAMS = 3;
/** Characters of `key=value` the pair token holds (as the migration's trigger writes it). */
const PAIR_TOKEN_CHARS = 100;

/** An FTS5 string holding `s` literally. */
export const ftsString = (s: string): string => `"${s.replaceAll('"', '""')}"`;

/**
 * The distinct three-character sequences of `text`, by code point, spread over the whole text when
 * there are more than `max`. Empty when the text is shorter than three characters.
 */
export function trigramsOf(text: string, max = MAX_PROBED_TRIGRAMS): string[] {
  const chars = [...text];
  const all: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) {
    const t = chars.slice(i, i + 3).join("");
    // The tokenizer folds case: "ABC" and "abc" are one term.
    const key = t.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    all.push(t);
  }
  if (all.length <= max) return all;
  const step = all.length / max;
  return Array.from({ length: max }, (_, i) => all[Math.floor(i * step)] as string);
}

/**
 * An attribute key the pair token can stand for: the explorer's JSON path drops `"` from the key, and
 * a backslash reads differently in a path than in the stored key, so such keys go without a prefilter.
 */
export const pairTokenServes = (key: string): boolean => !key.includes('"') && !key.includes("\\");

/** SQL of the MATCH expression of the attribute pairs (all of them), and its parameters. */
export function pairMatch(pairs: readonly [string, string][]): { sql: string; params: SqlParam[] } {
  const one = `'k' || hex(substr(? || '=' || ?, 1, ${PAIR_TOKEN_CHARS}))`;
  return {
    sql: pairs.map(() => one).join(" || ' AND ' || "),
    params: pairs.flatMap(([key, value]) => [key, value]),
  };
}

/** A probe's term and what it counts (one statement of the probe batch). */
export interface Probe {
  table: "logs_text" | "logs_attrs";
  /** SQL of the MATCH expression. */
  match: string;
  params: SqlParam[];
}

/** What the explorer's queries narrow by first: the FTS table, its MATCH expression, candidates (bounded). */
export interface Prefilter extends Probe {
  estimate: number;
  /** Records of the projects in the time range (the volume counters' whole slots), 0 when unknown. */
  rangeRecords?: number;
}

/**
 * Whether a page reads the prefilter's candidates (and sorts them) rather than walk the time index
 * newest first checking each record: the walk reads about rangeRecords × limit / matches records before
 * it has a page, the candidates are read once each. The candidates stand in for the matches (there are
 * no more matches than candidates, so the walk is estimated at its cheapest).
 */
export function pageReadsCandidates(p: Prefilter, limit: number): boolean {
  return p.estimate * p.estimate <= (p.rangeRecords ?? 0) * limit;
}

export function textProbes(text: string): Probe[] {
  return trigramsOf(text).map((t) => ({ table: "logs_text", match: "?", params: [ftsString(t)] }));
}

/**
 * The prefilter from the probes' bounded counts: the text's rarest trigrams under the bound (ANDed),
 * or the attribute pairs when they are rarer. Null when no term is under the bound.
 */
export function choosePrefilter(
  text: { probe: Probe; n: number }[],
  pairs: { probe: Probe; n: number } | null,
): Prefilter | null {
  const rare = text.filter((p) => p.n < PREFILTER_CAP).sort((a, b) => a.n - b.n);
  const chosen = rare.slice(0, MAX_MATCHED_TRIGRAMS);
  const first = chosen[0];
  const textFilter: Prefilter | null = first
    ? {
        table: "logs_text",
        match: chosen.map(() => "?").join(" || ' AND ' || "),
        params: chosen.flatMap((p) => p.probe.params),
        estimate: first.n,
      }
    : null;
  const pairFilter: Prefilter | null =
    pairs && pairs.n < PREFILTER_CAP ? { ...pairs.probe, estimate: pairs.n } : null;
  if (textFilter && pairFilter) return pairFilter.estimate <= textFilter.estimate ? pairFilter : textFilter;
  return textFilter ?? pairFilter;
}
