// src/db/schema.ts mirrors migrations/*.sql: every row type is inferred from it, so a column that differs
// from what D1 really has would type queries against a table that does not exist. The migrations are
// applied to the test's D1 by the setup file; this compares every table and column with the schema, on
// every D1 binding (the control plane and each event shard get the same migrations).
import { env } from "cloudflare:workers";
import { is } from "drizzle-orm";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as schema from "../../src/db/schema.ts";
import { shardDb, shardNames } from "../../src/db/shards.ts";

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

const INTERNAL_TABLES = /^(sqlite_|_cf_|d1_migrations$)/;

function schemaTables(): SQLiteTable[] {
  const exports: unknown[] = Object.values(schema);
  return exports.filter((value): value is SQLiteTable => is(value, SQLiteTable));
}

async function migratedTables(db: D1Database): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all<{ name: string }>();
  const virtual = await fullTextTables(db);
  // An FTS5 table keeps its index in shadow tables named after it; neither is a drizzle table.
  const shadow = (name: string) => virtual.some((v) => name.startsWith(`${v}_`));
  return results
    .map((r) => r.name)
    .filter((name) => !INTERNAL_TABLES.test(name) && !virtual.includes(name) && !shadow(name));
}

/** The full-text tables (written by triggers on their source table, so not in src/db/schema.ts). */
async function fullTextTables(db: D1Database): Promise<string[]> {
  const { results } = await db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name",
    )
    .all<{ name: string }>();
  return results.map((r) => r.name);
}

async function migratedColumns(db: D1Database, table: string): Promise<ColumnInfo[]> {
  const { results } = await db.prepare(`PRAGMA table_info("${table}")`).all<ColumnInfo>();
  return results;
}

/** SQLite's declared type as drizzle's sqlite-core spells its column kinds. */
function sqliteType(declared: string): string {
  const t = declared.toUpperCase();
  if (t.includes("INT")) return "integer";
  if (t.includes("CHAR") || t.includes("TEXT") || t.includes("CLOB")) return "text";
  if (t.includes("BLOB") || t === "") return "blob";
  return "real";
}

it("runs on the control plane and the second shard", () => {
  expect(shardNames(env)).toEqual(["DB", "SHARD_1"]);
});

for (const shard of shardNames(env)) {
  const db = shardDb(env, shard);
  describe(`${shard}: src/db/schema.ts against migrations/`, () => {
    it("declares exactly the tables the migrations create", async () => {
      const declared = schemaTables()
        .map((t) => getTableConfig(t).name)
        .sort();
      expect(declared).toEqual(await migratedTables(db));
    });

    it("has exactly the logs explorer's full-text tables besides them", async () => {
      expect(await fullTextTables(db)).toEqual(["logs_attrs", "logs_text"]);
    });

    for (const table of schemaTables()) {
      const config = getTableConfig(table);
      it(`${config.name}: same columns, types, NOT NULL and primary key`, async () => {
        const actual = await migratedColumns(db, config.name);
        const compositeKey = new Set(config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name)));
        const declared = config.columns
          .map((c) => ({
            name: c.name,
            type: c.getSQLType().startsWith("integer") ? "integer" : sqliteType(c.getSQLType()),
            notNull: c.notNull || c.primary,
            primary: c.primary || compositeKey.has(c.name),
          }))
          .sort((a, b) => a.name.localeCompare(b.name));
        const migrated = actual
          .map((c) => ({
            name: c.name,
            type: sqliteType(c.type),
            // SQLite lets a non-integer primary key column hold NULL unless declared NOT NULL; drizzle
            // marks every primary key column NOT NULL, and so do the migrations' WITHOUT ROWID tables.
            notNull: c.notnull === 1 || c.pk > 0,
            primary: c.pk > 0,
          }))
          .sort((a, b) => a.name.localeCompare(b.name));
        expect(declared).toEqual(migrated);
      });
    }
  });

  describe(`${shard}: src/db/schema.ts indexes against migrations/`, () => {
    for (const table of schemaTables()) {
      const config = getTableConfig(table);
      it(`${config.name}: same named indexes`, async () => {
        const { results } = await db
          .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
          )
          .bind(config.name)
          .all<{ name: string }>();
        const declared = config.indexes.map((i) => i.config.name).sort();
        expect(declared).toEqual(results.map((r) => r.name));
      });
    }
  });
}
