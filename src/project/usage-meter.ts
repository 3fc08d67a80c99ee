// The project Durable Object's cost meter: what the object itself uses (D1 rows of its queries, R2
// operations, its requests and active time, queue messages), gathered in memory per hour and written
// with the next group commit (one upsert in the commit's own D1 batch, see group-commit.ts), so the
// meter adds no D1 round trip and at most one row written per commit; what no commit carries (the
// requests after the last one) IdleUsageWriter writes from the object's next alarm. Usage not yet written
// is answered by pendingUsage() (the usage API adds it); an eviction loses it.

import { writeUsage } from "../db/usage.ts";
import { type UsageEntry, UsageLedger, type UsageOwner } from "../db/usage-ledger.ts";
import type { PlatformUsage } from "../limits/prices.ts";
import { DO_ACTIVE_TAIL_MS, IDLE_USAGE_WRITE_AFTER_MS } from "../limits.ts";

/**
 * Active time of a Durable Object, as billed: each request keeps it active from its arrival until
 * DO_ACTIVE_TAIL_MS later; overlapping spans count once. Answers the milliseconds a request adds.
 */
export class ActiveTime {
  private activeUntil = 0;

  constructor(private readonly tailMs = DO_ACTIVE_TAIL_MS) {}

  touch(nowMs: number): number {
    const end = nowMs + this.tailMs;
    const added = Math.max(0, end - Math.max(nowMs, this.activeUntil));
    this.activeUntil = Math.max(this.activeUntil, end);
    return added;
  }
}

export class ProjectUsageMeter {
  /** Gathered under a placeholder owner: the object serves one project, named when written. */
  private readonly ledger = new UsageLedger();
  private readonly active = new ActiveTime();

  /** Called with every count (the budget guard adds them to the month's spend at once). */
  constructor(private readonly observe: (usage: Partial<PlatformUsage>) => void = () => {}) {}

  add(usage: Partial<PlatformUsage>): void {
    this.ledger.add({ projectId: 0, organizationId: 0 }, "project_object", usage);
    this.observe(usage);
  }

  /** One request to the object (RPC call, fetch, alarm), and the active time it adds. */
  request(nowMs = Date.now()): void {
    this.add({ doRequests: 1, doActiveMs: this.active.touch(nowMs) });
  }

  countD1 = (rowsRead: number, rowsWritten: number): void => {
    if (rowsRead > 0 || rowsWritten > 0) this.add({ d1RowsRead: rowsRead, d1RowsWritten: rowsWritten });
  };

  countR2 = (usage: Partial<PlatformUsage>): void => this.add(usage);

  /** When usage was last taken to be written (a group commit carries it), Unix ms. */
  lastTakenAt = 0;

  /** Everything gathered, as the project's entries (to write); restore() them if the write failed. */
  take(owner: UsageOwner): UsageEntry[] {
    this.lastTakenAt = Date.now();
    return this.ledger.take().map((e) => ({ ...e, ...owner }));
  }

  restore(entries: readonly UsageEntry[]): void {
    // Not observed again: the budget guard saw these counts when they were made.
    this.ledger.restore(entries.map((e) => ({ ...e, projectId: 0, organizationId: 0 })));
  }

  /** What was gathered since the last written commit (hour by hour). */
  pending(): { hour: number; usage: PlatformUsage }[] {
    return this.ledger.pending().map(({ hour, usage }) => ({ hour, usage }));
  }
}

/** The queue binding with every message sent counted (alert deliveries). */
export function meteredQueue<T>(
  queue: Queue<T> | undefined,
  count: (messages: number) => void,
): Queue<T> | undefined {
  if (!queue) return undefined;
  return {
    send: async (body: T, options?: QueueSendOptions) => {
      await queue.send(body, options);
      count(1);
    },
    sendBatch: async (messages: Iterable<MessageSendRequest<T>>, options?: QueueSendBatchOptions) => {
      const list = [...messages];
      await queue.sendBatch(list, options);
      count(list.length);
    },
  } as unknown as Queue<T>;
}

/**
 * Writes what the meter holds when no group commit comes to carry it (the requests after a project's
 * last commit, an idle project read through the API). It runs when the object's alarm fires for its own
 * reasons (the spool backstop, late symbolication, alert retries: no alarm is armed for it), and writes
 * only when nothing is spooled and no commit took the usage for IDLE_USAGE_WRITE_AFTER_MS, so under load
 * the commits alone write it. Needs the object's project, learnt from its first envelope (or a budget
 * change).
 */
export class IdleUsageWriter {
  private owner: UsageOwner | null = null;

  constructor(
    private readonly meter: ProjectUsageMeter,
    private readonly db: D1Database,
    private readonly spoolEmpty: () => boolean,
  ) {}

  learn(owner: UsageOwner): void {
    if (owner.projectId > 0)
      this.owner = { projectId: owner.projectId, organizationId: owner.organizationId };
  }

  async writeIfIdle(nowMs = Date.now()): Promise<void> {
    if (!this.owner || !this.spoolEmpty() || nowMs - this.meter.lastTakenAt < IDLE_USAGE_WRITE_AFTER_MS)
      return;
    const entries = this.meter.take(this.owner);
    if (entries.length === 0) return;
    try {
      await writeUsage(this.db, entries);
    } catch (error) {
      this.meter.restore(entries);
      console.error("usage: the idle write failed; kept for the next commit", error);
    }
  }
}
