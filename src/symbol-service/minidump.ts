// Minidump processing against the project's debug files: the dump is parsed, each module is matched
// to its newest uploaded debug file by debug id (code id when it has none), the unwind tables of the
// matched files are read from R2 (cached per isolate, they are immutable), and every thread is walked.
// The result is the native event the dump describes; symbolication and grouping follow as for any
// native event. Runs at ingest and again when a late debug file arrives (the walk depends on them).
import type { BlobBucket } from "../blobs/bucket.ts";
import { debugFileCfiKey, getCfiTable } from "../blobs/cfi-tables.ts";
import {
  MAX_MINIDUMP_CFI_MODULES,
  MAX_MINIDUMP_FRAMES,
  MAX_MINIDUMP_SCANNED_FRAMES,
  MAX_MINIDUMP_THREADS,
} from "../limits.ts";
import type { JsonObject } from "../protocol/types.ts";
import {
  type CfiTable,
  type Minidump,
  minidumpEvent,
  parseCfiTable,
  parseMinidump,
  type WalkSummary,
} from "../symbolication/minidump/index.ts";
import { findCandidatesCached } from "./candidate-cache.ts";
import { type Candidate, findCandidates } from "./candidates.ts";

/** Parsed tables kept per isolate (a few MiB each at most for large libraries). */
const MAX_CACHED_TABLES = 16;
const tables = new Map<string, Promise<CfiTable | null>>();

function cachedTable(bucket: BlobBucket, key: string, reads: { count: number }): Promise<CfiTable | null> {
  const hit = tables.get(key);
  if (hit) {
    tables.delete(key);
    tables.set(key, hit);
    return hit;
  }
  reads.count++;
  const loading = getCfiTable(bucket, key).then((text) =>
    text === undefined ? null : (parseCfiTable(text) ?? null),
  );
  loading.catch(() => tables.delete(key));
  tables.set(key, loading);
  if (tables.size > MAX_CACHED_TABLES) {
    const oldest = tables.keys().next();
    if (!oldest.done) tables.delete(oldest.value);
  }
  return loading;
}

export interface MinidumpContext {
  db: D1Database;
  bucket: BlobBucket;
  projectId: number;
  /** Ingest reads candidates through the isolate's cache; late re-walks read D1. */
  cachedCandidates?: { background?: (work: Promise<unknown>) => void };
}

export interface WalkedMinidump {
  dump: Minidump;
  event: JsonObject;
  summary: WalkSummary & { cfiModules: number; r2Reads: number };
}

function newest(candidates: Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const c of candidates) if (c.features.includes("unwind") && (!best || c.id > best.id)) best = c;
  return best;
}

/** Parses and walks a dump (400 when it is not a readable minidump). */
export async function walkMinidump(bytes: Uint8Array, ctx: MinidumpContext): Promise<WalkedMinidump> {
  const dump = parseMinidump(bytes);
  if (dump.threads.length > MAX_MINIDUMP_THREADS) dump.threads.length = MAX_MINIDUMP_THREADS;
  const debugIds = dump.modules.flatMap((m) => (m.debugId ? [m.debugId] : []));
  const codeIds = dump.modules.flatMap((m) => (!m.debugId && m.codeId ? [m.codeId] : []));
  const candidates = ctx.cachedCandidates
    ? await findCandidatesCached(ctx.db, ctx.projectId, debugIds, codeIds, {
        background: ctx.cachedCandidates.background,
      })
    : await findCandidates(ctx.db, ctx.projectId, debugIds, codeIds);
  const reads = { count: 0 };
  const found = new Map<number, CfiTable>();
  const pending: Promise<void>[] = [];
  dump.modules.forEach((module, index) => {
    if (pending.length >= MAX_MINIDUMP_CFI_MODULES) return;
    const matching = candidates.filter((c) =>
      module.debugId
        ? c.debugId === module.debugId
        : module.codeId !== undefined && c.codeId === module.codeId,
    );
    const best = newest(matching);
    if (!best) return;
    const key = debugFileCfiKey(ctx.projectId, best.checksum);
    pending.push(
      cachedTable(ctx.bucket, key, reads).then((table) => {
        if (table) found.set(index, table);
      }),
    );
  });
  await Promise.all(pending);
  const { event, summary } = minidumpEvent(dump, found, {
    maxFrames: MAX_MINIDUMP_FRAMES,
    maxScannedFrames: MAX_MINIDUMP_SCANNED_FRAMES,
  });
  return { dump, event, summary: { ...summary, cfiModules: found.size, r2Reads: reads.count } };
}
