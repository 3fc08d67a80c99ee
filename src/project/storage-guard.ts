// The organization's storage quota at admission, inside the project's Durable Object (as budget-guard.ts
// does for the cost budget): the organization's stored bytes and quota are read from D1 at most every
// STORAGE_QUOTA_REFRESH_SECONDS (in the background, never awaited by an envelope), and the bytes this
// object's commits stored since are added. Once the stored bytes reach the quota, every envelope is
// refused with 429 `storage_quota` until retention (or a larger quota) makes room.
import { readStorageState, type StorageState } from "../db/storage-usage.ts";
import { STORAGE_QUOTA_REFRESH_SECONDS, STORAGE_QUOTA_RETRY_AFTER_SECONDS } from "../limits.ts";
import type { ActiveRateLimit, KeyContext } from "./ingest-batch.ts";

/** The reason code of a storage-quota refusal (X-Sentry-Rate-Limits, the outcome's reason, receipts). */
export const STORAGE_QUOTA_REASON = "storage_quota";

export class StorageGuard {
  private state: StorageState | null = null;
  private refreshedAt = 0;
  /** Bytes this object's commits stored since the last read. */
  private since = 0;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly db: D1Database,
    private readonly control: D1Database,
  ) {}

  /** A group commit stored `bytes` more. */
  stored(bytes: number): void {
    this.since += bytes;
  }

  /** The quota changed (or retention freed bytes): read again now. */
  async forget(organizationId: number): Promise<void> {
    this.refreshedAt = 0;
    await this.refresh(organizationId);
  }

  /** The limit that refuses this envelope, or null while the organization is under its quota. */
  check(key: KeyContext, nowMs = Date.now()): ActiveRateLimit | null {
    if (nowMs - this.refreshedAt >= STORAGE_QUOTA_REFRESH_SECONDS * 1000)
      void this.refresh(key.organizationId, nowMs);
    if (!this.state || this.state.usedBytes + this.since < this.state.quotaBytes) return null;
    return {
      retryAfterSeconds: STORAGE_QUOTA_RETRY_AFTER_SECONDS,
      // Every category: everything the organization sends is stored.
      categories: [],
      scope: "organization",
      reasonCode: STORAGE_QUOTA_REASON,
    };
  }

  private refresh(organizationId: number, nowMs = Date.now()): Promise<void> {
    if (this.refreshing) return this.refreshing;
    this.refreshedAt = nowMs;
    const before = this.since;
    this.since = 0;
    this.refreshing = readStorageState(this.db, this.control, organizationId)
      .then((state) => {
        this.state = state;
      })
      .catch((error: unknown) => {
        this.since += before;
        console.error("storage quota: could not read the stored bytes", error);
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }
}
