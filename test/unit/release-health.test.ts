// The pure release health core: how updates and aggregates become hourly counters (a session counted
// once under its worst status), and Sentry's sessions API answer over counter rows.
import { describe, expect, it } from "vitest";
import {
  bucketSeconds,
  durationBucket,
  durationQuantile,
  planHealth,
  type TrackedSession,
} from "../../src/protocol/health/session-counting.ts";
import { alignRange, parseSessionsQuery, sessionsAnswer } from "../../src/protocol/health/sessions-query.ts";
import type { SessionUpdate } from "../../src/protocol/items/types.ts";

const HOUR = 1_700_000_000 - (1_700_000_000 % 3600);
const update = (
  sid: string,
  status: SessionUpdate["status"],
  extra: Partial<SessionUpdate> = {},
): SessionUpdate => ({
  sid,
  timestamp: HOUR + 100,
  started: HOUR + 10,
  init: false,
  status,
  errors: 0,
  release: "r1",
  ...extra,
});

describe("planHealth", () => {
  it("counts a new session once, and an update that makes it worse moves it between columns", () => {
    const first = planHealth(
      [update("a", "ok", { init: true, did: "u" }), update("a", "ok", { errors: 2 })],
      [],
      new Map(),
    );
    expect(first.counters).toEqual([
      {
        hour: HOUR,
        release: "r1",
        environment: "",
        healthy: 0,
        errored: 1,
        abnormal: 0,
        unhandled: 0,
        crashed: 0,
      },
    ]);
    const known = new Map<string, TrackedSession>(first.sessions.map((s) => [s.sid, s]));
    const second = planHealth([update("a", "crashed")], [], known);
    expect(second.counters).toEqual([
      {
        hour: HOUR,
        release: "r1",
        environment: "",
        healthy: 0,
        errored: -1,
        abnormal: 0,
        unhandled: 0,
        crashed: 1,
      },
    ]);
    expect(second.users).toEqual([expect.objectContaining({ rank: 4 })]);
    // Exited after a crash, or a second crash, changes nothing.
    const crashed = new Map(second.sessions.map((s) => [s.sid, s]));
    expect(planHealth([update("a", "exited"), update("a", "crashed")], [], crashed).counters).toEqual([]);
  });

  it("keeps a session in the hour and release it started in", () => {
    const first = planHealth([update("b", "ok")], [], new Map());
    const known = new Map(first.sessions.map((s) => [s.sid, s]));
    const later = planHealth(
      [update("b", "abnormal", { started: HOUR + 7200, release: "other" })],
      [],
      known,
    );
    expect(later.counters[0]).toMatchObject({ hour: HOUR, release: "r1", healthy: -1, abnormal: 1 });
  });

  it("adds aggregates as counts and counts their user under the worst non-empty status", () => {
    const plan = planHealth(
      [],
      [
        {
          started: HOUR + 60,
          did: "x",
          exited: 3,
          errored: 1,
          abnormal: 0,
          unhandled: 0,
          crashed: 0,
          release: "r2",
          environment: "prod",
        },
      ],
      new Map(),
    );
    expect(plan.counters[0]).toMatchObject({ healthy: 3, errored: 1, environment: "prod" });
    expect(plan.users).toEqual([expect.objectContaining({ rank: 1, release: "r2" })]);
  });
});

describe("session durations", () => {
  it("counts the duration of a healthy session once, when it exits, and never an unhealthy one's", () => {
    const first = planHealth(
      [update("d", "ok", { init: true }), update("d", "exited", { duration: 30 })],
      [],
      new Map(),
    );
    expect(first.durations).toEqual([
      { hour: HOUR, release: "r1", environment: "", bucket: durationBucket(30), n: 1 },
    ]);
    const known = new Map(first.sessions.map((s) => [s.sid, s]));
    // The same exit sent again adds nothing; a crashed session's duration is never counted.
    expect(planHealth([update("d", "exited", { duration: 30 })], [], known).durations).toEqual([]);
    expect(planHealth([update("e", "crashed", { duration: 5 })], [], new Map()).durations).toEqual([]);
  });

  it("reads quantiles from the histogram within the bucket's width", () => {
    for (const seconds of [0.05, 1, 30, 3600]) {
      const middle = bucketSeconds(durationBucket(seconds));
      expect(Math.abs(middle - seconds) / seconds).toBeLessThan(0.1);
    }
    const histogram = new Map([
      [durationBucket(10), 8],
      [durationBucket(100), 2],
    ]);
    expect(durationQuantile(histogram, 0.5)).toBeCloseTo(bucketSeconds(durationBucket(10)), 10);
    expect(durationQuantile(histogram, 0.9)).toBeCloseTo(bucketSeconds(durationBucket(100)), 10);
    expect(durationQuantile(new Map(), 0.5)).toBeNull();
  });
});

describe("sessions API answer", () => {
  const params = (q: string) => parseSessionsQuery(new URLSearchParams(q));

  it("groups by release with totals and series per interval", () => {
    const q = params(
      "field=sum(session)&field=crash_free_rate(session)&field=count_unique(user)&groupBy=release&interval=1h",
    );
    const range = alignRange(HOUR - 3600, HOUR + 10, 3600);
    const counts = [
      {
        projectId: 1,
        hour: HOUR - 3600,
        release: "r1",
        environment: "",
        healthy: 3,
        errored: 0,
        abnormal: 0,
        unhandled: 0,
        crashed: 1,
      },
      {
        projectId: 1,
        hour: HOUR,
        release: "r1",
        environment: "",
        healthy: 4,
        errored: 0,
        abnormal: 0,
        unhandled: 0,
        crashed: 0,
      },
    ];
    const users = [
      { projectId: 1, hour: HOUR - 3600, release: "r1", environment: "", userHash: "u", status: 4 },
      { projectId: 1, hour: HOUR, release: "r1", environment: "", userHash: "u", status: 0 },
    ];
    const answer = sessionsAnswer(q, range, counts, users);
    expect(answer.intervals).toHaveLength(2);
    expect(answer.intervals[0]).toBe(new Date((HOUR - 3600) * 1000).toISOString().replace(".000Z", "Z"));
    expect(answer.groups).toEqual([
      {
        by: { release: "r1" },
        totals: { "sum(session)": 8, "crash_free_rate(session)": 1 - 1 / 8, "count_unique(user)": 1 },
        series: {
          "sum(session)": [4, 4],
          "crash_free_rate(session)": [0.75, 1],
          "count_unique(user)": [1, 1],
        },
      },
    ]);
  });

  it("answers one empty group without groupBy, and rejects what the counters cannot answer", () => {
    const answer = sessionsAnswer(
      params("field=sum(session)&field=crash_free_rate(user)"),
      alignRange(HOUR, HOUR + 1, 3600),
      [],
      [],
    );
    expect(answer.groups).toEqual([
      {
        by: {},
        totals: { "sum(session)": 0, "crash_free_rate(user)": null },
        series: { "sum(session)": [0], "crash_free_rate(user)": [null] },
      },
    ]);
    expect(() => params("field=sum(session)&interval=30m")).toThrow(/multiple of the minimum interval/);
    expect(() => params("field=sum(session)&query=!release:a")).toThrow(/Invalid query/);
    expect(params("field=sum(session)&query=release:a OR release:b").releases).toEqual(["a", "b"]);
    expect(params('field=sum(session)&query=release:"a b" environment:prod').environments).toEqual(["prod"]);
  });
});
