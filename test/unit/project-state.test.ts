// The Durable Object's pure parts: fixed-window limits, regression rules, and commit planning.
import { describe, expect, it } from "vitest";
import { planCommit } from "../../src/project/commit-plan.ts";
import { emptyBatch, type IngestBatch, type PreparedErrorEvent } from "../../src/project/ingest-batch.ts";
import {
  applyEvent,
  compareReleasesBySemver,
  type IssueState,
  isRegression,
} from "../../src/project/issue-lifecycle.ts";
import { checkLimit, consume, type WindowCounter } from "../../src/project/rate-limiter.ts";

describe("fixed-window rate limits", () => {
  const limit = { count: 3, windowSeconds: 60 };
  it("allows up to the count per window and tells how long until the window ends", () => {
    let counter: WindowCounter | undefined;
    for (let i = 0; i < 3; i++) {
      expect(checkLimit(counter, limit, 120.5, 1).allowed).toBe(true);
      counter = consume(counter, limit, 120.5, 1);
    }
    const denied = checkLimit(counter, limit, 130.2, 1);
    expect(denied).toEqual({ allowed: false, retryAfterSeconds: 50 });
    // A new window starts fresh.
    expect(checkLimit(counter, limit, 180, 1).allowed).toBe(true);
  });
  it("treats a zero count as no limit", () => {
    expect(checkLimit({ windowStart: 0, used: 1e9 }, { count: 0, windowSeconds: 60 }, 1, 1).allowed).toBe(
      true,
    );
  });
});

describe("regressions", () => {
  const cases: [string, Parameters<typeof isRegression>[0], string | undefined, boolean][] = [
    ["plain resolve, any event", { type: "resolved" }, "1.0.0", true],
    ["plain resolve, event without release", { type: "resolved" }, undefined, true],
    ["in next release, same release", { type: "in_next_release", release: "app@1.2.0" }, "app@1.2.0", false],
    ["in next release, older release", { type: "in_next_release", release: "app@1.2.0" }, "app@1.1.9", false],
    ["in next release, newer release", { type: "in_next_release", release: "app@1.2.0" }, "app@1.3.0", true],
    [
      "in next release, no event release",
      { type: "in_next_release", release: "app@1.2.0" },
      undefined,
      false,
    ],
    ["in release, that release", { type: "in_release", release: "2.0.0" }, "2.0.0", true],
    ["in release, older", { type: "in_release", release: "2.0.0" }, "1.9.0", false],
    ["in release, prerelease older", { type: "in_release", release: "2.0.0" }, "2.0.0-rc.1", false],
  ];
  it.each(cases)("%s", (_name, resolution, release, expected) => {
    expect(isRegression(resolution, release, compareReleasesBySemver)).toBe(expected);
  });
  it("reopens resolved issues and leaves ignored ones alone", () => {
    const resolved: IssueState = {
      id: 1,
      status: "resolved",
      substatus: null,
      resolution: { type: "resolved" },
    };
    expect(applyEvent(resolved, "1.0", compareReleasesBySemver)).toEqual({
      regressed: true,
      state: { id: 1, status: "unresolved", substatus: "regressed", resolution: null },
    });
    const ignored: IssueState = { id: 2, status: "ignored", substatus: "archived_forever", resolution: null };
    expect(applyEvent(ignored, "1.0", compareReleasesBySemver).regressed).toBe(false);
  });
});

const key = { organizationId: 1, projectId: 7, keyId: 3, projectLimit: null, keyLimit: null };

function errorBatch(
  eventId: string,
  hashes: string[],
  extra: Partial<PreparedErrorEvent["row"]> = {},
): IngestBatch {
  const batch = emptyBatch(key, 1000);
  batch.event = {
    row: {
      eventId,
      type: "error",
      timestamp: 1000,
      received: 1000,
      level: "error",
      platform: "native",
      release: null,
      environment: null,
      userKey: null,
      title: "panic: boom",
      message: null,
      transactionName: null,
      traceId: null,
      payload: "{}",
      payloadKey: null,
      ...extra,
    },
    grouping: {
      hash: hashes[0] ?? "",
      hashes,
      title: "panic: boom",
      culprit: "api::main",
      metadata: {},
      logger: null,
    },
    attachments: [],
    missingImages: [],
  };
  return batch;
}

describe("commit planning", () => {
  it("creates one issue for many new events with one fingerprint, counting users", () => {
    const batches = ["a", "b", "c"].map((id, i) => ({
      batch: errorBatch(id, ["h1", "h1sys"], { userKey: `id:u${i % 2}`, timestamp: 1000 + i }),
      eventAdmitted: true,
    }));
    const plan = planCommit(batches, new Set(), new Map(), compareReleasesBySemver);
    expect(plan.newIssues).toHaveLength(1);
    expect(plan.newIssues[0]).toMatchObject({
      primaryHash: "h1",
      otherHashes: ["h1sys"],
      timesSeen: 3,
      firstSeen: 1000,
      lastSeen: 1002,
    });
    expect(plan.errorEvents.map((e) => e.issue)).toEqual([{ hash: "h1" }, { hash: "h1" }, { hash: "h1" }]);
    expect(plan.issueUsers).toHaveLength(3);
    // The new issue's users are recounted by a delta that adds no times_seen.
    expect(plan.issueDeltas).toEqual([
      expect.objectContaining({ issue: { hash: "h1" }, count: 0, countUsers: true }),
    ]);
    expect(plan.outcomes).toEqual([{ category: "error", outcome: "accepted", reason: "", quantity: 3 }]);
  });

  it("joins a known issue by any of its hashes and teaches it the others", () => {
    const known: IssueState = { id: 42, status: "unresolved", substatus: "ongoing", resolution: null };
    const plan = planCommit(
      [{ batch: errorBatch("a", ["new-app-hash", "sys-hash"]), eventAdmitted: true }],
      new Set(),
      new Map([["sys-hash", known]]),
      compareReleasesBySemver,
    );
    expect(plan.newIssues).toHaveLength(0);
    expect(plan.errorEvents[0]?.issue).toEqual({ id: 42 });
    expect(plan.hashMappings).toEqual([{ hash: "new-app-hash", issue: { id: 42 } }]);
    expect(plan.issueDeltas[0]).toMatchObject({ issue: { id: 42 }, count: 1, statusChange: null });
  });

  it("skips duplicates (stored before or twice in one commit) and records rate-limited drops by id", () => {
    const plan = planCommit(
      [
        { batch: errorBatch("old", ["h"]), eventAdmitted: true },
        { batch: errorBatch("new", ["h"]), eventAdmitted: true },
        { batch: errorBatch("new", ["h"]), eventAdmitted: true },
        { batch: errorBatch("limited", ["h"]), eventAdmitted: false, limitReason: "key_quota" },
      ],
      new Set(["old"]),
      new Map(),
      compareReleasesBySemver,
    );
    expect(plan.errorEvents.map((e) => e.event.row.eventId)).toEqual(["new"]);
    expect(plan.perBatch.map((p) => p.duplicate)).toEqual([true, false, true, false]);
    expect(plan.droppedEvents).toEqual([
      { eventId: "limited", category: "error", outcome: "rate_limited", reason: "key_quota" },
    ]);
    expect(plan.outcomes).toEqual(
      expect.arrayContaining([
        { category: "error", outcome: "filtered", reason: "duplicate", quantity: 2 },
        { category: "error", outcome: "rate_limited", reason: "key_quota", quantity: 1 },
        { category: "error", outcome: "accepted", reason: "", quantity: 1 },
      ]),
    );
  });

  it("marks a regression when an event reaches a resolved issue", () => {
    const resolved: IssueState = {
      id: 9,
      status: "resolved",
      substatus: null,
      resolution: { type: "resolved" },
    };
    const plan = planCommit(
      [{ batch: errorBatch("a", ["h"]), eventAdmitted: true }],
      new Set(),
      new Map([["h", resolved]]),
      compareReleasesBySemver,
    );
    expect(plan.issueDeltas[0]?.statusChange).toEqual({
      status: "unresolved",
      substatus: "regressed",
      resolution: null,
    });
    expect(plan.issueStates).toEqual([
      { id: 9, status: "unresolved", substatus: "regressed", resolution: null },
    ]);
  });
});
