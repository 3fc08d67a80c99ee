// Reads of the `outcomes` counters (project × hour × category × outcome × reason) for Sentry's usage
// stats APIs. The key starts with (project, hour), so each query is an index range per project.

export type OutcomeColumn = "outcome" | "category" | "reason" | "project";

export interface OutcomeFilter {
  projectIds: number[];
  /** Unix seconds; hours in [start, end) are read. */
  start: number;
  end: number;
  categories: string[];
  outcomes: string[];
  reasons: string[];
}

export interface OutcomeBucketRow {
  bucket: number;
  quantity: number;
  times_seen: number;
  outcome?: string;
  category?: string;
  reason?: string;
  project_id?: number;
}

const COLUMN_SQL: Record<OutcomeColumn, string> = {
  outcome: "outcome",
  category: "category",
  reason: "reason",
  project: "project_id",
};

/** Sums per `interval` bucket (seconds, a multiple of an hour) and per value of each `groupBy` column. */
export async function outcomeBuckets(
  db: D1Database,
  filter: OutcomeFilter,
  groupBy: OutcomeColumn[],
  interval: number,
  limit: number,
): Promise<OutcomeBucketRow[]> {
  if (filter.projectIds.length === 0) return [];
  const where = [
    `project_id IN (${filter.projectIds.map((id) => Math.trunc(id)).join(",")})`,
    "hour >= ? AND hour < ?",
  ];
  const params: (string | number)[] = [filter.start, filter.end];
  for (const [column, values] of [
    ["category", filter.categories],
    ["outcome", filter.outcomes],
    ["reason", filter.reasons],
  ] as const) {
    if (values.length === 0) continue;
    where.push(`${column} IN (${values.map(() => "?").join(",")})`);
    params.push(...values);
  }
  const columns = groupBy.map((g) => COLUMN_SQL[g]);
  const select = [
    "(hour / ? * ?) AS bucket",
    ...columns,
    "SUM(quantity) AS quantity",
    "COUNT(*) AS times_seen",
  ];
  return (
    await db
      .prepare(
        `SELECT ${select.join(", ")} FROM outcomes WHERE ${where.join(" AND ")}
         GROUP BY ${["bucket", ...columns].join(", ")} ORDER BY bucket LIMIT ?`,
      )
      .bind(interval, interval, ...params, limit)
      .all<OutcomeBucketRow>()
  ).results;
}
