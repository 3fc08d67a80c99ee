// The ingest-side memory of which debug files serve an image: fewer D1 queries, never longer stale than
// the late-file job's settle time (which fixes events a stale isolate saw without a file).
import { describe, expect, it } from "vitest";
import type { CandidateRow } from "../../src/db/lookups.ts";
import {
  CANDIDATE_TTL_MS,
  findCandidatesCached,
  forgetCandidates,
} from "../../src/symbol-service/candidate-cache.ts";
import { LATE_SETTLE_MS } from "../../src/symbol-service/late-jobs.ts";

type Row = CandidateRow;

/** A D1 stand-in that answers the candidate query from `rows` and counts the queries. */
function fakeDb(rows: Row[]) {
  const db = {
    queries: 0,
    prepare(_sql: string) {
      return {
        bind(...params: unknown[]) {
          return {
            all: async () => {
              db.queries += 1;
              const wanted = new Set(params.slice(1));
              return { results: rows.filter((r) => wanted.has(r.debug_id) || wanted.has(r.code_id)) };
            },
          };
        },
      };
    },
  };
  return db;
}

const row = (id: number, debugId: string): Row => ({
  id,
  debug_id: debugId,
  code_id: null,
  features: '["symtab","debug"]',
  state: "ok",
  blob_key: `k${id}`,
  size: 10,
});

describe("findCandidatesCached", () => {
  it("is never stale for longer than the late-file job waits before its final pass", () => {
    expect(CANDIDATE_TTL_MS).toBeLessThan(LATE_SETTLE_MS);
  });

  it("answers repeated lookups from memory, misses included, until the TTL or a forget", async () => {
    const db = fakeDb([row(1, "aaa")]);
    const d1 = db as unknown as D1Database;
    const t0 = 1_000_000;
    expect((await findCandidatesCached(d1, 7, ["aaa", "bbb"], [], t0)).map((c) => c.id)).toEqual([1]);
    expect((await findCandidatesCached(d1, 7, ["aaa", "bbb"], [], t0 + 1000)).map((c) => c.id)).toEqual([1]);
    expect(db.queries).toBe(1);
    // Another project never shares entries.
    await findCandidatesCached(d1, 8, ["aaa"], [], t0 + 1000);
    expect(db.queries).toBe(2);
    await findCandidatesCached(d1, 7, ["aaa"], [], t0 + CANDIDATE_TTL_MS + 1);
    expect(db.queries).toBe(3);
    forgetCandidates(7);
    await findCandidatesCached(d1, 7, ["bbb"], [], t0 + CANDIDATE_TTL_MS + 2);
    expect(db.queries).toBe(4);
  });
});
