// Drizzle tables (migrations/*.sql mirrored): release health counters and cron monitors (0021),
// session durations (0025).
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

// WITHOUT ROWID in the migration: the key is the table.
export const releaseHealthHours = sqliteTable(
  "release_health_hours",
  {
    projectId: integer("project_id").notNull(),
    hour: integer("hour").notNull(),
    release: text("release").notNull(),
    environment: text("environment").notNull(),
    healthy: integer("healthy").notNull().default(0),
    errored: integer("errored").notNull().default(0),
    abnormal: integer("abnormal").notNull().default(0),
    unhandled: integer("unhandled").notNull().default(0),
    crashed: integer("crashed").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.hour, t.release, t.environment] })],
);

export const releaseHealthUsers = sqliteTable(
  "release_health_users",
  {
    projectId: integer("project_id").notNull(),
    hour: integer("hour").notNull(),
    release: text("release").notNull(),
    environment: text("environment").notNull(),
    userHash: text("user_hash").notNull(),
    status: integer("status").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.hour, t.release, t.environment, t.userHash] })],
);

// 0025, WITHOUT ROWID.
export const releaseHealthDurations = sqliteTable(
  "release_health_durations",
  {
    projectId: integer("project_id").notNull(),
    hour: integer("hour").notNull(),
    release: text("release").notNull(),
    environment: text("environment").notNull(),
    bucket: integer("bucket").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.hour, t.release, t.environment, t.bucket] })],
);

export const monitors = sqliteTable(
  "monitors",
  {
    id: integer("id").primaryKey(),
    organizationId: integer("organization_id").notNull(),
    projectId: integer("project_id").notNull(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    status: text("status").notNull().default("active"),
    config: text("config").notNull(),
    createdAt: real("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("monitors_org_slug").on(t.organizationId, t.slug),
    index("monitors_project").on(t.projectId),
  ],
);

export const monitorEnvironments = sqliteTable(
  "monitor_environments",
  {
    id: integer("id").primaryKey(),
    monitorId: integer("monitor_id").notNull(),
    projectId: integer("project_id").notNull(),
    environment: text("environment").notNull(),
    status: text("status").notNull(),
    lastCheckIn: real("last_check_in"),
    nextCheckIn: real("next_check_in"),
    nextCheckInLatest: real("next_check_in_latest"),
    failures: integer("failures").notNull().default(0),
    successes: integer("successes").notNull().default(0),
    issueOpen: integer("issue_open").notNull().default(0),
    createdAt: real("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("monitor_environments_key").on(t.monitorId, t.environment),
    index("monitor_environments_deadline").on(t.projectId, t.nextCheckInLatest),
  ],
);

export const monitorCheckIns = sqliteTable(
  "monitor_check_ins",
  {
    id: integer("id").primaryKey(),
    projectId: integer("project_id").notNull(),
    monitorId: integer("monitor_id").notNull(),
    environment: text("environment").notNull(),
    checkInId: text("check_in_id").notNull(),
    status: text("status").notNull(),
    duration: real("duration"),
    dateAdded: real("date_added").notNull(),
    dateUpdated: real("date_updated").notNull(),
    expectedTime: real("expected_time"),
    timeoutAt: real("timeout_at"),
    traceId: text("trace_id"),
  },
  (t) => [
    uniqueIndex("monitor_check_ins_key").on(t.monitorId, t.checkInId),
    index("monitor_check_ins_recent").on(t.monitorId, t.dateAdded),
    // Partial in the migration (WHERE timeout_at IS NOT NULL): only runs in progress.
    index("monitor_check_ins_timeout").on(t.projectId, t.timeoutAt),
  ],
);
