// Drizzle schema mirroring migrations/*.sql (the SQL files are the source of truth for D1; this file gives
// every row type). Keep both in step: test/integration/schema.test.ts compares tables, columns and indexes.
import { index, integer, primaryKey, real, sqliteTable, text, unique } from "drizzle-orm/sqlite-core";

// organizations, teams and projects refuse all-digit slugs by trigger (migrations/0012_no_numeric_slugs.sql).
export const organizations = sqliteTable("organizations", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  createdAt: real("created_at").notNull(),
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

export const events = sqliteTable(
  "events",
  {
    projectId: integer("project_id").notNull(),
    eventId: text("event_id").notNull(),
    issueId: integer("issue_id"),
    type: text("type").notNull(),
    timestamp: real("timestamp").notNull(),
    received: real("received").notNull(),
    level: text("level").notNull(),
    platform: text("platform").notNull(),
    release: text("release"),
    environment: text("environment"),
    userKey: text("user_key"),
    title: text("title").notNull(),
    message: text("message"),
    transactionName: text("transaction_name"),
    traceId: text("trace_id"),
    payload: text("payload"),
    payloadKey: text("payload_key"),
  },
  // WITHOUT ROWID in the migration: the key is the table.
  (t) => [
    primaryKey({ columns: [t.projectId, t.eventId] }),
    index("events_issue_timestamp").on(t.issueId, t.timestamp),
    // Partial in the migration (WHERE payload_key IS NOT NULL): only payloads stored in R2.
    index("events_payload_key").on(t.payloadKey),
  ],
);

export const spans = sqliteTable(
  "spans",
  {
    projectId: integer("project_id").notNull(),
    traceId: text("trace_id").notNull(),
    spanId: text("span_id").notNull(),
    parentSpanId: text("parent_span_id"),
    segmentId: text("segment_id"),
    eventId: text("event_id"),
    isSegment: integer("is_segment", { mode: "boolean" }).notNull(),
    name: text("name").notNull(),
    op: text("op"),
    description: text("description"),
    status: text("status"),
    startTimestamp: real("start_timestamp").notNull(),
    endTimestamp: real("end_timestamp").notNull(),
    durationMs: real("duration_ms").notNull(),
    transactionName: text("transaction_name"),
    release: text("release"),
    environment: text("environment"),
    attributes: text("attributes").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.traceId, t.spanId] })],
);

export const attachments = sqliteTable(
  "attachments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id").notNull(),
    eventId: text("event_id").notNull(),
    name: text("name").notNull(),
    contentType: text("content_type").notNull(),
    attachmentType: text("attachment_type").notNull(),
    size: integer("size").notNull(),
    blobKey: text("blob_key").notNull(),
    createdAt: real("created_at").notNull(),
  },
  (t) => [index("attachments_event").on(t.projectId, t.eventId), index("attachments_blob_key").on(t.blobKey)],
);

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
  (t) => [index("logs_project_timestamp").on(t.projectId, t.timestamp)],
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

export const rawItems = sqliteTable(
  "raw_items",
  {
    id: integer("id").primaryKey(),
    projectId: integer("project_id").notNull(),
    eventId: text("event_id"),
    type: text("type").notNull(),
    size: integer("size").notNull(),
    blobKey: text("blob_key").notNull(),
    metadata: text("metadata").notNull(),
    received: real("received").notNull(),
  },
  (t) => [index("raw_items_blob_key").on(t.blobKey)],
);

/** Where the sweep of unreferenced R2 objects stopped (one row, id 1). */
export const blobSweepState = sqliteTable("blob_sweep_state", {
  id: integer("id").primaryKey(),
  afterKey: text("after_key").notNull(),
  updatedAt: real("updated_at").notNull(),
});

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

// --- migrations/0003_releases_debug_files.sql: releases, deploys, chunk upload and debug files ---

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

export const fileChunks = sqliteTable(
  "file_chunks",
  {
    organizationId: integer("organization_id").notNull(),
    sha1: text("sha1").notNull(),
    size: integer("size").notNull(),
    createdAt: real("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.sha1] })],
);

export const difAssemblies = sqliteTable(
  "dif_assemblies",
  {
    projectId: integer("project_id").notNull(),
    checksum: text("checksum").notNull(),
    name: text("name").notNull(),
    debugId: text("debug_id"),
    chunks: text("chunks").notNull(),
    state: text("state", { enum: ["created", "assembling", "ok", "error"] }).notNull(),
    detail: text("detail"),
    debugFileId: integer("debug_file_id"),
    uploadId: text("upload_id"),
    parts: text("parts").notNull().default("[]"),
    leaseToken: text("lease_token"),
    leaseUntil: real("lease_until"),
    failures: integer("failures").notNull().default(0),
    createdAt: real("created_at").notNull(),
    updatedAt: real("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.checksum] })],
);

export const debugFiles = sqliteTable(
  "debug_files",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id").notNull(),
    checksum: text("checksum").notNull(),
    debugId: text("debug_id").notNull(),
    codeId: text("code_id"),
    objectName: text("object_name").notNull(),
    cpuName: text("cpu_name").notNull(),
    symbolType: text("symbol_type").notNull(),
    kind: text("kind").notNull(),
    features: text("features").notNull(),
    size: integer("size").notNull(),
    contentType: text("content_type").notNull(),
    blobKey: text("blob_key").notNull(),
    createdAt: real("created_at").notNull(),
  },
  (t) => [
    unique().on(t.projectId, t.checksum),
    index("debug_files_debug_id").on(t.projectId, t.debugId),
    index("debug_files_code_id").on(t.projectId, t.codeId),
  ],
);

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

export const debugFileLookups = sqliteTable(
  "debug_file_lookups",
  {
    projectId: integer("project_id").notNull(),
    checksum: text("checksum").notNull(),
    debugId: text("debug_id").notNull(),
    state: text("state", { enum: ["ok", "error"] }).notNull(),
    detail: text("detail"),
    blobKey: text("blob_key"),
    size: integer("size"),
    fileSize: integer("file_size").notNull(),
    buildMs: real("build_ms").notNull(),
    createdAt: real("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.checksum] })],
);

export const eventDebugImages = sqliteTable(
  "event_debug_images",
  {
    projectId: integer("project_id").notNull(),
    debugId: text("debug_id").notNull(),
    eventId: text("event_id").notNull(),
    timestamp: real("timestamp").notNull(),
    missing: integer("missing").notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.debugId, t.eventId] })],
);

export const symbolicationJobs = sqliteTable(
  "symbolication_jobs",
  {
    projectId: integer("project_id").notNull(),
    debugId: text("debug_id").notNull(),
    state: text("state", { enum: ["pending", "done"] }).notNull(),
    cursor: text("cursor").notNull().default(""),
    done: integer("done").notNull().default(0),
    leaseToken: text("lease_token"),
    leaseUntil: real("lease_until"),
    createdAt: real("created_at").notNull(),
    updatedAt: real("updated_at").notNull(),
    recheckAt: real("recheck_at"),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.debugId] }),
    index("symbolication_jobs_pending").on(t.projectId, t.state),
  ],
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

export const uiLoginCounters = sqliteTable(
  "ui_login_counters",
  {
    key: text("key").primaryKey(),
    windowStart: real("window_start").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [index("ui_login_counters_window").on(t.windowStart)],
);
