// The cost meter's pure parts: list prices to dollars, the usage ledger (take / restore / hours), the
// Durable Object's active-time estimate, and the usage report the API serves.
import { describe, expect, it } from "vitest";
import { usageReport } from "../../src/api/usage-report.ts";
import { hourOf, monthStartOf, totalOf, UsageLedger } from "../../src/db/usage-ledger.ts";
import { addUsage, PRICES, PRICES_TAKEN, usageCost, zeroUsage } from "../../src/limits/prices.ts";
import { BUDGET_SHED_MARGIN, DO_ACTIVE_TAIL_MS } from "../../src/limits.ts";
import { ActiveTime } from "../../src/project/usage-meter.ts";

const HOUR_MS = 3_600_000;
const owner = { projectId: 7, organizationId: 3 };

describe("prices", () => {
  it("are Cloudflare's Workers Paid list prices, dated", () => {
    expect(PRICES_TAKEN).toMatch(/^20\d\d-\d\d-\d\d$/);
    expect(PRICES.d1RowWrittenUsd * 1e6).toBeCloseTo(1.0);
    expect(PRICES.d1RowReadUsd * 1e6).toBeCloseTo(0.001);
    expect(PRICES.r2ClassAUsd * 1e6).toBeCloseTo(4.5);
    expect(PRICES.r2ClassBUsd * 1e6).toBeCloseTo(0.36);
    expect(PRICES.doRequestUsd * 1e6).toBeCloseTo(0.15);
    expect(PRICES.doGbSecondUsd * 1e6).toBeCloseTo(12.5);
  });

  it("converts each platform unit to dollars, per product and in total", () => {
    const u = zeroUsage();
    u.d1RowsWritten = 1_000_000; // $1.00
    u.d1RowsRead = 1_000_000_000; // $1.00
    u.r2ClassA = 1_000_000; // $4.50
    u.r2ClassB = 1_000_000; // $0.36
    u.r2BytesPut = 2_000_000_000; // 2 GB for a month: $0.03
    u.doRequests = 1_000_000; // $0.15
    u.doActiveMs = 1_000_000 * 1000; // 1e6 s × 0.128 GB = 128,000 GB-s: $1.60
    u.queueMessages = 1_000_000; // 3e6 operations: $1.20
    u.workerRequests = 1_000_000; // $0.30
    const cost = usageCost(u);
    expect(cost.d1Usd).toBeCloseTo(2.0, 9);
    expect(cost.r2Usd).toBeCloseTo(4.89, 9);
    expect(cost.durableObjectsUsd).toBeCloseTo(1.75, 9);
    expect(cost.queuesUsd).toBeCloseTo(1.2, 9);
    expect(cost.workersUsd).toBeCloseTo(0.3, 9);
    expect(cost.totalUsd).toBeCloseTo(10.14, 9);
    expect(usageCost(zeroUsage()).totalUsd).toBe(0);
  });
});

describe("usage ledger", () => {
  it("gathers per project, hour and source, and take() empties it", () => {
    const ledger = new UsageLedger();
    const t = Date.UTC(2026, 11, 4, 21, 30);
    ledger.add(owner, "worker", { d1RowsRead: 2 }, t);
    ledger.add(owner, "worker", { d1RowsRead: 3, r2ClassA: 1 }, t + 60_000);
    ledger.add(owner, "worker", { d1RowsRead: 5 }, t + HOUR_MS);
    ledger.add(owner, "project_object", { d1RowsWritten: 4 }, t);
    ledger.add({ projectId: 0, organizationId: 0 }, "worker", { workerRequests: 1 }, t);
    expect(ledger.size).toBe(4);
    const taken = ledger.take();
    expect(ledger.size).toBe(0);
    const first = taken.find((e) => e.projectId === 7 && e.source === "worker" && e.hour === hourOf(t));
    expect(first?.usage).toMatchObject({ d1RowsRead: 5, r2ClassA: 1 });
    expect(first?.hour).toBe(Date.UTC(2026, 11, 4, 21) / 1000);
    expect(totalOf(taken)).toMatchObject({
      d1RowsRead: 10,
      d1RowsWritten: 4,
      workerRequests: 1,
      r2ClassA: 1,
    });
  });

  it("restore() puts a failed write back, added to what was gathered since", () => {
    const ledger = new UsageLedger();
    ledger.add(owner, "worker", { d1RowsWritten: 1 });
    const taken = ledger.take();
    ledger.add(owner, "worker", { d1RowsWritten: 2 });
    ledger.restore(taken);
    expect(totalOf(ledger.take()).d1RowsWritten).toBe(3);
  });

  it("pending() is a copy: changing it changes nothing", () => {
    const ledger = new UsageLedger();
    ledger.add(owner, "worker", { doRequests: 1 });
    const [copy] = ledger.pending();
    copy!.usage.doRequests = 100;
    expect(totalOf(ledger.pending()).doRequests).toBe(1);
  });

  it("hours and months are UTC", () => {
    expect(hourOf(Date.UTC(2026, 0, 1, 0, 59, 59))).toBe(Date.UTC(2026, 0, 1) / 1000);
    expect(monthStartOf(Date.UTC(2026, 1, 28, 23, 0))).toBe(Date.UTC(2026, 1, 1) / 1000);
  });
});

describe("Durable Object active time", () => {
  it("counts each request until the hibernation tail, overlapping spans once", () => {
    const active = new ActiveTime(10_000);
    expect(active.touch(0)).toBe(10_000);
    expect(active.touch(4_000)).toBe(4_000); // active until 14 s now
    expect(active.touch(14_000)).toBe(10_000);
    expect(active.touch(60_000)).toBe(10_000); // idle gap: not counted
    expect(active.touch(60_000)).toBe(0);
    expect(new ActiveTime().touch(0)).toBe(DO_ACTIVE_TAIL_MS);
  });
});

describe("usage report", () => {
  const nowMs = Date.UTC(2026, 11, 4, 21, 30);
  const nowHour = hourOf(nowMs);
  const window = { monthStart: monthStartOf(nowMs), fromHour: nowHour - 2 * 3600, nowHour };
  const u = (more: Parameters<typeof addUsage>[1]) => addUsage(zeroUsage(), more);

  it("sums the month by source, fills every hour of the series, and adds the object's pending usage", () => {
    const rows = [
      { projectId: 7, hour: nowHour - 3600, source: "worker" as const, usage: u({ d1RowsRead: 10 }) },
      { projectId: 7, hour: nowHour, source: "project_object" as const, usage: u({ d1RowsWritten: 6 }) },
      // Last month: in no sum of this month, outside the series.
      {
        projectId: 7,
        hour: window.monthStart - 3600,
        source: "worker" as const,
        usage: u({ d1RowsWritten: 99 }),
      },
    ];
    const pending = [{ hour: nowHour, usage: u({ d1RowsWritten: 4, doRequests: 2 }) }];
    const report = usageReport(rows, pending, window, { monthlyBudgetUsd: null });
    expect(report.monthToDate.usage).toMatchObject({ d1RowsRead: 10, d1RowsWritten: 10, doRequests: 2 });
    expect(report.monthToDate.bySource.project_object?.usage.d1RowsWritten).toBe(10);
    expect(report.monthToDate.bySource.worker?.usage.d1RowsRead).toBe(10);
    expect(report.hours.map((h) => h.usage.d1RowsWritten)).toEqual([0, 0, 10]);
    expect(report.hours[2]?.hour).toBe("2026-12-04T21:00:00.000Z");
    expect(report.monthToDate.cost.totalUsd).toBeCloseTo(usageCost(report.monthToDate.usage).totalUsd, 12);
    expect(report.budget.state).toBe("ok");
  });

  it("says shedding from the budget less the margin, for the project's or the organization's budget", () => {
    const rows = [
      { projectId: 7, hour: nowHour, source: "worker" as const, usage: u({ d1RowsWritten: 1_000_000 }) },
    ];
    // $1.00 spent.
    const under = usageReport(rows, [], window, { monthlyBudgetUsd: 1.0 / (1 - BUDGET_SHED_MARGIN) + 0.01 });
    expect(under.budget.state).toBe("ok");
    const at = usageReport(rows, [], window, { monthlyBudgetUsd: 1.0 / (1 - BUDGET_SHED_MARGIN) });
    expect(at.budget.state).toBe("shedding");
    const org = usageReport(rows, [], window, {
      monthlyBudgetUsd: null,
      organizationMonthlyBudgetUsd: 10,
      organizationSpendUsd: 9.6,
    });
    expect(org.budget.state).toBe("shedding");
  });
});
