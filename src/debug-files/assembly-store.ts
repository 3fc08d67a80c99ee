// D1 access for assemble jobs (`dif_assemblies`): create, lease, save progress, finish. A job is owned
// by one run at a time through a lease token; every write of a run is conditional on still holding it.
import { and, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { difAssemblies } from "../db/schema.ts";
import type { AssembleFileRequest } from "./assemble-request.ts";
import { inBatches } from "./chunk-store.ts";

export type AssemblyRow = typeof difAssemblies.$inferSelect;

export interface UploadedPartRef {
  partNumber: number;
  etag: string;
}

const seconds = (ms: number) => ms / 1000;

export async function findAssemblies(
  db: D1Database,
  projectId: number,
  checksums: readonly string[],
): Promise<Map<string, AssemblyRow>> {
  const orm = drizzle(db);
  const found = new Map<string, AssemblyRow>();
  for (const batch of inBatches(checksums)) {
    const rows = await orm
      .select()
      .from(difAssemblies)
      .where(and(eq(difAssemblies.projectId, projectId), inArray(difAssemblies.checksum, batch)));
    for (const row of rows) found.set(row.checksum, row);
  }
  return found;
}

/** Creates a job in state `created`; false when one already exists (a concurrent request made it). */
export async function createAssembly(
  db: D1Database,
  projectId: number,
  file: AssembleFileRequest,
  nowMs: number,
): Promise<boolean> {
  const rows = await drizzle(db)
    .insert(difAssemblies)
    .values({
      projectId,
      checksum: file.checksum,
      name: file.name,
      debugId: file.debugId,
      chunks: JSON.stringify(file.chunks),
      state: "created",
      createdAt: seconds(nowMs),
      updatedAt: seconds(nowMs),
    })
    .onConflictDoNothing()
    .returning({ checksum: difAssemblies.checksum });
  return rows.length > 0;
}

/** Forgets a finished job (an expired error, or an ok whose debug file was deleted since). */
export async function deleteAssembly(db: D1Database, projectId: number, checksum: string): Promise<void> {
  await drizzle(db)
    .delete(difAssemblies)
    .where(and(eq(difAssemblies.projectId, projectId), eq(difAssemblies.checksum, checksum)));
}

/** Takes the job for one run if it is unfinished and nobody holds a live lease; null otherwise. */
export async function acquireLease(
  db: D1Database,
  projectId: number,
  checksum: string,
  token: string,
  nowMs: number,
  leaseMs: number,
): Promise<AssemblyRow | null> {
  const rows = await drizzle(db)
    .update(difAssemblies)
    .set({
      state: "assembling",
      leaseToken: token,
      leaseUntil: seconds(nowMs + leaseMs),
      updatedAt: seconds(nowMs),
    })
    .where(
      and(
        eq(difAssemblies.projectId, projectId),
        eq(difAssemblies.checksum, checksum),
        inArray(difAssemblies.state, ["created", "assembling"]),
        or(isNull(difAssemblies.leaseUntil), lt(difAssemblies.leaseUntil, seconds(nowMs))),
      ),
    )
    .returning();
  return rows[0] ?? null;
}

const held = (projectId: number, checksum: string, token: string) =>
  and(
    eq(difAssemblies.projectId, projectId),
    eq(difAssemblies.checksum, checksum),
    eq(difAssemblies.leaseToken, token),
  );

/** Saves multipart progress and extends the lease; false when the lease was lost. */
export async function saveProgress(
  db: D1Database,
  projectId: number,
  checksum: string,
  token: string,
  progress: { uploadId: string | null; parts: readonly UploadedPartRef[] },
  nowMs: number,
  leaseMs: number,
): Promise<boolean> {
  const rows = await drizzle(db)
    .update(difAssemblies)
    .set({
      uploadId: progress.uploadId,
      parts: JSON.stringify(progress.parts),
      leaseUntil: seconds(nowMs + leaseMs),
      updatedAt: seconds(nowMs),
    })
    .where(held(projectId, checksum, token))
    .returning({ checksum: difAssemblies.checksum });
  return rows.length > 0;
}

/** Lets the next poll take the job over at once (the run stopped at its time budget or on a hiccup). */
export async function releaseLease(
  db: D1Database,
  projectId: number,
  checksum: string,
  token: string,
  options: { failed: boolean },
): Promise<AssemblyRow | null> {
  const rows = await drizzle(db)
    .update(difAssemblies)
    .set({
      leaseToken: null,
      leaseUntil: null,
      failures: options.failed ? sql`${difAssemblies.failures} + 1` : difAssemblies.failures,
    })
    .where(held(projectId, checksum, token))
    .returning();
  return rows[0] ?? null;
}

/** Ends the job as `ok` (with its debug file) or `error` (with the detail sentry-cli prints). */
export async function finishAssembly(
  db: D1Database,
  projectId: number,
  checksum: string,
  token: string,
  result: { state: "ok"; debugFileId: number } | { state: "error"; detail: string },
  nowMs: number,
): Promise<void> {
  await drizzle(db)
    .update(difAssemblies)
    .set({
      state: result.state,
      detail: result.state === "error" ? result.detail : null,
      debugFileId: result.state === "ok" ? result.debugFileId : null,
      uploadId: null,
      parts: "[]",
      leaseToken: null,
      leaseUntil: null,
      updatedAt: seconds(nowMs),
    })
    .where(held(projectId, checksum, token));
}
