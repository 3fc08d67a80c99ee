// Cron monitors in the project's Durable Object: check-ins are applied after the group commit that
// stored them (upserting the monitor from `monitor_config`, tying an ok/error to its in-progress run),
// and the object's alarm marks runs missed once their deadline passed and in-progress runs timed out
// past max_runtime — no check-in needed. A failure past the threshold spools an event for the
// monitor's issue (monitor-failure.ts); a recovery resolves that issue. The next deadline is kept in
// storage so the one alarm of the object can be armed for it.
import {
  environmentOf,
  findCheckIn,
  findMonitor,
  finishCheckIn,
  insertMonitor,
  insertMonitorCheckIn,
  issueOfHash,
  latestRunInProgress,
  type MonitorRow,
  monitorById,
  nextMonitorDeadline,
  overdueEnvironments,
  stateOf,
  timedOutCheckIns,
  updateMonitor,
  writeEnvironmentState,
  writeMonitorRun,
} from "../db/monitors.ts";
import { md5Hex } from "../grouping/hash.ts";
import {
  MAX_MISSED_PER_ALARM,
  MONITOR_RESOLVE_PENDING_SECONDS,
  MONITOR_RESOLVE_RETRY_MS,
} from "../limits.ts";
import { NIL_CHECK_IN_ID } from "../protocol/items/check-in.ts";
import type { CheckIn } from "../protocol/items/index.ts";
import {
  configFromCheckIn,
  configFromStored,
  type MonitorConfig,
  MonitorConfigError,
  maxRuntimeSeconds,
} from "../protocol/monitors/monitor-config.ts";
import { afterCheckIn, afterRun, missedRuns, type Transition } from "../protocol/monitors/monitor-state.ts";
import type { IngestBatch, KeyContext } from "./ingest-batch.ts";
import { type FailedMonitor, failureBatch, monitorIssueHash } from "./monitor-failure.ts";

/**
 * Storage keys: the project (and organization) monitors run for, the next deadline (ms), and the
 * resolutions still waiting for their issue (a recovery committed while the failure's event was spooled).
 */
const PROJECT_KEY = "monitors-project";
const DUE_KEY = "monitors-due-at";
const PENDING_KEY = "monitors-pending-resolutions";

interface PendingResolution {
  monitor: FailedMonitor;
  /** Unix seconds it was asked for; dropped after MONITOR_RESOLVE_PENDING_SECONDS. */
  since: number;
}

const sameMonitor = (a: FailedMonitor, b: FailedMonitor) => a.id === b.id && a.environment === b.environment;

export interface MonitorClockDeps {
  db: D1Database;
  storage: DurableObjectStorage;
  /** Spools a batch (a failure's event) and starts its flush. */
  spoolBatch(batch: IngestBatch): void;
  resolveIssue(issueId: number): Promise<void>;
  wakeAt(at: number): Promise<void>;
}

type Scope = { projectId: number; organizationId: number };

export class MonitorClock {
  constructor(private readonly deps: MonitorClockDeps) {}

  /** Applies committed check-ins in order (a failure of one is logged; the check-in row stays stored). */
  async apply(scope: Scope, checkIns: readonly CheckIn[]): Promise<void> {
    if (checkIns.length === 0) return;
    await this.deps.storage.put(PROJECT_KEY, scope);
    for (const checkIn of checkIns) {
      try {
        await this.applyOne(scope, checkIn);
      } catch (error) {
        console.error("monitors: check-in not applied", error);
      }
    }
    await this.rearm(scope.projectId);
  }

  /** The monitor API changed a monitor of the project: its deadlines may have moved. */
  async changed(scope: Scope): Promise<void> {
    await this.deps.storage.put(PROJECT_KEY, scope);
    await this.rearm(scope.projectId);
  }

  async dueAt(): Promise<number | null> {
    return (await this.deps.storage.get<number>(DUE_KEY)) ?? null;
  }

  /** Alarm: the missed runs and timeouts due by now. */
  async runIfDue(now = Date.now() / 1000): Promise<void> {
    // Whenever the alarm fires while a deadline is pending: D1's deadlines decide what is due, so an
    // early alarm (the spool's backstop) finds nothing and a late one catches up.
    const scope = await this.deps.storage.get<Scope>(PROJECT_KEY);
    if ((await this.dueAt()) === null || !scope) return;
    const { db } = this.deps;
    await this.retryResolutions(scope, now);
    for (const row of await overdueEnvironments(db, scope.projectId, now)) {
      const config = configFromStored(row.config);
      const monitor = { id: row.monitorId, slug: row.slug, name: row.name, environment: row.environment };
      const out = missedRuns(stateOf(row), config, now, MAX_MISSED_PER_ALARM);
      const statements = out.missed.map((expected) =>
        insertMonitorCheckIn(db, {
          projectId: scope.projectId,
          monitorId: row.monitorId,
          environment: row.environment,
          // One per environment and deadline, the same id however often the alarm looks again.
          checkInId: md5Hex(`missed ${row.environment} ${expected}`),
          status: "missed",
          duration: null,
          dateAdded: now,
          dateUpdated: now,
          expectedTime: expected,
          timeoutAt: null,
          traceId: null,
        }),
      );
      statements.push(writeEnvironmentState(db, row.id, out.state));
      await writeMonitorRun(db, statements);
      for (const t of out.transitions) await this.follow(scope, monitor, t, now);
    }
    for (const run of await timedOutCheckIns(db, scope.projectId, now)) {
      const monitorRow = await monitorById(db, run.monitorId);
      if (!monitorRow) continue;
      const env = await environmentOf(db, monitorRow, run.environment, now);
      const t = afterRun(stateOf(env), configFromStored(monitorRow.config), "timeout", now);
      await writeMonitorRun(db, [
        finishCheckIn(db, run.id, "timeout", (now - run.dateAdded) * 1000, now),
        writeEnvironmentState(db, env.id, t.state),
      ]);
      await this.follow(scope, failedMonitor(monitorRow, run.environment), t, now);
    }
    await this.rearm(scope.projectId);
  }

  private async applyOne(scope: Scope, c: CheckIn): Promise<void> {
    const { db } = this.deps;
    const monitor = await this.upsertMonitor(scope, c);
    if (!monitor || monitor.status !== "active") return;
    const config = configFromStored(monitor.config);
    const environment = c.environment ?? "production";
    const env = await environmentOf(db, monitor, environment, c.timestamp);
    // The nil id (HTTP check-ins without one): `in_progress` starts a new run, `ok`/`error` ends the
    // newest run in progress, or is a run of its own when none is (Sentry's reading of the nil id).
    const nil = c.checkInId === NIL_CHECK_IN_ID;
    const existing = nil
      ? c.status === "in_progress"
        ? null
        : await latestRunInProgress(db, monitor.id, environment)
      : await findCheckIn(db, monitor.id, c.checkInId);
    const checkInId = nil && !existing ? crypto.randomUUID().replaceAll("-", "") : c.checkInId;
    const statements: D1PreparedStatement[] = [];
    if (existing) {
      // Only a run in progress can still end; an ended run keeps its status (Sentry ignores the update).
      if (existing.status !== "in_progress" || c.status === "in_progress") return;
      const duration =
        c.duration !== undefined ? c.duration * 1000 : (c.timestamp - existing.dateAdded) * 1000;
      statements.push(finishCheckIn(db, existing.id, c.status, duration, c.timestamp));
    } else {
      statements.push(
        insertMonitorCheckIn(db, {
          projectId: scope.projectId,
          monitorId: monitor.id,
          environment,
          checkInId,
          status: c.status,
          duration: c.duration !== undefined ? c.duration * 1000 : null,
          dateAdded: c.timestamp,
          dateUpdated: c.timestamp,
          expectedTime: env.nextCheckIn,
          timeoutAt: c.status === "in_progress" ? c.timestamp + maxRuntimeSeconds(config) : null,
          traceId: c.traceId ?? null,
        }),
      );
    }
    // The end of a run already scheduled its next one when it started.
    const t =
      existing && c.status !== "in_progress"
        ? afterRun({ ...stateOf(env), lastCheckIn: c.timestamp }, config, c.status, c.timestamp)
        : afterCheckIn(stateOf(env), config, c.status, c.timestamp);
    statements.push(writeEnvironmentState(db, env.id, t.state));
    await writeMonitorRun(db, statements);
    await this.follow(scope, failedMonitor(monitor, environment), t, c.timestamp);
  }

  /** The monitor a check-in names, created or reconfigured from its monitor_config; null when unknown. */
  private async upsertMonitor(scope: Scope, c: CheckIn): Promise<MonitorRow | null> {
    const { db } = this.deps;
    let config: MonitorConfig | null = null;
    if (c.monitorConfig) {
      try {
        config = configFromCheckIn(c.monitorConfig);
      } catch (error) {
        if (!(error instanceof MonitorConfigError)) throw error;
        console.warn(`monitors: ${c.monitorSlug}: ignored monitor_config (${error.message})`);
      }
    }
    const found = await findMonitor(db, scope.organizationId, c.monitorSlug);
    // A slug of another project of the organization is not this project's to change.
    if (found && found.projectId !== scope.projectId) return null;
    if (!config) return found;
    const stored = JSON.stringify(config);
    if (found) {
      if (found.config !== stored) await updateMonitor(db, found.id, { config: stored });
      return { ...found, config: stored };
    }
    const { row } = await insertMonitor(
      db,
      {
        organizationId: scope.organizationId,
        projectId: scope.projectId,
        slug: c.monitorSlug,
        name: c.monitorSlug,
        config: stored,
        status: "active",
      },
      c.timestamp,
    );
    return row;
  }

  /** What a transition asks beyond its state: an event for the issue, or the issue's resolution. */
  private async follow(scope: Scope, monitor: FailedMonitor, t: Transition, now: number): Promise<void> {
    if (t.issueEvent) {
      const key: KeyContext = { ...scope, keyId: 0, projectLimit: null, keyLimit: null };
      this.deps.spoolBatch(failureBatch(key, monitor, t.issueEvent, now));
      // A new failure: an older recovery no longer applies.
      await this.setPending((await this.pending()).filter((p) => !sameMonitor(p.monitor, monitor)));
    }
    if (t.resolveIssue && !(await this.resolve(scope, monitor))) {
      // The failure's event is still in the spool: resolve once it is committed (from the alarm).
      await this.setPending([...(await this.pending()), { monitor, since: now }]);
    }
  }

  /** Resolves the monitor's issue; false when the issue does not exist (yet). */
  private async resolve(scope: Scope, monitor: FailedMonitor): Promise<boolean> {
    const issue = await issueOfHash(this.deps.db, scope.projectId, monitorIssueHash(monitor));
    if (!issue) return false;
    if (issue.status !== "resolved") await this.deps.resolveIssue(issue.id);
    return true;
  }

  private async retryResolutions(scope: Scope, now: number): Promise<void> {
    const left: PendingResolution[] = [];
    for (const p of await this.pending()) {
      if (await this.resolve(scope, p.monitor)) continue;
      if (now - p.since < MONITOR_RESOLVE_PENDING_SECONDS) left.push(p);
    }
    await this.setPending(left);
  }

  private async pending(): Promise<PendingResolution[]> {
    return (await this.deps.storage.get<PendingResolution[]>(PENDING_KEY)) ?? [];
  }

  private async setPending(list: PendingResolution[]): Promise<void> {
    if (list.length === 0) await this.deps.storage.delete(PENDING_KEY);
    else await this.deps.storage.put(PENDING_KEY, list);
  }

  /** Arms the alarm for the next deadline, or soon while a resolution waits for its issue. */
  private async rearm(projectId: number): Promise<void> {
    const next = await nextMonitorDeadline(this.deps.db, projectId);
    const retry = (await this.pending()).length > 0 ? Date.now() + MONITOR_RESOLVE_RETRY_MS : null;
    const at = Math.min(
      next === null ? Number.POSITIVE_INFINITY : Math.ceil(next * 1000),
      retry ?? Number.POSITIVE_INFINITY,
    );
    if (at === Number.POSITIVE_INFINITY) {
      await this.deps.storage.delete(DUE_KEY);
      return;
    }
    await this.deps.storage.put(DUE_KEY, at);
    await this.deps.wakeAt(at);
  }
}

function failedMonitor(m: MonitorRow, environment: string): FailedMonitor {
  return { id: m.id, slug: m.slug, name: m.name, environment };
}
