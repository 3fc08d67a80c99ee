// Drizzle tables (migrations/*.sql mirrored): Organizations, teams, users and their memberships and
// invitations, API tokens, projects and their DSN keys.
import { integer, primaryKey, real, sqliteTable, text, unique } from "drizzle-orm/sqlite-core";

// organizations, teams and projects refuse all-digit slugs by trigger (migrations/0012_no_numeric_slugs.sql).
export const organizations = sqliteTable("organizations", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  createdAt: real("created_at").notNull(),
  /** Bytes the organization may store; NULL: DEFAULT_STORAGE_QUOTA_BYTES (docs/retention.md). */
  storageQuotaBytes: integer("storage_quota_bytes"),
  /** Days its projects keep data unless one sets fewer; NULL: DEFAULT_RETENTION_DAYS (docs/retention.md). */
  retentionDays: integer("retention_days"),
  /** The D1 binding that holds the organization's event data (src/db/shards.ts, docs/scaling.md). */
  shard: text("shard").notNull().default("DB"),
});

export const teams = sqliteTable(
  "teams",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    organizationId: integer("organization_id").notNull(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    createdAt: real("created_at").notNull(),
  },
  (t) => [unique().on(t.organizationId, t.slug)],
);

export const users = sqliteTable("users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  passwordHash: text("password_hash"),
  createdAt: real("created_at").notNull(),
});

export const memberships = sqliteTable(
  "memberships",
  {
    organizationId: integer("organization_id").notNull(),
    userId: integer("user_id").notNull(),
    role: text("role", { enum: ["owner", "admin", "member"] }).notNull(),
    createdAt: real("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.userId] })],
);

export const memberInvites = sqliteTable(
  "member_invites",
  {
    id: integer("id").primaryKey(),
    organizationId: integer("organization_id").notNull(),
    email: text("email").notNull(),
    role: text("role", { enum: ["owner", "admin", "member"] }).notNull(),
    tokenHash: text("token_hash").notNull(),
    invitedBy: integer("invited_by"),
    createdAt: real("created_at").notNull(),
    expiresAt: real("expires_at").notNull(),
  },
  (t) => [unique().on(t.organizationId, t.email)],
);

export const apiTokens = sqliteTable("api_tokens", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  tokenHash: text("token_hash").notNull().unique(),
  tokenLastCharacters: text("token_last_characters").notNull(),
  name: text("name").notNull(),
  userId: integer("user_id"),
  organizationId: integer("organization_id"),
  scopes: text("scopes").notNull(),
  createdAt: real("created_at").notNull(),
  lastUsedAt: real("last_used_at"),
});

export const projects = sqliteTable(
  "projects",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    organizationId: integer("organization_id").notNull(),
    teamId: integer("team_id"),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    platform: text("platform"),
    status: text("status", { enum: ["active", "disabled"] })
      .notNull()
      .default("active"),
    rateLimitCount: integer("rate_limit_count"),
    rateLimitWindow: integer("rate_limit_window"),
    createdAt: real("created_at").notNull(),
    // 0/1 as D1 returns them to the hand-written SQL of src/db/ (no drizzle mapping in between).
    dataScrubber: integer("data_scrubber").notNull().default(1),
    dataScrubberDefaults: integer("data_scrubber_defaults").notNull().default(1),
    scrubIpAddresses: integer("scrub_ip_addresses").notNull().default(0),
    /** JSON array of strings. */
    sensitiveFields: text("sensitive_fields").notNull().default("[]"),
    /** JSON array of strings. */
    safeFields: text("safe_fields").notNull().default("[]"),
    /** JSON object: the project's inbound filters (src/protocol/filters/stored.ts). */
    inboundFilters: text("inbound_filters").notNull().default("{}"),
    /** Days events and telemetry are kept; NULL: DEFAULT_RETENTION_DAYS (docs/retention.md). */
    retentionDays: integer("retention_days"),
  },
  (t) => [unique().on(t.organizationId, t.slug)],
);

export const projectKeys = sqliteTable("project_keys", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  projectId: integer("project_id").notNull(),
  publicKey: text("public_key").notNull().unique(),
  secretKey: text("secret_key").notNull(),
  label: text("label").notNull(),
  isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
  rateLimitCount: integer("rate_limit_count"),
  rateLimitWindow: integer("rate_limit_window"),
  createdAt: real("created_at").notNull(),
});
