// D1 migrations applied through Miniflare's D1 binding, recorded in `d1_migrations` as wrangler records
// them (same table, same names), so `wrangler d1 migrations apply` and `npm start` find a persisted
// sink's state up to date. What is pending goes in one batch: one transaction, one round trip.
import type { D1Migration } from "./worker-files.js";

/** What the sink uses of a D1 binding (Miniflare's proxy of it). */
export interface D1Statement {
  bind(...values: unknown[]): D1Statement;
  all(): Promise<{ results?: unknown[] }>;
  run(): Promise<unknown>;
}

export interface D1Binding {
  prepare(sql: string): D1Statement;
  batch(statements: D1Statement[]): Promise<{ results?: unknown[] }[]>;
}

const TABLE = `CREATE TABLE IF NOT EXISTS d1_migrations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT UNIQUE,
  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`;

/** Applies the migrations not recorded yet; answers their names. */
export async function applyMigrations(db: D1Binding, migrations: readonly D1Migration[]): Promise<string[]> {
  await db.prepare(TABLE).run();
  const { results = [] } = await db.prepare("SELECT name FROM d1_migrations").all();
  const applied = new Set(results.map((r) => String((r as { name: unknown }).name)));
  const pending = migrations.filter((m) => !applied.has(m.name));
  if (pending.length === 0) return [];
  await db.batch(
    pending.flatMap((m) => [
      ...m.queries.map((q) => db.prepare(q)),
      db.prepare("INSERT INTO d1_migrations (name) VALUES (?)").bind(m.name),
    ]),
  );
  return pending.map((m) => m.name);
}

/** Runs SQL statements in one batch and answers the rows of the last one. */
export async function runBatch(db: D1Binding, statements: string[]): Promise<Record<string, unknown>[]> {
  const results = await db.batch(statements.map((s) => db.prepare(s)));
  return (results[results.length - 1]?.results ?? []) as Record<string, unknown>[];
}
