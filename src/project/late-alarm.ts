// Late debug files: the project's Durable Object runs the project's re-symbolication jobs from its
// alarm, within a budget per run, re-armed while jobs remain (later after failures in a row).
import { LATE_LEASE_MS, type LateDeps, runLateAlarm } from "../symbol-service/index.ts";

/** Storage keys of the alarm: the project it runs for, and its failed runs in a row. */
const LATE_PROJECT_KEY = "late-symbolication-project";
const LATE_FAILURES_KEY = "late-symbolication-failures";

export class LateSymbolicationAlarm {
  /** Requests received; one arriving during a run re-arms the alarm at once. */
  private requests = 0;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly deps: LateDeps,
    /** Resolves once the group commit in flight landed. */
    private readonly commitsSettled: () => Promise<void>,
  ) {}

  /** Runs the project's jobs `delayMs` from now at the latest (an alarm set earlier stays). */
  async schedule(projectId: number, delayMs: number): Promise<void> {
    this.requests += 1;
    await this.storage.put(LATE_PROJECT_KEY, projectId);
    const at = Date.now() + delayMs;
    const current = await this.storage.getAlarm();
    if (current === null || current > at) await this.storage.setAlarm(at);
  }

  /** One alarm run: pending jobs within the budget, then the alarm for the next run (or none). */
  async run(): Promise<void> {
    const storage = this.storage;
    const projectId = await storage.get<number>(LATE_PROJECT_KEY);
    if (projectId === undefined) return;
    const requests = this.requests;
    // Armed again first: a run cut off (eviction, crash) is retried once its leases lapse.
    await storage.setAlarm(Date.now() + LATE_LEASE_MS);
    // The commit in flight lands first, so the scan sees the missing-image rows it carries.
    await this.commitsSettled();
    const run = await runLateAlarm(this.deps, projectId, (await storage.get<number>(LATE_FAILURES_KEY)) ?? 0);
    await storage.put(LATE_FAILURES_KEY, run.failures);
    const next = this.requests !== requests ? Date.now() : run.nextRunAt;
    if (next === null) await storage.deleteAlarm();
    else await storage.setAlarm(next);
  }
}
