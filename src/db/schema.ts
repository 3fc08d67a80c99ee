// Drizzle schema mirroring migrations/*.sql (the SQL files are the source of truth for D1; this schema
// gives every row type). Keep both in step: test/integration/schema.test.ts compares tables, columns and
// indexes. The tables are declared by aggregate under ./schema/; every one is re-exported here.
export * from "./schema/alerts.ts";
export * from "./schema/debug-files.ts";
export * from "./schema/events.ts";
export * from "./schema/health.ts";
export * from "./schema/issues.ts";
export * from "./schema/outcomes.ts";
export * from "./schema/releases.ts";
export * from "./schema/telemetry.ts";
export * from "./schema/tenants.ts";
export * from "./schema/ui-auth.ts";
export * from "./schema/usage.ts";
