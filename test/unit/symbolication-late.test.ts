// Pure parts of late symbolication: where re-grouped events go, how an event is reset for a second
// attempt, and which debug file serves an image.
import { describe, expect, it } from "vitest";
import { planRegroup, type RegroupMove, type StoredEvent } from "../../src/project/regroup.ts";
import type { NormalizedEvent } from "../../src/protocol/types.ts";
import { bestCandidate, type Candidate } from "../../src/symbol-service/candidates.ts";
import { unsymbolicated } from "../../src/symbolication/native-event.ts";

const stored = (eventId: string, issueId: number, timestamp = 100): StoredEvent => ({
  eventId,
  issueId,
  timestamp,
  level: "error",
  type: "error",
  platform: "native",
  release: null,
  userKey: null,
});
const move = (eventId: string, hashes: string[]): RegroupMove => ({
  eventId,
  payload: "{}",
  payloadKey: null,
  payloadRef: null,
  grouping: {
    hash: hashes[0] ?? "",
    hashes,
    title: "panic",
    culprit: "main::outer",
    metadata: {},
    logger: null,
  },
});

describe("planRegroup", () => {
  it("joins the issue owning any hash, teaching it the other hashes", () => {
    const plan = planRegroup(
      [move("e1", ["a", "b"])],
      new Map([["e1", stored("e1", 7)]]),
      new Map([["b", 9]]),
    );
    expect(plan.assignments[0]).toMatchObject({ target: { id: 9 }, changed: true });
    expect(plan.hashMappings).toEqual([{ hash: "a", target: { id: 9 } }]);
    expect(plan.newIssues).toEqual([]);
  });

  it("creates one issue for events sharing a new hash, with their count and time span", () => {
    const plan = planRegroup(
      [move("e1", ["n"]), move("e2", ["n"])],
      new Map([
        ["e1", stored("e1", 7, 100)],
        ["e2", stored("e2", 7, 50)],
      ]),
      new Map(),
    );
    expect(plan.newIssues).toHaveLength(1);
    expect(plan.newIssues[0]).toMatchObject({ primaryHash: "n", timesSeen: 2, firstSeen: 50, lastSeen: 100 });
    expect(plan.assignments.map((a) => a.target)).toEqual([{ hash: "n" }, { hash: "n" }]);
  });

  it("leaves events whose issue does not change in place and skips events that are gone", () => {
    const plan = planRegroup(
      [move("e1", ["a"]), move("gone", ["a"])],
      new Map([["e1", stored("e1", 3)]]),
      new Map([["a", 3]]),
    );
    expect(plan.assignments).toHaveLength(1);
    expect(plan.assignments[0]?.changed).toBe(false);
  });
});

describe("unsymbolicated", () => {
  it("restores raw stack traces and clears retryable statuses only", () => {
    const event = {
      event_id: "x",
      exception: {
        values: [
          {
            type: "panic",
            stacktrace: { frames: [{ function: "main::outer", symbolicator_status: "symbolicated" }] },
            raw_stacktrace: { frames: [{ function: "<unknown>", instruction_addr: "0x10" }] },
          },
          {
            type: "panic",
            stacktrace: {
              frames: [
                { instruction_addr: "0x20", symbolicator_status: "missing" },
                { instruction_addr: "0x30", symbolicator_status: "unknown_image" },
              ],
            },
          },
        ],
      },
    } as unknown as NormalizedEvent;
    const reset = unsymbolicated(event);
    expect(reset.exception?.values[0]).toEqual({
      type: "panic",
      stacktrace: { frames: [{ function: "<unknown>", instruction_addr: "0x10" }] },
    });
    expect(reset.exception?.values[1]?.stacktrace?.frames).toEqual([
      { instruction_addr: "0x20" },
      { instruction_addr: "0x30", symbolicator_status: "unknown_image" },
    ]);
  });
});

describe("bestCandidate", () => {
  const c = (id: number, features: string[], state: Candidate["lookupState"] = "ok"): Candidate => ({
    id,
    checksum: `sha1-${id}`,
    debugId: "d",
    codeId: null,
    features,
    lookupState: state,
    lookupKey: state === "ok" ? `k${id}` : null,
    lookupSize: 1,
  });
  it("prefers debug info over a symbol table, then the newest file, and ignores unusable lookups", () => {
    expect(bestCandidate([c(1, ["symtab", "unwind"]), c(2, ["symtab", "debug"])])?.id).toBe(2);
    expect(bestCandidate([c(3, ["symtab", "debug"]), c(4, ["symtab", "debug"])])?.id).toBe(4);
    expect(bestCandidate([c(5, ["symtab", "debug"], "error"), c(6, ["symtab"])])?.id).toBe(6);
    expect(bestCandidate([c(7, ["debug"], "error")])).toBeUndefined();
  });
});
