// Admission of an envelope's event against the project's and the DSN key's rate limits, with the
// window counters the project's Durable Object keeps (in memory, saved to its storage after each change).
import type { DataCategory } from "../protocol/categories.ts";
import type { AdmittedBatch } from "./commit-plan.ts";
import type { ActiveRateLimit, IngestBatch } from "./ingest-batch.ts";
import { checkLimit, consume, type RateLimitConfig, type WindowCounter } from "./rate-limiter.ts";

/** Categories a project or key event quota applies to (Sentry's error categories). */
const EVENT_CATEGORIES: DataCategory[] = ["default", "error", "security"];
/** Durable Object storage key of the saved counters. */
const COUNTERS_KEY = "rate-limit-counters";

export interface Admission {
  admitted: AdmittedBatch;
  /** Limits that dropped something, for the response headers. */
  limits: ActiveRateLimit[];
}

export class RateLimitAdmission {
  private readonly counters = new Map<string, WindowCounter>();

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Loads the saved counters (the object calls it once, inside blockConcurrencyWhile). */
  async load(): Promise<void> {
    const saved = await this.storage.get<Record<string, WindowCounter>>(COUNTERS_KEY);
    for (const [key, counter] of Object.entries(saved ?? {})) this.counters.set(key, counter);
  }

  /** Forgets every window (the project's telemetry was cleared: limits start over). */
  async reset(): Promise<void> {
    this.counters.clear();
    await this.storage.delete(COUNTERS_KEY);
  }

  /** Admits the batch's event when every limit allows it (consuming from each), else drops it. */
  admit(batch: IngestBatch): Admission {
    const { eventAdmitted, limits } = this.check(batch);
    const limitReason = limits[0]?.reasonCode;
    return { admitted: { batch, eventAdmitted, ...(limitReason ? { limitReason } : {}) }, limits };
  }

  private check(batch: IngestBatch): { eventAdmitted: boolean; limits: ActiveRateLimit[] } {
    const event = batch.event;
    if (!event) return { eventAdmitted: true, limits: [] };
    const now = batch.receivedAt;
    const checks: { id: string; limit: RateLimitConfig; scope: "project" | "key" }[] = [];
    if (batch.key.projectLimit)
      checks.push({ id: "project", limit: batch.key.projectLimit, scope: "project" });
    if (batch.key.keyLimit)
      checks.push({ id: `key:${batch.key.keyId}`, limit: batch.key.keyLimit, scope: "key" });
    const limits: ActiveRateLimit[] = [];
    for (const c of checks) {
      const result = checkLimit(this.counters.get(c.id), c.limit, now, 1);
      if (!result.allowed) {
        limits.push({
          retryAfterSeconds: result.retryAfterSeconds,
          categories: EVENT_CATEGORIES,
          scope: c.scope,
          reasonCode: c.scope === "key" ? "key_quota" : "project_quota",
        });
      }
    }
    if (limits.length > 0) return { eventAdmitted: false, limits };
    for (const c of checks) this.counters.set(c.id, consume(this.counters.get(c.id), c.limit, now, 1));
    if (checks.length > 0) void this.storage.put(COUNTERS_KEY, Object.fromEntries(this.counters));
    return { eventAdmitted: true, limits };
  }
}
