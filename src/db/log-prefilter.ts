// The full-text prefilter of the logs explorer (migrations/0030, 0031): free text narrows through the
// trigram table of bodies (`logs_text`), `key:value` through the table of attribute pair tokens
// (`logs_attrs`). The trigrams only propose candidates: the explorer's substring check still runs on
// each record. A pair token is exact when the filter's pair fits in it whole (pairsExact): then the
// candidates are the matches and the attribute check is skipped; longer pairs are checked on the record.
// Either way the results are those of a scan.
//
// Which one drives a query is decided by probing: each term's matches are counted up to a bound (a
// short walk of its doclist), and only terms under the bound are used, the rarest first. The bound
// rises by stages (probeCaps): many terms are first counted to a low bound, and only when none is under
// it are they counted again to a higher one. A filter made only of common terms (every record says
// "request") gets no prefilter: the plain walk serves it.
import type { SqlParam } from "./sql.ts";

/** Probe bound: a term with this many matches or more is too common to drive the histogram. */
export const PREFILTER_CAP = 20_000;
/** How much each probe stage raises the bound. */
const PROBE_STAGE_FACTOR = 4;
/** Distinct trigrams probed at most (any subset keeps the prefilter a superset). */
const MAX_PROBED_TRIGRAMS = 16;
/** Trigrams ANDed into the text prefilter at most (the rarest ones). */
const MAX_MATCHED_TRIGRAMS = 3;
/** Characters of `key=value` the pair token holds (as the migration's trigger writes it). */
const PAIR_TOKEN_CHARS = 100;

/**
 * The bounds of the probe stages for `terms` terms, ascending, the last PREFILTER_CAP: the first stage
 * reads at most PREFILTER_CAP doclist entries over all its terms (one term's full count), each next one
 * PROBE_STAGE_FACTOR times more per term. A single term gets one stage.
 */
export function probeCaps(terms: number): number[] {
  const caps: number[] = [];
  for (
    let cap = Math.floor(PREFILTER_CAP / Math.max(1, terms));
    cap < PREFILTER_CAP;
    cap *= PROBE_STAGE_FACTOR
  ) {
    caps.push(cap);
  }
  return [...caps, PREFILTER_CAP];
}

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

/**
 * SQL of the MATCH expression of the attribute pairs (all of them), and its parameters: the token the
 * migration's trigger writes, `length(key):key=value` (so `a=b`,`c` and `a`,`b=c` differ) cut to
 * PAIR_TOKEN_CHARS characters, in hex.
 */
export function pairMatch(pairs: readonly [string, string][]): { sql: string; params: SqlParam[] } {
  const one = `'k' || hex(substr(length(?) || ':' || ? || '=' || ?, 1, ${PAIR_TOKEN_CHARS}))`;
  return {
    sql: pairs.map(() => one).join(" || ' AND ' || "),
    params: pairs.flatMap(([key, value]) => [key, key, value]),
  };
}

/** Characters (code points, as SQLite counts them) of the pair's token before it is cut. */
const pairTokenLength = (key: string, value: string): number =>
  [...`${[...key].length}:${key}=${value}`].length;

/**
 * Whether the pair tokens match exactly the records holding every pair: each token is whole (shorter
 * than the cut, so a longer stored pair cannot share it), and no NUL, where SQLite's length() stops.
 */
export function pairsExact(pairs: readonly [string, string][]): boolean {
  return pairs.every(
    ([key, value]) =>
      pairTokenServes(key) &&
      !key.includes("\u0000") &&
      !value.includes("\u0000") &&
      pairTokenLength(key, value) < PAIR_TOKEN_CHARS,
  );
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
  /** The candidates are the matches of the attribute filters (pairsExact): their check is skipped. */
  exact?: boolean;
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
 * The prefilter from the probes' counts bounded by `cap`: the text's rarest trigrams under the bound
 * (ANDed), or the attribute pairs when they are rarer. Null when no term is under the bound.
 */
export function choosePrefilter(
  text: { probe: Probe; n: number }[],
  pairs: { probe: Probe; n: number; exact?: boolean } | null,
  cap = PREFILTER_CAP,
): Prefilter | null {
  const rare = text.filter((p) => p.n < cap).sort((a, b) => a.n - b.n);
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
    pairs && pairs.n < cap ? { ...pairs.probe, estimate: pairs.n, exact: pairs.exact === true } : null;
  if (textFilter && pairFilter) return pairFilter.estimate <= textFilter.estimate ? pairFilter : textFilter;
  return textFilter ?? pairFilter;
}
