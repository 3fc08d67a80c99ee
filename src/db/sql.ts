// Small helpers for hand-written D1 statements.

/** Parameters per `IN (...)` list: D1 binds at most 100 parameters per statement. */
export const ID_CHUNK = 90;

/** `?, ?, ?` for n parameters. */
export const marks = (n: number): string => Array.from({ length: n }, () => "?").join(",");

export function chunks<T>(items: readonly T[], size = ID_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export type SqlParam = string | number | null;

export async function all<T>(db: D1Database, sql: string, params: readonly SqlParam[]): Promise<T[]> {
  return (
    await db
      .prepare(sql)
      .bind(...params)
      .all<T>()
  ).results;
}

export function first<T>(db: D1Database, sql: string, params: readonly SqlParam[]): Promise<T | null> {
  return db
    .prepare(sql)
    .bind(...params)
    .first<T>();
}

/**
 * The projects given (ids and slugs from the control plane) as a relation `(id, slug)` for a query on
 * an event shard, in place of a join with `projects` (which lives in the control plane). Inlined as a
 * SQL string literal, so it takes no bound parameter wherever it stands in the statement.
 */
export function projectsRelation(projects: readonly { id: number; slug: string }[]): string {
  const json = JSON.stringify(projects.map((p) => [Math.trunc(p.id), p.slug])).replaceAll("'", "''");
  return `(SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS slug FROM json_each('${json}'))`;
}
