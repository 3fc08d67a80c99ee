// The probe of the logs explorer's full-text prefilter (log-prefilter.ts): counts each term's matches,
// bounded, and the records of the range, as columns of one statement (one D1 round trip, where a batch
// of one statement per term pays each statement's overhead), by stages of rising bounds.
import { LOG_VOLUME_SLOT_SECONDS } from "../limits.ts";
import type { LogSearch } from "../protocol/telemetry-query.ts";
import {
  choosePrefilter,
  type Prefilter,
  type Probe,
  pairMatch,
  pairsExact,
  pairTokenServes,
  probeCaps,
  textProbes,
} from "./log-prefilter.ts";
import { ID_CHUNK, marks, type SqlParam } from "./sql.ts";

export interface LogFilters extends LogSearch {
  projectIds: number[];
  from: number;
  to: number;
  /** The full-text prefilter (withPrefilter); undefined: not decided yet, null: none serves. */
  prefilter?: Prefilter | null;
}

/** Parameters of one statement at most (D1 binds at most 100). */
const MAX_PARAMS = ID_CHUNK;

/** One column of a probe statement: a scalar subquery and its parameters. */
interface Column {
  sql: string;
  params: SqlParam[];
}

/** How many records an FTS term (or expression) matches, counted up to `cap`. */
const countColumn = (p: Probe, cap: number): Column => ({
  sql: `(SELECT COUNT(*) FROM (SELECT rowid FROM ${p.table} WHERE ${p.table} MATCH (${p.match}) LIMIT ${cap}))`,
  params: p.params,
});

/** The records of the filters' projects and range, from the volume counters (whole slots). */
function rangeRecordsColumn(f: LogFilters): Column {
  const firstSlot = Math.ceil(f.from / LOG_VOLUME_SLOT_SECONDS) * LOG_VOLUME_SLOT_SECONDS;
  return {
    sql: `(SELECT COALESCE(SUM(n), 0) FROM log_volume WHERE project_id IN (${marks(f.projectIds.length)})
       AND slot >= ? AND slot < ?)`,
    params: [...f.projectIds, firstSlot, f.to],
  };
}

/**
 * The columns' values, in order: as few statements as the parameter limit allows (one, but for very
 * many terms or projects), in one batch.
 */
async function values(db: D1Database, columns: Column[]): Promise<number[]> {
  const groups: Column[][] = [];
  let size = Number.POSITIVE_INFINITY;
  for (const c of columns) {
    const last = groups[groups.length - 1];
    if (!last || size + c.params.length > MAX_PARAMS) {
      groups.push([c]);
      size = c.params.length;
    } else {
      last.push(c);
      size += c.params.length;
    }
  }
  const statements = groups.map((g) =>
    db
      .prepare(`SELECT ${g.map((c, i) => `${c.sql} AS c${i}`).join(", ")}`)
      .bind(...g.flatMap((c) => c.params)),
  );
  const results = await db.batch<Record<string, number>>(statements);
  return groups.flatMap((g, gi) => {
    const row = results[gi]?.results[0];
    return g.map((_, i) => Number(row?.[`c${i}`] ?? 0));
  });
}

/**
 * Probes the full-text terms of the filters and answers the filters with the prefilter that serves
 * them, if any. Without free text or attributes nothing is probed.
 */
export async function withPrefilter(db: D1Database, f: LogFilters): Promise<LogFilters> {
  if (f.prefilter !== undefined) return f;
  const text = f.traceId || !f.text ? [] : textProbes(f.text);
  const served = f.attributes.every(([key]) => pairTokenServes(key));
  const pairs: Probe | null =
    f.traceId || f.attributes.length === 0 || !served
      ? null
      : { table: "logs_attrs", ...matchOf(pairMatch(f.attributes)) };
  const probes = pairs ? [...text, pairs] : text;
  if (probes.length === 0) return { ...f, prefilter: null };
  let rangeRecords: number | undefined;
  let prefilter: Prefilter | null = null;
  for (const cap of probeCaps(probes.length)) {
    const columns = probes.map((p) => countColumn(p, cap));
    const counts = await values(
      db,
      rangeRecords === undefined ? [...columns, rangeRecordsColumn(f)] : columns,
    );
    rangeRecords ??= counts[probes.length] ?? 0;
    const n = (i: number) => counts[i] ?? cap;
    prefilter = choosePrefilter(
      text.map((probe, i) => ({ probe, n: n(i) })),
      pairs ? { probe: pairs, n: n(text.length), exact: pairsExact(f.attributes) } : null,
      cap,
    );
    // Every term under this stage's bound is counted exactly and the others are commoner: the rarest
    // are known.
    if (prefilter) break;
  }
  // Several trigrams together match far fewer records than the rarest alone: count them together, so
  // the page reads the few candidates instead of walking the range.
  if (prefilter && prefilter.params.length > 1 && prefilter.table === "logs_text") {
    const [together] = await values(db, [countColumn(prefilter, prefilter.estimate + 1)]);
    prefilter.estimate = Math.min(prefilter.estimate, together ?? prefilter.estimate);
  }
  return { ...f, prefilter: prefilter ? { ...prefilter, rangeRecords: rangeRecords ?? 0 } : null };
}

const matchOf = (m: { sql: string; params: SqlParam[] }) => ({ match: m.sql, params: m.params });
