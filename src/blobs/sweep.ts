// The daily sweep of unreferenced ingest blobs: R2 objects under `projects/{id}/events|attachments|
// items/` that no D1 row points to and that are older than a day (a request that wrote one and then
// failed before it could clean up, a late re-symbolication that moved a payload to a new key). Young
// objects are left alone: their request may still be committing, and so are objects an envelope still
// in its project's spool points to (D1 has no row for them yet). Each run looks at a bounded number
// of objects and continues after the last key the previous run saw, wrapping around at the end.
import { referencedBlobKeys, saveSweepPosition, sweepPosition } from "../db/blob-refs.ts";
import { BLOB_SWEEP_MIN_AGE_MS, MAX_BLOB_SWEEP_OBJECTS_PER_RUN } from "../limits.ts";
import { isIngestBlobKey, PROJECTS_PREFIX, projectIdOfKey } from "./keys.ts";

/** Which of a project's keys envelopes still in its spool point to (they are not in D1 yet). */
export type SpoolHolds = (projectId: number, keys: string[]) => Promise<Set<string>>;

export interface SweepResult {
  listed: number;
  deleted: string[];
  /** Where the next run starts ("" = the beginning again). */
  nextAfter: string;
}

export async function sweepUnreferencedBlobs(
  db: D1Database,
  bucket: R2Bucket,
  nowMs: number,
  options: {
    maxObjects?: number;
    prefix?: string;
    spoolHolds?: SpoolHolds;
    /** Every event shard (the rows that reference the keys are on them); `db` alone unless given. */
    shards?: readonly D1Database[];
  } = {},
): Promise<SweepResult> {
  const maxObjects = options.maxObjects ?? MAX_BLOB_SWEEP_OBJECTS_PER_RUN;
  const prefix = options.prefix ?? PROJECTS_PREFIX;
  let after = options.prefix === undefined ? await sweepPosition(db) : "";
  let listed = 0;
  let exhausted = false;
  const candidates: string[] = [];
  while (listed < maxObjects) {
    const page = await bucket.list({
      prefix,
      limit: Math.min(1000, maxObjects - listed),
      ...(after ? { startAfter: after } : {}),
    });
    for (const object of page.objects) {
      listed += 1;
      after = object.key;
      if (isIngestBlobKey(object.key) && nowMs - object.uploaded.getTime() > BLOB_SWEEP_MIN_AGE_MS)
        candidates.push(object.key);
    }
    if (!page.truncated || page.objects.length === 0) {
      exhausted = true;
      break;
    }
  }
  // A key is kept when a row of any shard references it (the sweep lists every project's keys).
  const referenced = new Set<string>();
  for (const shard of options.shards ?? [db])
    for (const key of await referencedBlobKeys(shard, candidates)) referenced.add(key);
  const unreferenced = candidates.filter((k) => !referenced.has(k));
  const deleted = options.spoolHolds ? await notSpooled(unreferenced, options.spoolHolds) : unreferenced;
  for (let i = 0; i < deleted.length; i += 1000) await bucket.delete(deleted.slice(i, i + 1000));
  const nextAfter = exhausted ? "" : after;
  if (options.prefix === undefined) await saveSweepPosition(db, nextAfter, nowMs / 1000);
  return { listed, deleted, nextAfter };
}

/** The keys no spool holds; a project whose spool cannot be asked keeps all of its keys this run. */
async function notSpooled(keys: string[], spoolHolds: SpoolHolds): Promise<string[]> {
  const byProject = new Map<number, string[]>();
  for (const key of keys) {
    const projectId = projectIdOfKey(key);
    if (projectId === null) continue;
    byProject.set(projectId, [...(byProject.get(projectId) ?? []), key]);
  }
  const free: string[] = [];
  for (const [projectId, projectKeys] of byProject) {
    try {
      const held = await spoolHolds(projectId, projectKeys);
      free.push(...projectKeys.filter((k) => !held.has(k)));
    } catch (error) {
      console.error("blob sweep: could not ask the spool of project", projectId, error);
    }
  }
  return free;
}
