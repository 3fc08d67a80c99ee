// One Durable Object per project: it admits items against rate limits and commits everything a project
// receives to D1 in serialized group commits, so issue grouping and counters never race. This class is
// its RPC face only; each method delegates to the part that does the work:
//   admission.ts (rate limits) → commit-queue.ts (group commit queue) → group-commit.ts (one commit),
//   caches.ts (what it remembers between commits), issue-status.ts, regroup-trigger.ts, late-alarm.ts.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import type { LateDeps } from "../symbol-service/index.ts";
import { RateLimitAdmission } from "./admission.ts";
import { IssueCache, SeenReleases } from "./caches.ts";
import { CommitQueue } from "./commit-queue.ts";
import { GroupCommit, type ProjectStats } from "./group-commit.ts";
import { type IngestBatch, type IngestResult, issueGroupingOf } from "./ingest-batch.ts";
import { deleteIssuesWithData } from "./issue-deletion.ts";
import type { IssueState, Resolution } from "./issue-lifecycle.ts";
import { mergeIssues, unmergeHashes } from "./issue-merge.ts";
import { setIssueStatus } from "./issue-status.ts";
import { LateSymbolicationAlarm } from "./late-alarm.ts";
import { applyRegroup, type RegroupMove, type RegroupResult } from "./regroup.ts";
import { regroupBetweenCommits } from "./regroup-trigger.ts";

export class ProjectDO extends DurableObject<Env> {
  private readonly issues = new IssueCache();
  private readonly admission: RateLimitAdmission;
  private readonly commits: GroupCommit;
  private readonly queue: CommitQueue;
  private readonly late: LateSymbolicationAlarm;
  /** The D1 database this object writes to (see database()). */
  private readonly db: D1Database;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = this.database(env);
    this.admission = new RateLimitAdmission(ctx.storage);
    this.commits = new GroupCommit(this.db, this.issues, new SeenReleases());
    this.queue = new CommitQueue({
      commit: (admitted) => this.commits.commit(admitted),
      forgetCachedState: () => this.issues.clear(),
    });
    const lateDeps: LateDeps = {
      db: this.db,
      bucket: env.BLOBS,
      // The late job returns re-symbolicated events; grouping them is this object's part.
      regroup: (projectId, events) =>
        this.regroupEvents(
          projectId,
          events.map(({ event, ...e }) => ({ ...e, grouping: issueGroupingOf(event) })),
        ),
    };
    this.late = new LateSymbolicationAlarm(ctx.storage, lateDeps, () => this.queue.settled());
    void ctx.blockConcurrencyWhile(() => this.admission.load());
  }

  /**
   * The D1 binding, as this object uses it. The one seam of the fault tests: test/faults/worker.ts
   * puts a D1 that fails on purpose in front of it; production returns the binding.
   */
  protected database(env: Env): D1Database {
    return env.DB;
  }

  /** Admits one envelope's items against the rate limits and commits what passed. */
  async ingest(batch: IngestBatch): Promise<IngestResult> {
    const { admitted, limits } = this.admission.admit(batch);
    return this.queue.enqueue(admitted, limits);
  }

  /** Counters for the benchmark and the cost meter. */
  async getStats(): Promise<ProjectStats> {
    return { ...this.commits.stats };
  }

  /** Changes an issue's status through the object that owns grouping state, keeping its cache true. */
  async setIssueStatus(
    issueId: number,
    status: IssueState["status"],
    resolution: Resolution | null,
  ): Promise<void> {
    await setIssueStatus(this.db, this.issues, issueId, status, resolution);
  }

  /** Moves re-symbolicated events to the issues their new grouping selects (between group commits). */
  async regroupEvents(projectId: number, moves: RegroupMove[]): Promise<RegroupResult> {
    return regroupBetweenCommits(this.db, this.queue, this.issues, projectId, moves);
  }

  /** Deletes issues of this project with their events and stored bytes (see issue-deletion.ts). */
  async deleteIssues(issueIds: number[]): Promise<void> {
    await deleteIssuesWithData({ ...this.env, DB: this.db }, issueIds, async () => this.issues.clear());
  }

  /** Merges issues into `parent` (Sentry's bulk merge), between group commits. */
  async mergeIssues(projectId: number, parent: number, children: number[]): Promise<void> {
    const clear = () => this.issues.clear();
    await this.queue.between(() => mergeIssues(this.db, projectId, parent, children).finally(clear), clear);
  }

  /** Takes `hashes` from the issue; the events carrying them form a new issue. Events moved. */
  async unmergeHashes(projectId: number, issueId: number, hashes: string[]): Promise<number> {
    const deps = {
      db: this.db,
      bucket: this.env.BLOBS,
      regroup: (id: number, moves: RegroupMove[]) => applyRegroup(this.db, id, moves),
    };
    const clear = () => this.issues.clear();
    return this.queue.between(() => unmergeHashes(deps, projectId, issueId, hashes).finally(clear), clear);
  }

  /** Runs the project's late re-symbolication jobs from this object's alarm, `delayMs` from now at the latest. */
  async scheduleLateSymbolication(projectId: number, delayMs = 0): Promise<void> {
    await this.late.schedule(projectId, delayMs);
  }

  /** Runs pending late-symbolication jobs within a budget, re-armed while some remain. */
  override async alarm(): Promise<void> {
    await this.late.run();
  }

  /** Forgets cached grouping state (after merges or deletes done elsewhere). */
  async forgetIssues(): Promise<void> {
    this.issues.clear();
  }
}
