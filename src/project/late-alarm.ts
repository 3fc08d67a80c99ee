// Late debug files: the project's Durable Object runs the project's re-symbolication jobs from its
// alarm, within a budget per run, due again while jobs remain (later after failures in a row). The
// object's one alarm also wakes the spool flush, so these jobs keep their own due time in storage.
import { LATE_LEASE_MS, type LateDeps, runLateAlarm } from "../symbol-service/index.ts";

/** Storage keys: the project the jobs run for, failed runs in a row, and when the jobs are due. */
const LATE_PROJECT_KEY = "late-symbolication-project";
const LATE_FAILURES_KEY = "late-symbolication-failures";
const LATE_DUE_KEY = "late-symbolication-due-at";

export class LateSymbolicationAlarm {
  /** Requests received; one arriving during a run makes the jobs due again at once. */
  private requests = 0;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly deps: LateDeps,
    /** Resolves once what was spooled so far is in D1 (or the flush failed). */
    private readonly spoolFlushed: () => Promise<unknown>,
    /** Arms the object's alarm for `at` at the latest. */
    private readonly wakeAt: (at: number) => Promise<void>,
  ) {}

  /** Runs the project's jobs `delayMs` from now at the latest (an earlier due time stays). */
  async schedule(projectId: number, delayMs: number): Promise<void> {
    this.requests += 1;
    await this.storage.put(LATE_PROJECT_KEY, projectId);
    const at = Date.now() + delayMs;
    const due = await this.storage.get<number>(LATE_DUE_KEY);
    if (due === undefined || due > at) await this.storage.put(LATE_DUE_KEY, at);
    await this.wakeAt(Math.min(at, due ?? at));
  }

  /** When the jobs are due next (null: none pending). */
  async dueAt(): Promise<number | null> {
    return (await this.storage.get<number>(LATE_DUE_KEY)) ?? null;
  }

  /** One alarm run: the pending jobs within the budget; then dueAt() says when the next run is due. */
  async runIfDue(): Promise<void> {
    const storage = this.storage;
    // Run whenever the alarm fires and jobs are pending, also early (the spool's backstop): the jobs
    // keep their own recheck times, and a run answers when the next one is due.
    if ((await storage.get<number>(LATE_DUE_KEY)) === undefined) return;
    const projectId = await storage.get<number>(LATE_PROJECT_KEY);
    if (projectId === undefined) {
      await storage.delete(LATE_DUE_KEY);
      return;
    }
    const requests = this.requests;
    // Due again first, with the alarm armed: a run cut off (eviction, crash) is retried once its
    // leases lapse.
    const lease = Date.now() + LATE_LEASE_MS;
    await storage.put(LATE_DUE_KEY, lease);
    await this.wakeAt(lease);
    // Spooled events reach D1 first, so the scan sees the missing-image rows they carry.
    await this.spoolFlushed();
    const run = await runLateAlarm(this.deps, projectId, (await storage.get<number>(LATE_FAILURES_KEY)) ?? 0);
    await storage.put(LATE_FAILURES_KEY, run.failures);
    const next = this.requests !== requests ? Date.now() : run.nextRunAt;
    if (next === null) await storage.delete(LATE_DUE_KEY);
    else await storage.put(LATE_DUE_KEY, next);
  }
}
