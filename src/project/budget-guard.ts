// Monthly cost budgets at admission, inside the project's Durable Object: the month-to-date spend of the
// project and of its organization is read from D1 at most every BUDGET_REFRESH_SECONDS (in the
// background, never awaited by an envelope), and what the object meters itself is added as it happens.
// An envelope is refused whole once a spend reaches its budget less BUDGET_SHED_MARGIN; the first
// refusal after being under budget is announced (the budget alert).
import { type BudgetState, readBudgetState } from "../db/usage.ts";
import { monthStartOf } from "../db/usage-ledger.ts";
import { addUsage, type PlatformUsage, usageCost, zeroUsage } from "../limits/prices.ts";
import { BUDGET_REFRESH_SECONDS, BUDGET_RETRY_AFTER_SECONDS, BUDGET_SHED_MARGIN } from "../limits.ts";
import type { ActiveRateLimit, KeyContext } from "./ingest-batch.ts";

/** The reason code of a budget refusal (X-Sentry-Rate-Limits, the outcome's reason, receipts). */
export const BUDGET_REASON = "cost_budget";

/** Which budget is reached, and by how much. */
export interface BudgetNotice {
  scope: "project" | "organization";
  spendUsd: number;
  budgetUsd: number;
}

export class BudgetGuard {
  private state: BudgetState | null = null;
  private refreshedAt = 0;
  private monthStart = 0;
  /** Metered by this object since the last read (not in the state yet). */
  private since: PlatformUsage = zeroUsage();
  private refreshing: Promise<void> | null = null;
  private shedding = false;

  constructor(
    private readonly db: D1Database,
    private readonly announce: (key: KeyContext, notice: BudgetNotice) => void,
  ) {}

  observe(usage: Partial<PlatformUsage>): void {
    addUsage(this.since, usage);
  }

  /** The budgets changed: the next envelope waits for nothing, but the state is read again now. */
  async forget(key: Pick<KeyContext, "organizationId" | "projectId">): Promise<void> {
    this.refreshedAt = 0;
    await this.refresh(key);
  }

  /** The limit that sheds this envelope, or null while both spends are under their budgets. */
  check(key: KeyContext, nowMs = Date.now()): ActiveRateLimit | null {
    const month = monthStartOf(nowMs);
    if (month !== this.monthStart || nowMs - this.refreshedAt >= BUDGET_REFRESH_SECONDS * 1000)
      void this.refresh(key, nowMs);
    const notice = this.state ? this.reached(this.state) : null;
    if (!notice) {
      this.shedding = false;
      return null;
    }
    if (!this.shedding) {
      this.shedding = true;
      this.announce(key, notice);
    }
    return {
      retryAfterSeconds: BUDGET_RETRY_AFTER_SECONDS,
      // Every category: everything the project receives costs.
      categories: [],
      scope: notice.scope,
      reasonCode: BUDGET_REASON,
    };
  }

  /** The budget reached first (the organization's before the project's), if any. */
  private reached(state: BudgetState): BudgetNotice | null {
    const spend = (stored: PlatformUsage) => usageCost(addUsage({ ...stored }, this.since)).totalUsd;
    const over = (budget: number | null, spendUsd: number) =>
      budget !== null && spendUsd >= budget * (1 - BUDGET_SHED_MARGIN);
    const orgSpend = spend(state.organizationUsage);
    if (over(state.organizationBudgetUsd, orgSpend))
      return { scope: "organization", spendUsd: orgSpend, budgetUsd: state.organizationBudgetUsd ?? 0 };
    const projectSpend = spend(state.projectUsage);
    if (over(state.projectBudgetUsd, projectSpend))
      return { scope: "project", spendUsd: projectSpend, budgetUsd: state.projectBudgetUsd ?? 0 };
    return null;
  }

  private refresh(key: Pick<KeyContext, "organizationId" | "projectId">, nowMs = Date.now()): Promise<void> {
    if (this.refreshing) return this.refreshing;
    // Taken as fresh at once, so envelopes arriving during the read do not start reads of their own.
    this.refreshedAt = nowMs;
    const month = monthStartOf(nowMs);
    const since = zeroUsage();
    const before = this.since;
    this.since = since;
    this.refreshing = readBudgetState(this.db, key.organizationId, key.projectId, month)
      .then((state) => {
        this.state = state;
        this.monthStart = month;
      })
      .catch((error: unknown) => {
        // Keep the last state (and what was metered since it) until D1 answers again.
        // (read again after the usual interval, not on every envelope while D1 is down).
        addUsage(this.since, before);
        console.error("budget: could not read the month's spend", error);
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }
}
