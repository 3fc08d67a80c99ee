// Retention's pure parts: the cutoff, the hourly row budget and when the next run is due, the stored
// bytes a group commit adds, and the API's parsing of retentionDays and storageQuotaBytes.
import { describe, expect, it } from "vitest";
import { parseRetentionDays } from "../../src/api/serializers/project.ts";
import { parseStorageQuota, storageJson } from "../../src/api/storage-quota.ts";
import { FaultlineError } from "../../src/errors.ts";
import {
  effectiveRetentionDays,
  R2_PAYLOAD_COUNTED_BYTES,
  RETENTION_CHECK_INTERVAL_MS,
  RETENTION_ROWS_PER_RUN,
  RETENTION_RUN_PAUSE_MS,
} from "../../src/limits.ts";
import {
  ALL_ISSUES,
  cutoffSeconds,
  issueWalkBound,
  nextRunAt,
  type RetentionState,
  runAllowance,
} from "../../src/project/retention-plan.ts";
import { payloadBytes, utf8Length } from "../../src/project/stored-bytes.ts";

const HOUR_MS = 3_600_000;
const at = Date.UTC(2026, 11, 6, 14, 30);
const state = (hourStart: number, rowsSpent: number): RetentionState => ({
  projectId: 1,
  organizationId: 1,
  hourStart,
  rowsSpent,
  nextAt: 0,
});

describe("retention plan", () => {
  it("cuts off the project's days, or the default 90", () => {
    expect(cutoffSeconds(at, 1)).toBe(at / 1000 - 86_400);
    expect(cutoffSeconds(at, null)).toBe(at / 1000 - 90 * 86_400);
  });

  it("keeps a project's own retention only below its organization's", () => {
    expect(effectiveRetentionDays(null, null)).toBe(90);
    expect(effectiveRetentionDays(null, 30)).toBe(30);
    expect(effectiveRetentionDays(7, 30)).toBe(7);
    // An organization lowered below a project's own value wins.
    expect(effectiveRetentionDays(60, 30)).toBe(30);
    expect(effectiveRetentionDays(60, null)).toBe(60);
    expect(cutoffSeconds(at, 60, 30)).toBe(at / 1000 - 30 * 86_400);
    expect(cutoffSeconds(at, null, 2)).toBe(at / 1000 - 2 * 86_400);
  });

  it("walks every issue at the first run and once a day, else only issues first seen before the cutoff", () => {
    const cutoff = at / 1000 - 86_400;
    expect(issueWalkBound(state(0, 0), at, cutoff)).toBe(ALL_ISSUES);
    const walked = { ...state(0, 0), fullWalkAt: at - 23 * HOUR_MS };
    expect(issueWalkBound(walked, at, cutoff)).toBe(cutoff);
    expect(issueWalkBound(walked, at + HOUR_MS, cutoff)).toBe(ALL_ISSUES);
  });

  it("spends the hour's budget once; a new hour starts afresh", () => {
    const hour = Date.UTC(2026, 11, 6, 14);
    expect(runAllowance(state(hour, 900), at, 1000)).toEqual({
      hourStart: hour,
      spentBefore: 900,
      allowance: 100,
    });
    expect(runAllowance(state(hour, 1200), at, 1000).allowance).toBe(0);
    expect(runAllowance(state(hour - HOUR_MS, 1000), at, 1000)).toEqual({
      hourStart: hour,
      spentBefore: 0,
      allowance: 1000,
    });
    // One run takes at most its share of a large budget.
    expect(runAllowance(state(0, 0), at, 10 * RETENTION_ROWS_PER_RUN).allowance).toBe(RETENTION_ROWS_PER_RUN);
  });

  it("runs next after the check interval when done, next hour when the budget is spent, shortly otherwise", () => {
    expect(nextRunAt(at, { workLeft: false, budgetLeft: true })).toBe(at + RETENTION_CHECK_INTERVAL_MS);
    expect(nextRunAt(at, { workLeft: true, budgetLeft: false })).toBe(Date.UTC(2026, 11, 6, 15));
    expect(nextRunAt(at, { workLeft: true, budgetLeft: true })).toBe(at + RETENTION_RUN_PAUSE_MS);
  });
});

describe("stored bytes", () => {
  it("counts a payload's UTF-8 bytes as TextEncoder does, and an R2 payload as the inline limit", () => {
    for (const text of ["plain", "é ü", "€ 漢字", "emoji 😀 and a lone \ud800 surrogate", ""])
      expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
    expect(payloadBytes({ payload: '{"a":"é"}', payloadKey: null })).toBe(10);
    expect(payloadBytes({ payload: null, payloadKey: "projects/1/events/x/y.json" })).toBe(
      R2_PAYLOAD_COUNTED_BYTES,
    );
    expect(payloadBytes({ payload: null, payloadKey: null })).toBe(0);
  });
});

describe("retention and quota input", () => {
  const refused = (f: () => unknown) => {
    try {
      f();
    } catch (error) {
      return error instanceof FaultlineError ? error.status : "other";
    }
    return "accepted";
  };

  it("takes retentionDays from 1 to 90 (numbers or digits), null or empty for the default", () => {
    expect(parseRetentionDays(1)).toBe(1);
    expect(parseRetentionDays("30")).toBe(30);
    expect(parseRetentionDays(null)).toBeNull();
    expect(parseRetentionDays("")).toBeNull();
    for (const bad of [0, 91, 2.5, "-3", "1e1", true, {}])
      expect(refused(() => parseRetentionDays(bad))).toBe(400);
  });

  it("caps a project's retentionDays at its organization's; null still means the organization's", () => {
    expect(parseRetentionDays(30, 30)).toBe(30);
    expect(parseRetentionDays("7", 30)).toBe(7);
    expect(parseRetentionDays(null, 1)).toBeNull();
    expect(refused(() => parseRetentionDays(31, 30))).toBe(400);
    expect(refused(() => parseRetentionDays(2, 1))).toBe(400);
  });

  it("takes a quota in whole bytes, null or empty for the default, and says when it is reached", () => {
    expect(parseStorageQuota(0, "q")).toBe(0);
    expect(parseStorageQuota("1048576", "q")).toBe(1_048_576);
    expect(parseStorageQuota(null, "q")).toBeNull();
    for (const bad of [-1, 0.5, "lots", Number.MAX_SAFE_INTEGER + 2, false])
      expect(refused(() => parseStorageQuota(bad, "q"))).toBe(400);
    expect(storageJson({ usedBytes: 10, quotaBytes: 10, customQuotaBytes: 10 })).toEqual({
      usedBytes: 10,
      quotaBytes: 10,
      defaultQuota: false,
      state: "over_quota",
    });
    expect(storageJson({ usedBytes: 9, quotaBytes: 10, customQuotaBytes: null }).state).toBe("ok");
  });
});
