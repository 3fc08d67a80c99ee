// Issue and budget alerts from the project's object: the engine evaluates and queues deliveries; one
// the queue refused waits in the outbox, and the object's alarm is armed to send it again. An alert
// that fails is logged, never a failure of the commit or the admission that raised it.
import type { AlertEngine, CommittedError } from "../alerts/index.ts";
import { ALERT_RETRY_FIRST_SECONDS } from "../limits.ts";
import type { BudgetNotice } from "./budget-guard.ts";
import type { KeyContext } from "./ingest-batch.ts";

export class AlertDispatch {
  constructor(
    readonly engine: AlertEngine,
    private readonly wakeAt: (at: number) => Promise<void>,
  ) {}

  /** Issue alerts for a commit's events. */
  async afterCommit(projectId: number, organizationId: number, events: CommittedError[]): Promise<void> {
    try {
      if (!(await this.engine.afterCommit(projectId, organizationId, events))) await this.retryLater();
    } catch (error) {
      console.error("alerts: evaluation failed", error);
    }
  }

  /** Sends what waits in the outbox. */
  async send(): Promise<void> {
    if (!(await this.engine.sendOutbox())) await this.retryLater();
  }

  /** Shedding for the budget started: the rules with the budget condition are delivered. */
  async budgetReached(key: KeyContext, notice: BudgetNotice): Promise<void> {
    try {
      if (!(await this.engine.budgetReached(key.projectId, key.organizationId, notice)))
        await this.retryLater();
    } catch (error) {
      console.error("alerts: budget alert failed", error);
    }
  }

  /** When the alarm retries a delivery the queue refused. */
  static retryAt(): number {
    return Date.now() + ALERT_RETRY_FIRST_SECONDS * 1000;
  }

  private retryLater(): Promise<void> {
    return this.wakeAt(AlertDispatch.retryAt());
  }
}
