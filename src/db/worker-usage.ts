// The cost meter in Worker requests (ingest before the project's object, the API, the UI): each request
// gets its own metered D1 and R2 bindings (meteredEnv), the services name who the work is for once they
// know (attributeUsage: the DSN key's project, the route's project or organization), and when the request
// ends its usage joins this isolate's ledger, written in one batch of upserts at most every
// USAGE_FLUSH_INTERVAL_MS (flushWorkerUsage, run by ctx.waitUntil). Work never attributed goes to the
// unattributed bucket (project 0). An evicted isolate loses what it had not written yet.
import { meteredBucket } from "../blobs/metered-bucket.ts";
import type { Env } from "../env.ts";
import { addUsage, type PlatformUsage, zeroUsage } from "../limits/prices.ts";
import { MAX_PENDING_USAGE_KEYS, USAGE_FLUSH_INTERVAL_MS } from "../limits.ts";
import { meteredD1 } from "./metered-d1.ts";
import { CONTROL_SHARD, organizationShards, shardDb, shardNames } from "./shards.ts";
import { writeUsage } from "./usage.ts";
import { UNATTRIBUTED_PROJECT, type UsageEntry, UsageLedger, type UsageOwner } from "./usage-ledger.ts";

/** One request's usage and who it is for (the unattributed bucket until a service says). */
export class RequestUsage {
  readonly usage: PlatformUsage = zeroUsage();
  owner: UsageOwner = { projectId: UNATTRIBUTED_PROJECT, organizationId: 0 };
  readonly startedAt = Date.now();
  /** The answer left: what background work (ctx.waitUntil) uses after it goes to the ledger directly. */
  settled = false;

  add(usage: Partial<PlatformUsage>): void {
    if (this.settled) isolate.add(this.owner, "worker", usage);
    else addUsage(this.usage, usage);
  }
}

const isolate = new UsageLedger();
let lastFlush = Date.now();
let flushing: Promise<void> | null = null;
const meters = new WeakMap<object, RequestUsage>();

/** The request's env with metered D1 and R2 bindings, and its usage (one Worker request counted). */
export function meteredEnv(env: Env): { env: Env; meter: RequestUsage } {
  const meter = new RequestUsage();
  meter.usage.workerRequests = 1;
  const count = (rowsRead: number, rowsWritten: number) =>
    meter.add({ d1RowsRead: rowsRead, d1RowsWritten: rowsWritten });
  // Every D1 binding: the control plane and each event shard.
  const shards = Object.fromEntries(
    shardNames(env).map((name) => [name, meteredD1(shardDb(env, name), count)]),
  );
  const metered: Env = {
    ...env,
    ...shards,
    BLOBS: meteredBucket(env.BLOBS, (usage) => meter.add(usage)),
  };
  meters.set(metered, meter);
  return { env: metered, meter };
}

/**
 * The request's work is for this project (projectId > 0) or organization (projectId 0). A project
 * named once is kept: an organization named later (a project route also resolves its organization)
 * does not take the work back.
 */
export function attributeUsage(env: object, owner: UsageOwner): void {
  const meter = meters.get(env);
  if (!meter) return;
  if (meter.owner.projectId !== UNATTRIBUTED_PROJECT && owner.projectId === UNATTRIBUTED_PROJECT) return;
  meter.owner = owner;
}

/** The request is over: its usage joins the isolate's ledger (in the hour it started). */
export function settleRequest(meter: RequestUsage): void {
  meter.settled = true;
  isolate.add(meter.owner, "worker", meter.usage, meter.startedAt);
}

/** Whether the isolate's ledger is due to be written. */
export function workerUsageDue(now = Date.now()): boolean {
  return (
    isolate.size > 0 && (now - lastFlush >= USAGE_FLUSH_INTERVAL_MS || isolate.size >= MAX_PENDING_USAGE_KEYS)
  );
}

/**
 * Writes the isolate's ledger (one batch per event shard, one upsert per project and hour): each
 * organization's rows go to its shard, the unattributed ones to the control plane. The rows this write
 * costs are counted as unattributed for the next flush. What could not be written is kept for the next.
 */
export function flushWorkerUsage(env: Env): Promise<void> {
  if (flushing) return flushing.then(() => (isolate.size > 0 ? flushWorkerUsage(env) : undefined));
  const entries = isolate.take();
  lastFlush = Date.now();
  if (entries.length === 0) return Promise.resolve();
  const own = zeroUsage();
  const count = (rowsRead: number, rowsWritten: number) =>
    addUsage(own, { d1RowsRead: rowsRead, d1RowsWritten: rowsWritten });
  flushing = (async () => {
    let byShard: Map<string, UsageEntry[]>;
    try {
      byShard = await entriesByShard(meteredD1(env.DB, count), entries);
    } catch (error) {
      isolate.restore(entries);
      console.error("usage: could not read the organizations' shards", error);
      return;
    }
    const written = await Promise.allSettled(
      [...byShard].map(([shard, part]) => writeUsage(meteredD1(shardDb(env, shard), count), part)),
    );
    const parts = [...byShard.values()];
    written.forEach((result, i) => {
      if (result.status === "fulfilled") return;
      isolate.restore(parts[i] ?? []);
      console.error("usage: could not write the isolate's usage", result.reason);
    });
    isolate.add({ projectId: UNATTRIBUTED_PROJECT, organizationId: 0 }, "worker", own);
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}

/** The entries grouped by their organization's shard (the unattributed ones, organization 0, on DB). */
async function entriesByShard(
  control: D1Database,
  entries: UsageEntry[],
): Promise<Map<string, UsageEntry[]>> {
  const shards = await organizationShards(control, [...new Set(entries.map((e) => e.organizationId))]);
  const out = new Map<string, UsageEntry[]>();
  for (const entry of entries) {
    const shard = shards.get(entry.organizationId) ?? CONTROL_SHARD;
    out.set(shard, [...(out.get(shard) ?? []), entry]);
  }
  return out;
}
