// A D1 binding that reports the rows every statement read and wrote, from D1's own result metadata
// (`meta.rows_read` / `meta.rows_written`, what Cloudflare bills): the cost meter's D1 counter. It wraps
// the binding once per Worker request or Durable Object, so every query is counted where it runs, with
// no change to the code that queries. `first()` runs as `all()` (D1 reads the same rows either way, and
// only `all()` returns the metadata); `raw()` and `exec()` return no metadata and are not counted.

/** Receives the D1 cost of each statement run. */
export type D1RowCounter = (rowsRead: number, rowsWritten: number) => void;

const REAL = Symbol("the unwrapped statement");

type Wrapped = D1PreparedStatement & { [REAL]?: D1PreparedStatement };

function countMeta(count: D1RowCounter, meta: D1Meta | undefined): void {
  count(meta?.rows_read ?? 0, meta?.rows_written ?? 0);
}

function wrapStatement(statement: D1PreparedStatement, count: D1RowCounter): D1PreparedStatement {
  const wrapped = {
    [REAL]: statement,
    bind: (...values: unknown[]) => wrapStatement(statement.bind(...values), count),
    async run<T>() {
      const result = await statement.run<T>();
      countMeta(count, result.meta);
      return result;
    },
    async all<T>() {
      const result = await statement.all<T>();
      countMeta(count, result.meta);
      return result;
    },
    async first<T>(column?: string) {
      const result = await statement.all<Record<string, unknown>>();
      countMeta(count, result.meta);
      const row = result.results[0];
      if (row === undefined) return null;
      return (column === undefined ? row : (row[column] ?? null)) as T;
    },
    raw: ((options?: { columnNames?: boolean }) =>
      statement.raw(options as { columnNames: true })) as D1PreparedStatement["raw"],
  };
  return wrapped as unknown as D1PreparedStatement;
}

/** The statement a wrapped one stands for (batch() needs the binding's own objects). */
function unwrap(statement: D1PreparedStatement): D1PreparedStatement {
  return (statement as Wrapped)[REAL] ?? statement;
}

/** `db` with every statement's rows read and written reported to `count`. */
export function meteredD1(db: D1Database, count: D1RowCounter): D1Database {
  const metered = {
    prepare: (query: string) => wrapStatement(db.prepare(query), count),
    async batch<T>(statements: D1PreparedStatement[]) {
      const results = await db.batch<T>(statements.map(unwrap));
      for (const r of results) countMeta(count, r.meta);
      return results;
    },
    exec: (query: string) => db.exec(query),
    dump: () => db.dump(),
    withSession: (constraint?: string) => db.withSession(constraint),
  };
  return metered as unknown as D1Database;
}
