// What the project keeps, as its Durable Object wires it: the retention sweep of expired data (run from
// the object's alarm, retention.ts) and the organization's storage quota at admission
// (storage-guard.ts). The sweep's deletions give bytes back to the quota, so a sweep that freed bytes
// has the quota read again.
import type { BlobBucket } from "../blobs/bucket.ts";
import { rowObjectsAndSegments } from "../blobs/expired-bytes.ts";
import type { CommitLock } from "./commit-lock.ts";
import type { ActiveRateLimit, KeyContext } from "./ingest-batch.ts";
import { type RetentionSeams, RetentionSweep, type RetentionTotals } from "./retention.ts";
import { StorageGuard } from "./storage-guard.ts";

export interface KeptDataDeps {
  /** The project's event shard. */
  db: D1Database;
  /** The control plane: the project's retention setting and the organization's quota. */
  control: D1Database;
  storage: DurableObjectStorage;
  lock: CommitLock;
  bucket: BlobBucket;
  /** How long a payload segment takes payloads (s), for the deletion of sealed segments. */
  segmentMaxAgeSeconds: () => number;
  forgetIssues(): void;
  seams(): RetentionSeams;
  wakeAt(at: number): Promise<void>;
}

export class KeptData {
  private readonly quota: StorageGuard;
  private readonly sweep: RetentionSweep;

  constructor(deps: KeptDataDeps) {
    const { bucket, segmentMaxAgeSeconds, ...rest } = deps;
    this.quota = new StorageGuard(deps.db, deps.control);
    this.sweep = new RetentionSweep({ ...rest, bytes: rowObjectsAndSegments(bucket, segmentMaxAgeSeconds) });
  }

  /** A group commit stored `bytes` more (the quota's count until it reads D1 again). */
  readonly stored = (bytes: number): void => this.quota.stored(bytes);

  /** The object serves this project: its sweep is scheduled. */
  learn(key: KeyContext): void {
    void this.sweep.learn({ projectId: key.projectId, organizationId: key.organizationId });
  }

  /** The storage quota's refusal of this envelope, or null. */
  check(key: KeyContext): ActiveRateLimit | null {
    return this.quota.check(key);
  }

  /** The quota changed: read it again. */
  forget(organizationId: number): Promise<void> {
    return this.quota.forget(organizationId);
  }

  /** Runs the sweep when due; bytes it freed are read back into the quota. */
  async sweepIfDue(): Promise<void> {
    const swept = await this.sweep.runIfDue();
    if (swept && swept.bytes > 0) await this.quota.forget(swept.organizationId);
  }

  dueAt(): Promise<number | null> {
    return this.sweep.dueAt();
  }

  /** What the sweeps deleted since the object started. */
  get totals(): RetentionTotals {
    return { ...this.sweep.totals };
  }
}
