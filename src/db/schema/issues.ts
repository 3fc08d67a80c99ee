// Drizzle tables (migrations/*.sql mirrored): Issues, the grouping hashes each owns, and the distinct users
// counted per issue.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const issues = sqliteTable(
  "issues",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id").notNull(),
    primaryHash: text("primary_hash").notNull(),
    type: text("type").notNull(),
    title: text("title").notNull(),
    culprit: text("culprit").notNull(),
    level: text("level").notNull(),
    platform: text("platform").notNull(),
    logger: text("logger"),
    metadata: text("metadata").notNull(),
    status: text("status", { enum: ["unresolved", "resolved", "ignored"] })
      .notNull()
      .default("unresolved"),
    substatus: text("substatus"),
    resolution: text("resolution"),
    resolvedAt: real("resolved_at"),
    firstSeen: real("first_seen").notNull(),
    lastSeen: real("last_seen").notNull(),
    timesSeen: integer("times_seen").notNull().default(0),
    userCount: integer("user_count").notNull().default(0),
    firstRelease: text("first_release"),
    lastRelease: text("last_release"),
    isBookmarked: integer("is_bookmarked", { mode: "boolean" }).notNull().default(false),
    hasSeen: integer("has_seen", { mode: "boolean" }).notNull().default(false),
    assignedTo: text("assigned_to"),
    shortId: integer("short_id"),
    statusDetails: text("status_details"),
  },
  (t) => [
    index("issues_project_status").on(t.projectId, t.status),
    index("issues_project_short_id").on(t.projectId, t.shortId),
    // The retention sweep's (migration 0032): the issues whose events may be older than the cutoff.
    index("issues_project_first_seen").on(t.projectId, t.firstSeen),
    // Per-release new issues and regressions (migration 0037).
    index("issues_project_first_release").on(t.projectId, t.firstRelease, t.firstSeen),
    index("issues_project_regressed_release")
      .on(t.projectId, t.lastRelease)
      .where(sql`substatus = 'regressed'`),
  ],
);

export const issueHashes = sqliteTable(
  "issue_hashes",
  {
    projectId: integer("project_id").notNull(),
    hash: text("hash").notNull(),
    issueId: integer("issue_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.hash] })],
);

export const issueUsers = sqliteTable(
  "issue_users",
  {
    issueId: integer("issue_id").notNull(),
    userKey: text("user_key").notNull(),
  },
  (t) => [primaryKey({ columns: [t.issueId, t.userKey] })],
);

/** Tag values an issue's events carried, for search (migration 0027). */
export const issueTagValues = sqliteTable(
  "issue_tag_values",
  {
    issueId: integer("issue_id").notNull(),
    key: text("key").notNull(),
    value: text("value").notNull(),
  },
  (t) => [primaryKey({ columns: [t.issueId, t.key, t.value] })],
);

/** What happened to an issue: notes and the API's changes (migration 0041). */
export const issueActivity = sqliteTable(
  "issue_activity",
  {
    id: integer("id").primaryKey(),
    issueId: integer("issue_id").notNull(),
    type: text("type").notNull(),
    userId: integer("user_id"),
    data: text("data").notNull(),
    createdAt: real("created_at").notNull(),
  },
  (t) => [index("issue_activity_issue").on(t.issueId, t.createdAt)],
);
