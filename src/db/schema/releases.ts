// Drizzle tables (migrations/*.sql mirrored): Releases (organization-wide), the projects that saw each, and
// their deploys.
import { index, integer, primaryKey, real, sqliteTable, text, unique } from "drizzle-orm/sqlite-core";

export const releases = sqliteTable(
  "releases",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    organizationId: integer("organization_id").notNull(),
    version: text("version").notNull(),
    ref: text("ref"),
    url: text("url"),
    status: text("status", { enum: ["open", "archived"] })
      .notNull()
      .default("open"),
    dateAdded: real("date_added").notNull(),
    dateStarted: real("date_started"),
    dateReleased: real("date_released"),
    refs: text("refs"),
    commits: text("commits"),
    commitCount: integer("commit_count").notNull().default(0),
    lastCommitId: text("last_commit_id"),
  },
  (t) => [
    unique().on(t.organizationId, t.version),
    index("releases_org_added").on(t.organizationId, t.dateAdded),
  ],
);

export const releaseProjects = sqliteTable(
  "release_projects",
  {
    releaseId: integer("release_id").notNull(),
    projectId: integer("project_id").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.releaseId, t.projectId] }),
    index("release_projects_project").on(t.projectId),
  ],
);

/** Error events and the newest event time per project and release, kept by the group commit (0040). */
export const releaseEventStats = sqliteTable(
  "release_event_stats",
  {
    projectId: integer("project_id").notNull(),
    version: text("version").notNull(),
    events: integer("events"),
    lastSeen: real("last_seen").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.version] })],
);

export const deploys = sqliteTable(
  "deploys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    releaseId: integer("release_id").notNull(),
    environment: text("environment").notNull(),
    name: text("name"),
    url: text("url"),
    dateStarted: real("date_started"),
    dateFinished: real("date_finished").notNull(),
  },
  (t) => [index("deploys_release").on(t.releaseId, t.dateFinished)],
);
