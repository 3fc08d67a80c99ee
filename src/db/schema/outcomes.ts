// Drizzle tables (migrations/*.sql mirrored): Outcome counters per hour, the ids of dropped events (for
// "why didn't my event show up?"), and how far each project's spool is written.
import { integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const outcomes = sqliteTable(
  "outcomes",
  {
    projectId: integer("project_id").notNull(),
    hour: integer("hour").notNull(),
    category: text("category").notNull(),
    outcome: text("outcome").notNull(),
    reason: text("reason").notNull(),
    quantity: integer("quantity").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.hour, t.category, t.outcome, t.reason] })],
);

export const droppedEvents = sqliteTable(
  "dropped_events",
  {
    projectId: integer("project_id").notNull(),
    eventId: text("event_id").notNull(),
    category: text("category").notNull(),
    outcome: text("outcome").notNull(),
    reason: text("reason").notNull(),
    at: real("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.eventId, t.at] })],
);

/** How far each project's spool is written to D1 (migration 0017). */
export const spoolMarks = sqliteTable(
  "spool_marks",
  {
    projectId: integer("project_id").notNull(),
    epoch: text("epoch").notNull(),
    seq: integer("seq").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.epoch] })],
);
