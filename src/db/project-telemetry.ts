// Deleting everything a project received while keeping what configures it: the test sink's reset
// between tests (testing/worker/), through the project's Durable Object. Every table with a
// `project_id` column is named in one of the two lists (test/integration/telemetry-reset.test.ts
// checks it against the schema), so a table added later must be classified before it can be missed.
/** Rows ingest writes for a project (issue_users and issue_tag_values are reached through issues). */
export const TELEMETRY_TABLES = [
  "attachments",
  "event_debug_images",
  "events",
  "event_shapes",
  "issue_hashes",
  "issues",
  "spans",
  "session_updates",
  "session_aggregates",
  "check_ins",
  "logs",
  "log_volume",
  "feedback",
  "user_reports",
  "raw_items",
  "outcomes",
  "dropped_events",
  "alert_deliveries",
  "usage_hourly",
  "release_health_hours",
  "release_health_users",
  "release_health_durations",
  "release_event_stats",
  "monitor_environments",
  "monitor_check_ins",
  "storage_usage",
] as const;

/** Rows that configure a project or track work on its uploads: a reset keeps them. */
export const KEPT_TABLES = [
  "project_keys",
  "release_projects",
  "dif_assemblies",
  "debug_files",
  "debug_file_lookups",
  "symbolication_jobs",
  "spool_marks",
  "alert_rules",
  "alert_settings",
  "usage_budgets",
  // A monitor is configuration (made through the API or by a check-in's monitor_config); its state and
  // runs are telemetry.
  "monitors",
] as const;

/**
 * Deletes the project's telemetry in one transaction. Meant for a test sink's small projects: a
 * production-sized project would need the paged deletes of issue-deletion.ts.
 */
export async function deleteProjectTelemetry(db: D1Database, projectId: number): Promise<void> {
  const statements = [
    ...["issue_users", "issue_tag_values"].map((table) =>
      db
        .prepare(`DELETE FROM ${table} WHERE issue_id IN (SELECT id FROM issues WHERE project_id = ?)`)
        .bind(projectId),
    ),
    ...TELEMETRY_TABLES.map((table) =>
      db.prepare(`DELETE FROM ${table} WHERE project_id = ?`).bind(projectId),
    ),
  ];
  await db.batch(statements);
}
