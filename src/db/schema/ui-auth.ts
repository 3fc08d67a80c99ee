// Drizzle tables (migrations/*.sql mirrored): Web UI sign-in: sessions and the login throttle's counters.
import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const uiSessions = sqliteTable(
  "ui_sessions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tokenHash: text("token_hash").notNull().unique(),
    userId: integer("user_id").notNull(),
    csrfToken: text("csrf_token").notNull(),
    createdAt: real("created_at").notNull(),
    expiresAt: real("expires_at").notNull(),
    lastSeenAt: real("last_seen_at").notNull(),
  },
  (t) => [index("ui_sessions_user").on(t.userId)],
);

export const uiLoginCounters = sqliteTable(
  "ui_login_counters",
  {
    key: text("key").primaryKey(),
    windowStart: real("window_start").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [index("ui_login_counters_window").on(t.windowStart)],
);
