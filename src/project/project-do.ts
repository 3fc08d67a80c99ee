// One Durable Object per project: it admits items against rate limits, spools what it accepts in its
// own storage (durable before the answer), and writes the spool to D1 in serialized group commits, so
// issue grouping and counters never race and no answer waits for D1. This class is its RPC face only;
// each method delegates to the part that does the work:
//   admission.ts (rate limits) → spool.ts (durable queue) → spool-flusher.ts (to D1) → group-commit.ts
//   (one commit), commit-lock.ts (D1 writes one at a time), caches.ts (what it remembers between
//   commits), session-health.ts (release health counters), monitor-clock.ts (cron monitors: check-ins,
//   missed runs and timeouts from the alarm), kept-data.ts (retention from the alarm, the storage
//   quota), budget-guard.ts (refusals), issue-status.ts, regroup-trigger.ts, late-alarm.ts, spooled-event.ts.
import { DurableObject } from "cloudflare:workers";
import { AlertEngine, type CommittedError } from "../alerts/index.ts";
import type { BlobBucket } from "../blobs/bucket.ts";
import { meteredBucket } from "../blobs/metered-bucket.ts";
import { meteredD1 } from "../db/metered-d1.ts";
import type { EventTableRow } from "../db/rows.ts";
import { shardDb } from "../db/shards.ts";
import type { Env } from "../env.ts";
import { RETENTION_ROW_BUDGET_PER_HOUR, SPOOL_BACKSTOP_ALARM_MS } from "../limits.ts";
import type { CheckIn } from "../protocol/items/index.ts";
import type { LateDeps } from "../symbol-service/index.ts";
import { RateLimitAdmission } from "./admission.ts";
import { earliestDue } from "./alarm-schedule.ts";
import { AlertDispatch } from "./alert-dispatch.ts";
import { BudgetGuard } from "./budget-guard.ts";
import { IssueCache, SeenReleases } from "./caches.ts";
import { CommitLock } from "./commit-lock.ts";
import { GroupCommit } from "./group-commit.ts";
import { acceptedAnswer, refusedAnswer, refusedOutcome } from "./ingest-answers.ts";
import { type IngestBatch, type IngestResult, issueGroupingOf } from "./ingest-batch.ts";
import { deleteIssuesWithData } from "./issue-deletion.ts";
import type { IssueState, Resolution } from "./issue-lifecycle.ts";
import { mergeIssues, unmergeHashes } from "./issue-merge.ts";
import { setIssueStatus } from "./issue-status.ts";
import { KeptData } from "./kept-data.ts";
import { LateSymbolicationAlarm } from "./late-alarm.ts";
import { LiveTail } from "./live-tail.ts";
import { MonitorClock } from "./monitor-clock.ts";
import { DEFAULT_SEGMENT_LIMITS, PayloadSegments, type SegmentSetup } from "./payload-segments.ts";
import { applyRegroup, type RegroupMove, type RegroupResult } from "./regroup.ts";
import { regroupBetweenCommits } from "./regroup-trigger.ts";
import type { RetentionSeams } from "./retention.ts";
import { SessionHealth } from "./session-health.ts";
import { ShardRoute } from "./shard-route.ts";
import { DEFAULT_SPOOL_CAPS, Spool, type SpoolCaps } from "./spool.ts";
import { drainSpool } from "./spool-drain.ts";
import { SpoolFlusher } from "./spool-flusher.ts";
import { spooledEventRow } from "./spooled-event.ts";
import type { ProjectStats } from "./stats.ts";
import { refusedTailItem, tailItemsOf } from "./tail-items.ts";
import { clearProjectTelemetry } from "./telemetry-reset.ts";
import { IdleUsageWriter, meteredQueue, ProjectUsageMeter } from "./usage-meter.ts";

export class ProjectDO extends DurableObject<Env> {
  private readonly issues = new IssueCache();
  private readonly admission: RateLimitAdmission;
  private readonly commits: GroupCommit;
  private readonly lock = new CommitLock();
  private readonly spool: Spool;
  private readonly flusher: SpoolFlusher;
  private readonly late: LateSymbolicationAlarm;
  private readonly alerts: AlertDispatch;
  private readonly monitors: MonitorClock;
  private readonly health: SessionHealth;
  /** Payloads of committed events, in segments (payload-segments.ts), and their reader in this object. */
  private readonly segments: PayloadSegments;
  private readonly readSegment = async (_projectId: number, locator: string) => this.segments.read(locator);
  /** Metered: the project's event shard (shard-route.ts), and the control plane (see database()). */
  private readonly db: D1Database;
  private readonly control: D1Database;
  private readonly route: ShardRoute;
  private readonly bucket: BlobBucket; // metered
  /** What this object uses, written with each group commit (usage-meter.ts). */
  private readonly meter: ProjectUsageMeter;
  private readonly budget: BudgetGuard;
  /** What the project keeps: retention of expired data and the storage quota (kept-data.ts). */
  private readonly kept: KeptData;
  private readonly idleUsage: IdleUsageWriter;
  /** The backstop alarm is armed for the envelopes spooled since it last fired. */
  private backstopArmed = false;
  private readonly tail: LiveTail;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    let guard: BudgetGuard | null = null;
    this.meter = new ProjectUsageMeter((usage) => guard?.observe(usage));
    this.control = meteredD1(this.database(env), this.meter.countD1);
    this.route = new ShardRoute(ctx.storage, (name) => this.shardDatabase(env, name));
    this.db = meteredD1(this.route.db, this.meter.countD1);
    this.bucket = meteredBucket(env.BLOBS, this.meter.countR2);
    guard = new BudgetGuard(this.db, (key, notice) => void this.alerts.budgetReached(key, notice));
    this.budget = guard;
    // The spool (assigned below) is only read when the idle write is due.
    this.idleUsage = new IdleUsageWriter(this.meter, this.db, () => this.spool.empty);
    this.tail = new LiveTail(ctx);
    this.admission = new RateLimitAdmission(ctx.storage);
    const queue = meteredQueue(env.ALERTS, (n) => this.meter.add({ queueMessages: n }));
    const wakeAt = (at: number) => this.wakeAt(at);
    this.alerts = new AlertDispatch(new AlertEngine({ db: this.db, sql: ctx.storage.sql, queue }), wakeAt);
    const afterCommit = async (
      projectId: number,
      organizationId: number,
      events: CommittedError[],
      checkIns: CheckIn[],
    ) => {
      await this.alerts.afterCommit(projectId, organizationId, events);
      // The commit stands whatever happens here: a monitor not updated is logged, never retried as a commit.
      await this.monitors
        .apply({ projectId, organizationId }, checkIns)
        .catch((error) => console.error("monitors: check-ins not applied", error));
    };
    this.health = new SessionHealth(ctx.storage.sql);
    const segmentSetup = this.segmentSetup(this.bucket);
    this.segments = new PayloadSegments(ctx.storage.sql, wakeAt, segmentSetup);
    this.kept = new KeptData({
      db: this.db,
      control: this.control,
      storage: ctx.storage,
      lock: this.lock,
      bucket: this.bucket,
      segmentMaxAgeSeconds: () => segmentSetup.limits().maxAgeSeconds,
      forgetIssues: () => this.issues.clear(),
      seams: () => this.retentionSeams(),
      wakeAt,
    });
    this.commits = new GroupCommit(
      this.db,
      this.issues,
      new SeenReleases(),
      afterCommit,
      this.meter,
      this.health,
      this.segments,
      this.kept.stored,
    );
    this.spool = new Spool(ctx.storage, () => this.spoolCaps());
    this.flusher = new SpoolFlusher({
      spool: this.spool,
      lock: this.lock,
      commits: this.commits,
      db: this.db,
      bucket: this.bucket,
      forgetCachedState: () => this.issues.clear(),
      wakeAt,
    });
    const lateDeps: LateDeps = {
      db: this.db,
      control: this.control,
      bucket: this.bucket,
      openSegment: this.readSegment,
      // The late job returns re-symbolicated events; grouping them is this object's part.
      regroup: (projectId, events) =>
        this.regroupEvents(
          projectId,
          events.map(({ event, ...e }) => ({ ...e, grouping: issueGroupingOf(event) })),
        ),
    };
    this.monitors = new MonitorClock({
      db: this.db,
      storage: ctx.storage,
      spoolBatch: (batch) => {
        this.spool.append({ batch, eventAdmitted: true });
        this.flusher.kick();
      },
      resolveIssue: (id) => setIssueStatus(this.db, null, this.issues, id, "resolved", null),
      wakeAt,
    });
    const spoolFlushed = () => this.flusher.flushedThrough(this.spool.lastSeq);
    this.late = new LateSymbolicationAlarm(ctx.storage, lateDeps, spoolFlushed, wakeAt);
    // Once the shard is known: envelopes spooled before a restart are flushed, undelivered alerts sent.
    void ctx
      .blockConcurrencyWhile(() => Promise.all([this.admission.load(), this.route.load()]))
      .then(() => {
        this.flusher.kick();
        if (this.alerts.engine.pendingDeliveries > 0) void this.alerts.send();
      });
  }

  /**
   * The D1 binding, as this object uses it. The one seam of the fault tests: test/faults/worker.ts
   * puts a D1 that fails on purpose in front of it; production returns the binding.
   */
  protected database(env: Env): D1Database {
    return env.DB;
  }

  /** The D1 binding of event shard `name`, as this object uses it: the fault seam of the shards. */
  protected shardDatabase(env: Env, name: string): D1Database {
    return shardDb(env, name);
  }

  /** The retention sweep's hourly row budget and clock (ms): a seam for the tests. */
  protected retentionSeams(): RetentionSeams {
    return { budgetPerHour: RETENTION_ROW_BUDGET_PER_HOUR, now: Date.now() };
  }

  /** Where sealed payload segments go and when one closes: a seam for the tests of sealing and R2 failures. */
  protected segmentSetup(bucket: BlobBucket): SegmentSetup {
    return { bucket, limits: () => DEFAULT_SEGMENT_LIMITS, now: Date.now };
  }

  /** The spool's caps (src/limits.ts); a seam for the tests of a full spool. */
  protected spoolCaps(): SpoolCaps {
    return DEFAULT_SPOOL_CAPS;
  }

  /**
   * Admits one envelope's items against the rate limits and spools what passed. The answer leaves once
   * the spool write is durable (the object's output gate); D1 gets it from the flush.
   */
  /** ingest() for a Worker that packs payloads: an object still on the code before refuses the call. */
  async ingestPacked(batch: IngestBatch): Promise<IngestResult> {
    return this.ingest(batch);
  }

  async ingest(batch: IngestBatch): Promise<IngestResult> {
    this.touch();
    this.route.learn(batch.key.shard);
    this.idleUsage.learn(batch.key);
    this.kept.learn(batch.key);
    // A reached cost budget or storage quota refuses the envelope, as a full spool does: never written.
    const overBudget = this.budget.check(batch.key) ?? this.kept.check(batch.key);
    if (overBudget || !this.spool.hasRoom()) {
      const refusal = refusedOutcome(batch, overBudget ? overBudget.reasonCode : "spool_full");
      this.spool.countRefusal(batch.key, refusal);
      // A full spool is flushed anyway; a shedding project's spool may be empty: the refusals go in it.
      if (this.spool.empty) this.spool.spoolRefusals(batch.receivedAt);
      this.flusher.kick();
      if (this.tail.watching) this.tail.publish([refusedTailItem(batch, refusal)]);
      return overBudget ? refusedAnswer(overBudget) : refusedAnswer();
    }
    const { admitted, limits } = this.admission.admit(this.spool.withoutRetries(batch));
    await this.spool.appendSoon(admitted);
    if (this.tail.watching) this.tail.publish(tailItemsOf(admitted));
    this.flusher.kick();
    if (!this.backstopArmed) {
      this.backstopArmed = true;
      void this.wakeAt(Date.now() + SPOOL_BACKSTOP_ALARM_MS);
    }
    return acceptedAnswer(admitted, limits);
  }

  /** The live tail's WebSocket (the Worker checked who may watch before forwarding the upgrade). */
  override async fetch(request: Request): Promise<Response> {
    this.touch();
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    return this.tail.connect();
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.tail.closed();
    try {
      ws.close(code === 1005 ? 1000 : code, "bye");
    } catch {
      // Already closed.
    }
  }

  override async webSocketError(): Promise<void> {
    this.tail.closed();
  }

  /** An error or transaction event still in the spool, as the row D1 will hold (issue id if known). */
  async spooledEvent(eventId: string): Promise<EventTableRow | null> {
    this.touch();
    const admitted = this.spool.findEvent(eventId);
    return admitted ? spooledEventRow(admitted, eventId, this.issues) : null;
  }

  /** One payload's compressed bytes of a segment this object has not sealed into R2 yet, or null. */
  async payloadSegmentBytes(locator: string): Promise<Uint8Array | null> {
    this.touch();
    return this.segments.read(locator);
  }

  /** Which of these R2 keys spooled envelopes point to (asked by the blob sweep). */
  async spooledBlobKeys(keys: string[]): Promise<string[]> {
    this.touch();
    return this.spool.holdsBlobs(keys);
  }

  /** Waits up to `timeoutMs` for the spool to reach D1; answers whether it did. */
  async drainSpool(timeoutMs = 10_000): Promise<boolean> {
    this.touch();
    const { spool, flusher, lock, segments } = this;
    return drainSpool({ spool, flusher, lock, segments }, timeoutMs);
  }

  /** Counters for the benchmark and the cost meter, with the spool's state. */
  async getStats(): Promise<ProjectStats> {
    this.touch();
    const { entries, bytes } = this.spool.size;
    return {
      ...this.commits.stats,
      ...this.flusher.stats,
      ...this.segments.stats,
      spooled: entries,
      spoolBytes: bytes,
      retention: this.kept.totals,
    };
  }

  /** Changes an issue's status through the object that owns grouping state, keeping its cache true. */
  async setIssueStatus(
    issueId: number,
    status: IssueState["status"],
    resolution: Resolution | null,
  ): Promise<void> {
    this.touch();
    await setIssueStatus(this.db, this.lock, this.issues, issueId, status, resolution);
  }

  /** Moves re-symbolicated events to the issues their new grouping selects (between group commits). */
  async regroupEvents(projectId: number, moves: RegroupMove[]): Promise<RegroupResult> {
    this.touch();
    return regroupBetweenCommits(this.db, this.lock, this.issues, projectId, moves);
  }

  /** Deletes issues of this project with their events and stored bytes (see issue-deletion.ts). */
  async deleteIssues(issueIds: number[]): Promise<void> {
    this.touch();
    await deleteIssuesWithData({ DB: this.db, BLOBS: this.bucket, lock: this.lock }, issueIds, async () =>
      this.issues.clear(),
    );
  }

  /** Merges issues into `parent` (Sentry's bulk merge), between group commits. */
  async mergeIssues(projectId: number, parent: number, children: number[]): Promise<void> {
    this.touch();
    const clear = () => this.issues.clear();
    await this.lock.run(() => mergeIssues(this.db, projectId, parent, children).finally(clear), clear);
  }

  /** Takes `hashes` from the issue; the events carrying them form a new issue. Events moved. */
  async unmergeHashes(projectId: number, issueId: number, hashes: string[]): Promise<number> {
    this.touch();
    const deps = {
      db: this.db,
      payloads: { bucket: this.bucket, openSegment: this.readSegment },
      regroup: (id: number, moves: RegroupMove[]) => applyRegroup(this.db, id, moves),
    };
    const clear = () => this.issues.clear();
    return this.lock.run(() => unmergeHashes(deps, projectId, issueId, hashes).finally(clear), clear);
  }

  /** Runs the project's late re-symbolication jobs from this object's alarm, `delayMs` from now at the latest. */
  async scheduleLateSymbolication(projectId: number, delayMs = 0): Promise<void> {
    this.touch();
    await this.late.schedule(projectId, delayMs);
  }

  /**
   * The object's one alarm: flushes the spool (a retry after D1 failures, or the backstop after an
   * eviction), then runs the late-symbolication jobs that are due and records the monitors' missed
   * runs and timeouts.
   */
  override async alarm(): Promise<void> {
    this.touch();
    this.backstopArmed = false;
    // What no commit carried since the last one (usage-meter.ts); the alarm is never armed for it.
    await this.idleUsage.writeIfIdle();
    this.flusher.kickNow();
    const alertsSent = await this.alerts.engine.sendOutbox();
    // Payload segments past their age are sealed; one whose R2 write fails stays and is retried.
    await this.segments.sealDue();
    await this.late.runIfDue();
    await this.kept.sweepIfDue();
    // Missed runs and timeouts, between group commits (they read and write monitor state).
    await this.lock
      .run(() => this.monitors.runIfDue())
      .catch((error) => console.error("monitors: alarm run failed", error));
    // The next alarm, exactly: the earliest due time of its parts, or the backstop while envelopes are spooled.
    const backstop = this.spool.empty ? null : Date.now() + SPOOL_BACKSTOP_ALARM_MS;
    const next = earliestDue([
      this.segments.dueAt(),
      await this.late.dueAt(),
      await this.monitors.dueAt(),
      await this.kept.dueAt(),
      backstop,
      alertsSent ? null : AlertDispatch.retryAt(),
    ]);
    this.backstopArmed = backstop !== null;
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }

  /**
   * Deletes what the project received and what this object remembers of it (telemetry-reset.ts): the
   * test sink's reset. False when the spool could not reach D1 first (nothing was deleted).
   */
  async clearTelemetry(projectId: number): Promise<boolean> {
    this.touch();
    return clearProjectTelemetry(
      {
        db: this.db,
        bucket: this.bucket,
        lock: this.lock,
        issues: this.issues,
        admission: this.admission,
        forgetSessions: () => this.health.clear(),
        forgetLogDigests: () => this.spool.forgetLogDigests(),
        drainSpool: () => this.drainSpool(),
      },
      projectId,
    );
  }

  /** The monitor API changed one of the project's monitors: the alarm follows its deadlines. */
  async monitorsChanged(projectId: number, organizationId: number): Promise<void> {
    await this.lock.run(() => this.monitors.changed({ projectId, organizationId }));
  }

  /** The API changed the project's alert rules or settings: the next commit reads them again. */
  async forgetAlertRules(): Promise<void> {
    this.touch();
    this.alerts.engine.forget();
  }

  /** What this object metered since its last group commit (the usage API adds it to D1's rows). */
  async pendingUsage(): Promise<ReturnType<ProjectUsageMeter["pending"]>> {
    this.touch();
    return this.meter.pending();
  }

  /** The API changed a budget or the storage quota: read the budgets, spend and stored bytes again. */
  async forgetBudget(organizationId: number, projectId: number): Promise<void> {
    this.touch();
    this.idleUsage.learn({ organizationId, projectId });
    await Promise.all([this.budget.forget({ organizationId, projectId }), this.kept.forget(organizationId)]);
  }

  /** One request to this object: metered, and the idle write of the meter moved past it. */
  private touch(): void {
    this.meter.request();
  }

  /** Forgets cached grouping state (after merges or deletes done elsewhere). */
  async forgetIssues(): Promise<void> {
    this.touch();
    this.issues.clear();
  }

  /** Arms the alarm for `at` unless it is armed sooner already. */
  private async wakeAt(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}
