// The pure cron monitor core: crontab parsing and next runs in time zones (DST included), configs from
// check-ins and from the API, and how runs move a monitor environment's state and its issue.
import { describe, expect, it } from "vitest";
import { nextRun, parseCrontab } from "../../src/protocol/monitors/crontab.ts";
import {
  configFromApi,
  configFromCheckIn,
  MonitorConfigError,
  nextExpected,
} from "../../src/protocol/monitors/monitor-config.ts";
import { afterCheckIn, missedRuns, newEnvironmentState } from "../../src/protocol/monitors/monitor-state.ts";

const t = (iso: string) => Date.parse(iso) / 1000;
const iso = (s: number | null) => (s === null ? null : new Date(s * 1000).toISOString());

describe("crontab", () => {
  it("finds the next minute of steps, ranges, lists and names", () => {
    expect(iso(nextRun(parseCrontab("*/15 * * * *"), t("2026-03-01T10:07:30Z")))).toBe(
      "2026-03-01T10:15:00.000Z",
    );
    expect(iso(nextRun(parseCrontab("0 9-17/4 * * mon-fri"), t("2026-03-06T17:00:00Z")))).toBe(
      "2026-03-09T09:00:00.000Z",
    );
    expect(iso(nextRun(parseCrontab("30 2 1,15 jan,jul *"), t("2026-01-15T03:00:00Z")))).toBe(
      "2026-07-01T02:30:00.000Z",
    );
    expect(iso(nextRun(parseCrontab("@daily"), t("2026-03-01T00:00:00Z")))).toBe("2026-03-02T00:00:00.000Z");
    // Both day fields restricted: either matches (the 13th, or any Friday).
    expect(iso(nextRun(parseCrontab("0 0 13 * 5"), t("2026-03-01T00:00:00Z")))).toBe(
      "2026-03-06T00:00:00.000Z",
    );
    expect(iso(nextRun(parseCrontab("0 0 29 2 *"), t("2026-03-01T00:00:00Z")))).toBe(
      "2028-02-29T00:00:00.000Z",
    );
    expect(nextRun(parseCrontab("0 0 31 2 *"), t("2026-03-01T00:00:00Z"))).toBeNull();
  });

  it("runs on the wall clock of the monitor's time zone, across daylight saving", () => {
    const nineInVienna = parseCrontab("0 9 * * *");
    // CET (UTC+1) in winter, CEST (UTC+2) after 29 March 2026.
    expect(iso(nextRun(nineInVienna, t("2026-03-28T12:00:00Z"), "Europe/Vienna"))).toBe(
      "2026-03-29T07:00:00.000Z",
    );
    expect(iso(nextRun(nineInVienna, t("2026-03-27T12:00:00Z"), "Europe/Vienna"))).toBe(
      "2026-03-28T08:00:00.000Z",
    );
    expect(iso(nextRun(parseCrontab("0 0 * * *"), t("2026-06-01T00:00:00Z"), "Asia/Kathmandu"))).toBe(
      "2026-06-01T18:15:00.000Z",
    );
  });

  it("refuses malformed schedules", () => {
    for (const bad of ["* * * *", "61 * * * *", "* * * * mon-", "*/0 * * * *", "5-1 * * * *"])
      expect(() => parseCrontab(bad)).toThrow();
  });
});

describe("monitor config", () => {
  it("reads a check-in's monitor_config and the API's config to one shape", () => {
    const fromCheckIn = configFromCheckIn({
      schedule: { type: "crontab", value: "0 * * * *" },
      checkin_margin: 5,
      timezone: "Europe/Vienna",
    });
    const fromApi = configFromApi({
      schedule_type: "crontab",
      schedule: "0 * * * *",
      checkin_margin: 5,
      timezone: "Europe/Vienna",
    });
    expect(fromCheckIn).toEqual(fromApi);
    expect(configFromApi({ schedule_type: "interval", schedule: [2, "hour"] }).schedule).toEqual({
      type: "interval",
      value: 2,
      unit: "hour",
    });
    expect(() => configFromApi({ schedule_type: "crontab", schedule: "nope" })).toThrow(MonitorConfigError);
    expect(() => configFromApi({ schedule: "* * * * *", timezone: "Mars/Olympus" })).toThrow(
      /timezone|valid choice/,
    );
  });

  it("expects interval runs from the last check-in, months by calendar (clamped to the month's end)", () => {
    const monthly = configFromApi({ schedule_type: "interval", schedule: [1, "month"] });
    expect(iso(nextExpected(monthly, t("2026-01-31T10:00:20Z")))).toBe("2026-02-28T10:00:00.000Z");
    const hourly = configFromApi({ schedule_type: "interval", schedule: [2, "hour"] });
    expect(iso(nextExpected(hourly, t("2026-01-01T10:00:20Z")))).toBe("2026-01-01T12:00:00.000Z");
  });
});

describe("monitor state", () => {
  const config = configFromApi({
    schedule: "*/10 * * * *",
    checkin_margin: 2,
    failure_issue_threshold: 2,
    recovery_threshold: 2,
  });

  it("opens the issue at the failure threshold and resolves it after the recovery threshold", () => {
    let s = afterCheckIn(newEnvironmentState(), config, "ok", t("2026-01-01T10:00:05Z")).state;
    expect(iso(s.nextCheckIn)).toBe("2026-01-01T10:10:00.000Z");
    expect(iso(s.nextCheckInLatest)).toBe("2026-01-01T10:12:00.000Z");
    const first = afterCheckIn(s, config, "error", t("2026-01-01T10:10:05Z"));
    expect(first.issueEvent).toBeNull();
    const second = missedRuns(first.state, config, t("2026-01-01T10:22:00Z"), 20);
    expect(second.missed.map(iso)).toEqual(["2026-01-01T10:20:00.000Z"]);
    expect(second.transitions[0]?.issueEvent).toMatchObject({ outcome: "missed" });
    s = second.state;
    expect(s).toMatchObject({ status: "missed", issueOpen: true, failures: 2 });
    expect(iso(s.nextCheckIn)).toBe("2026-01-01T10:30:00.000Z");
    const ok1 = afterCheckIn(s, config, "ok", t("2026-01-01T10:30:01Z"));
    expect(ok1.resolveIssue).toBe(false);
    const ok2 = afterCheckIn(ok1.state, config, "ok", t("2026-01-01T10:40:01Z"));
    expect(ok2.resolveIssue).toBe(true);
    expect(ok2.state).toMatchObject({ status: "ok", issueOpen: false, failures: 0 });
  });

  it("records a long outage as at most `limit` missed runs and jumps to the next run after now", () => {
    const s = afterCheckIn(newEnvironmentState(), config, "ok", t("2026-01-01T10:00:05Z")).state;
    const out = missedRuns(s, config, t("2026-01-02T10:00:30Z"), 3);
    expect(out.missed).toHaveLength(3);
    expect(iso(out.state.nextCheckIn)).toBe("2026-01-02T10:10:00.000Z");
    // A monitor that never checked in expects nothing yet.
    expect(missedRuns(newEnvironmentState(), config, t("2026-01-02T10:00:30Z"), 3).missed).toEqual([]);
  });
});
