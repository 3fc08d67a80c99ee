// The cost meter's accumulator: usage in platform units gathered in memory per project, hour and source,
// taken out whole when it is written (one upsert per key, see usage.ts) and put back if that write
// failed, so a count is written once or stays pending. Pure: no storage calls here.
import { addUsage, type PlatformUsage, zeroUsage } from "../limits/prices.ts";

/** Where the work ran: in the project's Durable Object, or in a Worker request. */
export type UsageSource = "project_object" | "worker";

/** The project id of the "unattributed" bucket: work done for no one project. */
export const UNATTRIBUTED_PROJECT = 0;

/** Who the work was for: a project (and its organization), or 0 for the unattributed bucket. */
export interface UsageOwner {
  projectId: number;
  organizationId: number;
}

export interface UsageEntry extends UsageOwner {
  /** Start of the hour, Unix seconds. */
  hour: number;
  source: UsageSource;
  usage: PlatformUsage;
}

/** The start of the UTC hour holding `ms` (Unix milliseconds), in Unix seconds. */
export function hourOf(ms: number): number {
  return Math.floor(ms / 3_600_000) * 3600;
}

/** The start of the UTC month holding `ms`, in Unix seconds. */
export function monthStartOf(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
}

export class UsageLedger {
  private readonly entries = new Map<string, UsageEntry>();

  /** Adds usage for `owner` in the hour of `atMs` (now by default). */
  add(owner: UsageOwner, source: UsageSource, usage: Partial<PlatformUsage>, atMs = Date.now()): void {
    const hour = hourOf(atMs);
    const key = `${owner.projectId}:${hour}:${source}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = {
        projectId: owner.projectId,
        organizationId: owner.organizationId,
        hour,
        source,
        usage: zeroUsage(),
      };
      this.entries.set(key, entry);
    }
    // A project's organization is learnt late by some callers (0 until known).
    if (entry.organizationId === 0) entry.organizationId = owner.organizationId;
    addUsage(entry.usage, usage);
  }

  /** Everything gathered, removed from the ledger (write it, or restore() it when the write failed). */
  take(): UsageEntry[] {
    const out = [...this.entries.values()];
    this.entries.clear();
    return out;
  }

  /** Puts entries taken by take() back (their write failed). */
  restore(entries: readonly UsageEntry[]): void {
    for (const e of entries) this.add(e, e.source, e.usage, e.hour * 1000);
  }

  /** Copies of what is gathered and not yet written. */
  pending(): UsageEntry[] {
    return [...this.entries.values()].map((e) => ({ ...e, usage: { ...e.usage } }));
  }

  /** Projects and hours gathered. */
  get size(): number {
    return this.entries.size;
  }
}

/** The sum of the entries' usage. */
export function totalOf(entries: readonly { usage: PlatformUsage }[]): PlatformUsage {
  const total = zeroUsage();
  for (const e of entries) addUsage(total, e.usage);
  return total;
}
