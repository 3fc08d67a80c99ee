// Drizzle tables (migrations/*.sql mirrored): Other ingested data: sessions, cron check-ins, logs, user
// feedback and user reports.
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const sessionUpdates = sqliteTable(
  "session_updates",
  {
    id: integer("id").primaryKey(),
    projectId: integer("project_id").notNull(),
    sid: text("sid").notNull(),
    did: text("did"),
    seq: integer("seq"),
    timestamp: real("timestamp").notNull(),
    started: real("started").notNull(),
    init: integer("init", { mode: "boolean" }).notNull(),
    duration: real("duration"),
    status: text("status").notNull(),
    errors: integer("errors").notNull(),
    release: text("release").notNull(),
    environment: text("environment"),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    abnormalMechanism: text("abnormal_mechanism"),
  },
  (t) => [index("session_updates_project_started").on(t.projectId, t.started)],
);

export const sessionAggregates = sqliteTable(
  "session_aggregates",
  {
    id: integer("id").primaryKey(),
    projectId: integer("project_id").notNull(),
    started: real("started").notNull(),
    did: text("did"),
    exited: integer("exited").notNull(),
    errored: integer("errored").notNull(),
    abnormal: integer("abnormal").notNull(),
    crashed: integer("crashed").notNull(),
    release: text("release").notNull(),
    environment: text("environment"),
  },
  (t) => [index("session_aggregates_project_started").on(t.projectId, t.started)],
);

export const checkIns = sqliteTable(
  "check_ins",
  {
    id: integer("id").primaryKey(),
    projectId: integer("project_id").notNull(),
    checkInId: text("check_in_id").notNull(),
    monitorSlug: text("monitor_slug").notNull(),
    status: text("status").notNull(),
    duration: real("duration"),
    environment: text("environment"),
    release: text("release"),
    monitorConfig: text("monitor_config"),
    traceId: text("trace_id"),
    timestamp: real("timestamp").notNull(),
  },
  (t) => [index("check_ins_monitor").on(t.projectId, t.monitorSlug, t.timestamp)],
);

export const logs = sqliteTable(
  "logs",
  {
    id: integer("id").primaryKey(),
    projectId: integer("project_id").notNull(),
    timestamp: real("timestamp").notNull(),
    traceId: text("trace_id"),
    spanId: text("span_id"),
    level: text("level").notNull(),
    severityNumber: integer("severity_number"),
    body: text("body").notNull(),
    release: text("release"),
    environment: text("environment"),
    attributes: text("attributes").notNull(),
  },
  (t) => [
    index("logs_project_timestamp_level").on(t.projectId, t.timestamp, t.level),
    index("logs_project_trace").on(t.projectId, t.traceId),
    index("logs_project_env_release").on(t.projectId, t.environment, t.release, t.timestamp, t.level),
    index("logs_id_time_level").on(t.id, t.projectId, t.timestamp, t.level),
  ],
);

// WITHOUT ROWID in the migration: the key is the table.
export const logVolume = sqliteTable(
  "log_volume",
  {
    projectId: integer("project_id").notNull(),
    slot: integer("slot").notNull(),
    level: text("level").notNull(),
    n: integer("n").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.slot, t.level] })],
);

export const feedback = sqliteTable("feedback", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  projectId: integer("project_id").notNull(),
  eventId: text("event_id").notNull(),
  message: text("message").notNull(),
  contactEmail: text("contact_email"),
  name: text("name"),
  url: text("url"),
  associatedEventId: text("associated_event_id"),
  timestamp: real("timestamp").notNull(),
  payload: text("payload").notNull(),
});

export const userReports = sqliteTable(
  "user_reports",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id").notNull(),
    eventId: text("event_id").notNull(),
    email: text("email"),
    name: text("name"),
    comments: text("comments").notNull(),
    createdAt: real("created_at").notNull(),
  },
  (t) => [index("user_reports_project_event").on(t.projectId, t.eventId)],
);
