// One Durable Object per project: it admits items against rate limits and commits everything a project
// receives to D1 in serialized group commits, so issue grouping and counters never race. Concurrent
// envelopes that arrive while a commit runs are written together by the next one (one D1 transaction).
import { DurableObject } from "cloudflare:workers";
import * as writes from "../db/ingest-writes.ts";
import { writeIssueStatus } from "../db/issues.ts";
import type { Env } from "../env.ts";
import { MAX_COMMIT_BATCH_UNITS } from "../limits.ts";
import { LATE_LEASE_MS, runLateAlarm } from "../native/late-files.ts";
import { insertMissingImages } from "../native/symbolicate-event.ts";
import type { DataCategory } from "../protocol/categories.ts";
import { errorText, isDataError, refusalOf, refusedCategory, storedBlobKeys } from "./commit-failures.ts";
import { type AdmittedBatch, type CommitPlan, planCommit } from "./commit-plan.ts";
import { type ActiveRateLimit, emptyBatch, type IngestBatch, type IngestResult } from "./ingest-batch.ts";
import { deleteIssuesWithData } from "./issue-deletion.ts";
import { compareReleasesBySemver, type IssueState, type Resolution } from "./issue-lifecycle.ts";
import { checkLimit, consume, type RateLimitConfig, type WindowCounter } from "./rate-limiter.ts";
import { applyRegroup, type RegroupMove, type RegroupResult } from "./regroup.ts";

/** Categories a project or key event quota applies to (Sentry's error categories). */
const EVENT_CATEGORIES: DataCategory[] = ["default", "error", "security"];
/** Batches written by one group commit at most, to bound the size of one D1 transaction. */
const MAX_BATCHES_PER_COMMIT = 64;
/**
 * How long a commit waits for more envelopes when only one is queued. Each D1 commit has fixed costs
 * (issue counter updates, outcome rows, a round trip) that are shared by every envelope in it; a few
 * milliseconds of gathering under load cuts rows written per event, at a small cost in latency.
 */
const COMMIT_GATHER_MS = 4;
/** Hash → issue entries kept in memory; misses are read from D1. */
const MAX_CACHED_HASHES = 20_000;
/** Storage keys of the late-symbolication alarm: the project it runs for, and its failed runs in a row. */
const LATE_PROJECT_KEY = "late-symbolication-project";
const LATE_FAILURES_KEY = "late-symbolication-failures";

interface Pending {
  admitted: AdmittedBatch;
  limits: ActiveRateLimit[];
  resolve: (result: IngestResult) => void;
  reject: (error: unknown) => void;
}

export interface ProjectStats {
  commits: number;
  batches: number;
  eventsStored: number;
  d1Queries: number;
  d1RowsWritten: number;
  d1RowsRead: number;
}

export class ProjectDO extends DurableObject<Env> {
  private readonly counters = new Map<string, WindowCounter>();
  private readonly hashToIssue = new Map<string, number>();
  private readonly issueStates = new Map<number, IssueState>();
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  /**
   * Envelopes that arrived while a commit was in flight: evidence of concurrent senders, the only case
   * where waiting COMMIT_GATHER_MS gathers more (one sender waiting for its answer gains nothing).
   */
  private committing = false;
  /** ingest() calls not answered yet, and when two or more last overlapped (several senders at once). */
  private inFlight = 0;
  private lastConcurrentAt = 0;
  private arrivalsDuringCommit = 0;
  private arrivalsDuringLastCommit = 0;
  /** Late-symbolication requests received; one arriving during an alarm run re-arms it at once. */
  private lateRequests = 0;
  /** Releases this object has already recorded (the insert is idempotent; this only saves statements). */
  private readonly knownReleases = new Set<string>();
  private readonly stats: ProjectStats = {
    commits: 0,
    batches: 0,
    eventsStored: 0,
    d1Queries: 0,
    d1RowsWritten: 0,
    d1RowsRead: 0,
  };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      const saved = await ctx.storage.get<Record<string, WindowCounter>>("rate-limit-counters");
      for (const [key, counter] of Object.entries(saved ?? {})) this.counters.set(key, counter);
    });
  }

  /** Admits one envelope's items against the rate limits and commits what passed. */
  async ingest(batch: IngestBatch): Promise<IngestResult> {
    const { eventAdmitted, limits } = this.admit(batch);
    const limitReason = limits[0]?.reasonCode;
    if (this.committing) this.arrivalsDuringCommit += 1;
    this.inFlight += 1;
    if (this.inFlight >= 2) this.lastConcurrentAt = Date.now();
    const done = () => {
      this.inFlight -= 1;
    };
    return new Promise<IngestResult>((resolve, reject) => {
      this.queue.push({
        admitted: { batch, eventAdmitted, ...(limitReason ? { limitReason } : {}) },
        limits,
        resolve: (result) => {
          done();
          resolve(result);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      if (!this.flushing) this.flushing = this.flushLoop().finally(() => (this.flushing = null));
    });
  }

  /** Counters for the benchmark and the cost meter. */
  async getStats(): Promise<ProjectStats> {
    return { ...this.stats };
  }

  /** Changes an issue's status through the object that owns grouping state, keeping its cache true. */
  async setIssueStatus(
    issueId: number,
    status: IssueState["status"],
    resolution: Resolution | null,
  ): Promise<void> {
    const substatus = status === "unresolved" ? "ongoing" : status === "ignored" ? "archived_forever" : null;
    await writeIssueStatus(this.env.DB, issueId, {
      status,
      substatus,
      resolution: resolution ? JSON.stringify(resolution) : null,
      resolvedAt: status === "resolved" ? Date.now() / 1000 : null,
    });
    if (this.issueStates.has(issueId))
      this.issueStates.set(issueId, { id: issueId, status, substatus, resolution });
  }

  /** Deletes issues of this project with their events and stored bytes (see issue-deletion.ts). */
  async deleteIssues(issueIds: number[]): Promise<void> {
    await deleteIssuesWithData(this.env, issueIds, () => this.forgetIssues());
  }

  /**
   * Moves re-symbolicated events (a debug file arrived late) to the issues their new grouping selects,
   * merging and deleting issues left empty. Runs between group commits, never during one, and drops
   * the cached state of every issue it touched before the next commit plans.
   */
  async regroupEvents(projectId: number, moves: RegroupMove[]): Promise<RegroupResult> {
    while (this.flushing) await this.flushing;
    const run = applyRegroup(this.env.DB, projectId, moves).then((result) => {
      const touched = new Set(result.touchedIssues);
      for (const [hash, id] of this.hashToIssue) if (touched.has(id)) this.hashToIssue.delete(hash);
      for (const id of touched) this.issueStates.delete(id);
      return result;
    });
    this.flushing = run
      .then(
        () => undefined,
        () => this.forgetIssues(),
      )
      .then(() => this.flushLoop())
      .finally(() => (this.flushing = null));
    return run;
  }

  /**
   * Late debug files: runs the project's re-symbolication jobs from this object's alarm, `delayMs` from
   * now at the latest (an alarm set earlier stays).
   */
  async scheduleLateSymbolication(projectId: number, delayMs = 0): Promise<void> {
    this.lateRequests += 1;
    await this.ctx.storage.put(LATE_PROJECT_KEY, projectId);
    const at = Date.now() + delayMs;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /** Runs pending late-symbolication jobs within a budget, re-armed while some remain (later after failures). */
  override async alarm(): Promise<void> {
    const storage = this.ctx.storage;
    const projectId = await storage.get<number>(LATE_PROJECT_KEY);
    if (projectId === undefined) return;
    const requests = this.lateRequests;
    // Armed again first: a run cut off (eviction, crash) is retried once its leases lapse.
    await storage.setAlarm(Date.now() + LATE_LEASE_MS);
    // The commit in flight lands first, so the scan sees the missing-image rows it carries.
    await this.flushing;
    const deps = {
      db: this.env.DB,
      bucket: this.env.BLOBS,
      regroup: (id: number, moves: RegroupMove[]) => this.regroupEvents(id, moves),
    };
    const run = await runLateAlarm(deps, projectId, (await storage.get<number>(LATE_FAILURES_KEY)) ?? 0);
    await storage.put(LATE_FAILURES_KEY, run.failures);
    const next = this.lateRequests !== requests ? Date.now() : run.nextRunAt;
    if (next === null) await storage.deleteAlarm();
    else await storage.setAlarm(next);
  }

  /** Forgets cached grouping state (after merges or deletes). */
  async forgetIssues(): Promise<void> {
    this.hashToIssue.clear();
    this.issueStates.clear();
  }

  private admit(batch: IngestBatch): { eventAdmitted: boolean; limits: ActiveRateLimit[] } {
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
    if (checks.length > 0)
      void this.ctx.storage.put("rate-limit-counters", Object.fromEntries(this.counters));
    return { eventAdmitted: true, limits };
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length > 0) {
      if (this.queue.length === 1 && this.concurrentLately()) {
        await new Promise((resolve) => setTimeout(resolve, COMMIT_GATHER_MS));
      }
      const taken = this.takeForCommit();
      try {
        this.committing = true;
        this.arrivalsDuringCommit = 0;
        const results = await this.commit(taken.map((p) => p.admitted)).finally(() => {
          this.committing = false;
          this.arrivalsDuringLastCommit = this.arrivalsDuringCommit;
        });
        taken.forEach((p, i) => {
          const result = results[i];
          if (result) p.resolve({ ...result, rateLimits: p.limits, everythingRateLimited: isAllLimited(p) });
          else p.reject(new Error("commit produced no result"));
        });
      } catch (error) {
        // Nothing of this commit was written (one D1 transaction); re-read grouping state next time.
        await this.forgetIssues();
        if (taken.length === 1) await this.failAlone(taken[0] as Pending, error);
        else await this.commitEachAlone(taken);
      }
    }
  }

  /**
   * The next group commit: up to MAX_BATCHES_PER_COMMIT envelopes and MAX_COMMIT_BATCH_UNITS of
   * prepared data (the first one always, whatever its size).
   */
  private takeForCommit(): Pending[] {
    let units = 0;
    let count = 0;
    for (const p of this.queue) {
      if (count >= MAX_BATCHES_PER_COMMIT) break;
      const size = p.admitted.batch.units;
      if (count > 0 && units + size > MAX_COMMIT_BATCH_UNITS) break;
      units += size;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  /**
   * A group commit failed: one envelope's rows can make the whole D1 transaction fail (a value over a
   * D1 limit), so each envelope is committed on its own and only the ones that fail again are failed.
   * Other senders' envelopes in the same commit are stored.
   */
  private async commitEachAlone(taken: Pending[]): Promise<void> {
    for (const p of taken) {
      try {
        const [result] = await this.commit([p.admitted]);
        if (result) p.resolve({ ...result, rateLimits: p.limits, everythingRateLimited: isAllLimited(p) });
        else p.reject(new Error("commit produced no result"));
      } catch (error) {
        await this.forgetIssues();
        await this.failAlone(p, error);
      }
    }
  }

  /**
   * Fails one envelope whose commit failed on its own. An error in its data (over a D1 limit, a
   * constraint) will fail every retry: it is answered as refused and counted as an `invalid` outcome.
   * Anything else (D1 overloaded, a reset) may pass later: the sender is asked to retry.
   */
  private async failAlone(p: Pending, error: unknown): Promise<void> {
    if (!isDataError(error)) {
      p.reject(error);
      return;
    }
    console.error("envelope refused by D1", error);
    const batch = p.admitted.batch;
    const outcome = {
      category: refusedCategory(batch),
      outcome: "invalid" as const,
      reason: "storage_refused",
      quantity: 1,
    };
    try {
      await this.commit([
        { batch: { ...emptyBatch(batch.key, batch.receivedAt), outcomes: [outcome] }, eventAdmitted: true },
      ]);
    } catch (outcomeError) {
      console.error("could not record outcome", outcomeError);
    }
    p.resolve({
      eventStored: false,
      duplicate: false,
      issueId: null,
      rateLimits: p.limits,
      everythingRateLimited: false,
      storedBlobKeys: [],
      refused: refusalOf(error),
    });
  }

  /** Several senders lately: envelopes overlapped in the last 100 ms, or arrived during the last commit. */
  private concurrentLately(): boolean {
    return this.arrivalsDuringLastCommit > 0 || Date.now() - this.lastConcurrentAt < 100;
  }

  private async commit(
    admitted: AdmittedBatch[],
  ): Promise<Omit<IngestResult, "rateLimits" | "everythingRateLimited">[]> {
    const db = this.env.DB;
    const projectId = admitted[0]?.batch.key.projectId;
    if (projectId === undefined) return [];
    // Bound memory between commits (never during one: the planner relies on what lookUp loaded).
    if (this.hashToIssue.size >= MAX_CACHED_HASHES) await this.forgetIssues();
    // Fast path: when every hash is cached, assume no event id is stored yet and let a duplicate abort
    // the batch (one D1 round trip instead of two); retries of stored events are rare.
    if (this.allHashesKnown(admitted)) {
      try {
        return await this.attempt(db, projectId, admitted, new Set(), "fail");
      } catch (error) {
        if (!isConstraintError(error)) throw error;
        this.stats.d1Queries += 1;
      }
    }
    const existing = await this.lookUp(db, projectId, admitted);
    return this.attempt(db, projectId, admitted, existing, "ignore");
  }

  private allHashesKnown(admitted: AdmittedBatch[]): boolean {
    return admitted.every(
      ({ batch, eventAdmitted }) =>
        !batch.event || !eventAdmitted || batch.event.grouping.hashes.every((h) => this.hashToIssue.has(h)),
    );
  }

  /** Plans and writes one group commit, given the event ids known to be stored already. */
  private async attempt(
    db: D1Database,
    projectId: number,
    admitted: AdmittedBatch[],
    existing: Set<string>,
    ifExists: "ignore" | "fail",
  ): Promise<Omit<IngestResult, "rateLimits" | "everythingRateLimited">[]> {
    const plan = planCommit(admitted, existing, this.knownIssues(admitted), compareReleasesBySemver);
    const statements = this.statementsFor(db, projectId, admitted, plan, ifExists);
    // Sentry creates a release (and links the project) the first time an event names it.
    const releases = this.unseenReleases(plan);
    const organizationId = admitted[0]?.batch.key.organizationId ?? 0;
    for (const version of releases)
      statements.push(
        ...writes.releaseSeenStatements(db, organizationId, projectId, version, Date.now() / 1000),
      );
    const newHashes = plan.newIssues.map((i) => i.primaryHash);
    const readBack = newHashes.length > 0 ? writes.issuesByHash(db, projectId, newHashes) : null;
    const all = readBack ? [...statements, readBack] : statements;
    // An envelope with nothing to keep (only a header, or only skipped items) writes nothing.
    const results = all.length > 0 ? await db.batch(all) : [];
    this.stats.commits += 1;
    this.stats.batches += admitted.length;
    this.stats.d1Queries += results.length;
    for (const r of results) {
      this.stats.d1RowsWritten += r.meta.rows_written ?? 0;
      this.stats.d1RowsRead += r.meta.rows_read ?? 0;
    }
    this.stats.eventsStored += plan.errorEvents.length + plan.transactions.length;

    // Only now that the transaction committed does the cache learn the new state.
    for (const version of releases) this.knownReleases.add(version);
    for (const state of plan.issueStates) this.issueStates.set(state.id, state);
    const createdIds = new Map<string, number>();
    const last = readBack ? results[results.length - 1] : undefined;
    for (const row of (last?.results ?? []) as IssueRow[]) {
      createdIds.set(row.hash, row.id);
      this.remember(row.hash, rowToState(row));
    }
    for (const issue of plan.newIssues) {
      const id = createdIds.get(issue.primaryHash);
      if (id === undefined) continue;
      for (const hash of issue.otherHashes)
        this.remember(hash, { id, status: "unresolved", substatus: "new", resolution: null });
    }
    for (const m of plan.hashMappings) if ("id" in m.issue) this.hashToIssue.set(m.hash, m.issue.id);

    const insertedEvents = new Set(plan.errorEvents.map((e) => e.event));
    const insertedTransactions = new Set(plan.transactions);
    return admitted.map((a, i) => {
      const per = plan.perBatch[i];
      const issue = per?.issue ?? null;
      const issueId = issue === null ? null : "id" in issue ? issue.id : (createdIds.get(issue.hash) ?? null);
      const hadEvent = a.batch.event !== null || a.batch.transaction !== null;
      return {
        eventStored: hadEvent && a.eventAdmitted,
        duplicate: per?.duplicate ?? false,
        issueId,
        storedBlobKeys: storedBlobKeys(a.batch, insertedEvents, insertedTransactions),
      };
    });
  }

  /** Reads which event ids already exist and which issues own the batches' hashes (one round trip). */
  private async lookUp(db: D1Database, projectId: number, admitted: AdmittedBatch[]): Promise<Set<string>> {
    const eventIds: string[] = [];
    const unknownHashes = new Set<string>();
    for (const { batch, eventAdmitted } of admitted) {
      if (batch.event && eventAdmitted) {
        eventIds.push(batch.event.row.eventId);
        for (const h of batch.event.grouping.hashes) if (!this.hashToIssue.has(h)) unknownHashes.add(h);
      }
      if (batch.transaction) eventIds.push(batch.transaction.row.eventId);
    }
    const queries: D1PreparedStatement[] = [];
    // D1 binds at most 100 parameters per statement.
    for (let i = 0; i < eventIds.length; i += 90)
      queries.push(writes.existingEventIds(db, projectId, eventIds.slice(i, i + 90)));
    const idQueries = queries.length;
    const hashes = [...unknownHashes];
    for (let i = 0; i < hashes.length; i += 90)
      queries.push(writes.issuesByHash(db, projectId, hashes.slice(i, i + 90)));
    const existing = new Set<string>();
    if (queries.length === 0) return existing;
    const results = await db.batch(queries);
    this.stats.d1Queries += results.length;
    results.forEach((r, i) => {
      this.stats.d1RowsRead += r.meta.rows_read ?? 0;
      if (i < idQueries) for (const row of r.results as { event_id: string }[]) existing.add(row.event_id);
      else for (const row of r.results as IssueRow[]) this.remember(row.hash, rowToState(row));
    });
    return existing;
  }

  private unseenReleases(plan: CommitPlan): Set<string> {
    const out = new Set<string>();
    const rows = [...plan.errorEvents.map((e) => e.event.row), ...plan.transactions.map((t) => t?.row)];
    for (const row of rows) {
      if (row?.release && !this.knownReleases.has(row.release)) out.add(row.release);
    }
    if (this.knownReleases.size > MAX_CACHED_HASHES) this.knownReleases.clear();
    return out;
  }

  private statementsFor(
    db: D1Database,
    projectId: number,
    admitted: AdmittedBatch[],
    plan: CommitPlan,
    ifExists: "ignore" | "fail",
  ): D1PreparedStatement[] {
    const now = Date.now() / 1000;
    const s: D1PreparedStatement[] = [];
    for (const issue of plan.newIssues) s.push(...writes.insertIssue(db, projectId, issue));
    for (const m of plan.hashMappings) s.push(writes.mapHash(db, projectId, m.hash, m.issue));
    for (const { event, issue } of plan.errorEvents) {
      s.push(writes.insertEvent(db, projectId, event.row, issue, ifExists));
      if (event.missingImages.length > 0) {
        const ref = { event_id: event.row.eventId, timestamp: event.row.timestamp };
        s.push(insertMissingImages(db, projectId, ref, event.missingImages));
      }
      for (const a of event.attachments)
        s.push(writes.insertAttachment(db, projectId, event.row.eventId, a, now));
    }
    for (const u of plan.issueUsers) s.push(writes.insertIssueUser(db, projectId, u.issue, u.userKey));
    for (const d of plan.issueDeltas) s.push(writes.updateIssueCounters(db, projectId, d));
    for (const tx of plan.transactions) {
      if (!tx) continue;
      s.push(writes.insertEvent(db, projectId, tx.row, null, ifExists));
      for (const span of tx.spans) s.push(writes.insertSpan(db, projectId, span));
    }
    for (const { batch } of admitted) {
      if (batch.looseAttachments) {
        for (const a of batch.looseAttachments.rows) {
          s.push(writes.insertAttachment(db, projectId, batch.looseAttachments.eventId, a, now));
        }
      }
      for (const span of batch.spans) s.push(writes.insertSpan(db, projectId, span));
      for (const log of batch.logs) s.push(writes.insertLog(db, projectId, log));
      for (const u of batch.sessionUpdates) s.push(writes.insertSessionUpdate(db, projectId, u));
      for (const a of batch.sessionAggregates) s.push(writes.insertSessionAggregate(db, projectId, a));
      for (const c of batch.checkIns) s.push(writes.insertCheckIn(db, projectId, c));
      for (const f of batch.feedback) s.push(writes.insertFeedback(db, projectId, f));
      for (const r of batch.userReports) s.push(writes.insertUserReport(db, projectId, r, now));
      for (const r of batch.rawItems) s.push(writes.insertRawItem(db, projectId, r, now));
    }
    const hour = Math.floor(now / 3600) * 3600;
    for (const o of plan.outcomes) s.push(writes.addOutcome(db, projectId, hour, o));
    for (const d of plan.droppedEvents) s.push(writes.recordDroppedEvent(db, projectId, d.eventId, d, now));
    return s;
  }

  /** The cached issues owning the hashes of these batches' events, as the planner wants them. */
  private knownIssues(admitted: AdmittedBatch[]): Map<string, IssueState> {
    const known = new Map<string, IssueState>();
    for (const { batch } of admitted) {
      for (const hash of batch.event?.grouping.hashes ?? []) {
        const id = this.hashToIssue.get(hash);
        const state = id === undefined ? undefined : this.issueStates.get(id);
        if (state) known.set(hash, state);
      }
    }
    return known;
  }

  private remember(hash: string, state: IssueState): void {
    this.hashToIssue.set(hash, state.id);
    // D1 is the truth: a state read from it replaces what the cache held.
    this.issueStates.set(state.id, state);
  }
}

interface IssueRow {
  hash: string;
  id: number;
  status: IssueState["status"];
  substatus: string | null;
  resolution: string | null;
}

function rowToState(row: IssueRow): IssueState {
  let resolution: Resolution | null = null;
  if (row.resolution) {
    try {
      resolution = JSON.parse(row.resolution) as Resolution;
    } catch {
      resolution = { type: "resolved" };
    }
  }
  return { id: row.id, status: row.status, substatus: row.substatus, resolution };
}

function isAllLimited(p: Pending): boolean {
  if (p.admitted.eventAdmitted || !p.admitted.batch.event) return false;
  const b = p.admitted.batch;
  // Anything else in the envelope was kept, so the request was not rejected as a whole.
  return (
    b.transaction === null &&
    b.spans.length === 0 &&
    b.logs.length === 0 &&
    b.sessionUpdates.length === 0 &&
    b.sessionAggregates.length === 0 &&
    b.checkIns.length === 0 &&
    b.feedback.length === 0 &&
    b.userReports.length === 0 &&
    b.rawItems.length === 0 &&
    b.looseAttachments === null
  );
}

/** A D1 error from a uniqueness conflict (a stored duplicate hit by the fast path's plain INSERT). */
function isConstraintError(error: unknown): boolean {
  const message = errorText(error);
  return /UNIQUE constraint failed|PRIMARY KEY|SQLITE_CONSTRAINT/i.test(message);
}
