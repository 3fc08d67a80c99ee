// Drizzle tables (migrations/*.sql mirrored): Debug files: chunk upload, assemblies, stored files, their
// lookup tables, and the events and jobs of late symbolication.
import { index, integer, primaryKey, real, sqliteTable, text, unique } from "drizzle-orm/sqlite-core";

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
