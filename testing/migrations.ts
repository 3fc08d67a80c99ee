// D1 migrations applied through the sink Worker (its `/_faultline/sql` route), recorded in
// `d1_migrations` as wrangler records them (same table, same names), so `wrangler d1 migrations apply`
// and `npm start` find a persisted sink's state up to date. What is pending goes in one batch: one
// transaction, one round trip.
import type { D1Migration } from "./worker-files.js";

export interface SqlStatement {
  sql: string;
  params?: (string | number | null)[];
}

/** Runs statements in one D1 batch (on `binding`, DB unless given); answers the rows of the last one. */
export type SqlBatch = (statements: SqlStatement[], binding?: string) => Promise<Record<string, unknown>[]>;

const TABLE = `CREATE TABLE IF NOT EXISTS d1_migrations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT UNIQUE,
  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`;

/** Applies the migrations `binding` has not recorded yet; answers their names. */
export async function applyMigrations(
  run: SqlBatch,
  migrations: readonly D1Migration[],
  binding = "DB",
): Promise<string[]> {
  const rows = await run([{ sql: TABLE }, { sql: "SELECT name FROM d1_migrations" }], binding);
  const applied = new Set(rows.map((r) => String(r.name)));
  const pending = migrations.filter((m) => !applied.has(m.name));
  if (pending.length === 0) return [];
  await run(
    pending.flatMap((m) => [
      ...m.queries.map((sql) => ({ sql })),
      { sql: "INSERT INTO d1_migrations (name) VALUES (?)", params: [m.name] },
    ]),
    binding,
  );
  return pending.map((m) => m.name);
}

/** A SqlBatch over the sink Worker's `/_faultline/sql` route. */
export function sqlOverHttp(url: string, secret: string): SqlBatch {
  return async (statements, binding) => {
    const response = await fetch(`${url}/_faultline/sql`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: JSON.stringify({ statements, binding }),
    });
    if (!response.ok)
      throw new Error(`the sink's setup SQL failed (${response.status}): ${await response.text()}`);
    return ((await response.json()) as { rows: Record<string, unknown>[] }).rows;
  };
}
