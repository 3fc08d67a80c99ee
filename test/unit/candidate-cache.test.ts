// The ingest-side memory of which debug files serve an image: fewer D1 queries, never longer stale than
// the late-file job's settle time (which fixes events a stale isolate saw without a file).
import { describe, expect, it } from "vitest";
import type { CandidateRow } from "../../src/db/lookups.ts";
import {
  CANDIDATE_TTL_MS,
  findCandidatesCached,
  forgetCandidates,
  REFRESH_GIVE_UP_MS,
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
  checksum: `sha1-${id}`,
  debug_id: debugId,
  code_id: null,
  features: '["symtab","debug"]',
  state: "ok",
  blob_key: `k${id}`,
  size: 10,
});

describe("findCandidatesCached", () => {
  it("is never stale for longer than the late-file job waits before its final pass", () => {
    // An expired entry may serve while its reload runs, which is given up after REFRESH_GIVE_UP_MS.
    expect(CANDIDATE_TTL_MS + REFRESH_GIVE_UP_MS).toBeLessThan(LATE_SETTLE_MS);
  });

  it("answers repeated lookups from memory, misses included, until the TTL or a forget", async () => {
    const db = fakeDb([row(1, "aaa")]);
    const d1 = db as unknown as D1Database;
    const t0 = 1_000_000;
    expect((await findCandidatesCached(d1, 7, ["aaa", "bbb"], [], { now: t0 })).map((c) => c.id)).toEqual([
      1,
    ]);
    expect(
      (await findCandidatesCached(d1, 7, ["aaa", "bbb"], [], { now: t0 + 1000 })).map((c) => c.id),
    ).toEqual([1]);
    expect(db.queries).toBe(1);
    // Another project never shares entries.
    await findCandidatesCached(d1, 8, ["aaa"], [], { now: t0 + 1000 });
    expect(db.queries).toBe(2);
    await findCandidatesCached(d1, 7, ["aaa"], [], { now: t0 + CANDIDATE_TTL_MS + 1 });
    expect(db.queries).toBe(3);
    forgetCandidates(7);
    await findCandidatesCached(d1, 7, ["bbb"], [], { now: t0 + CANDIDATE_TTL_MS + 2 });
    expect(db.queries).toBe(4);
  });

  it("with a background, answers an expired entry at once and reloads it once, there", async () => {
    const rows = [row(1, "ccc")];
    const db = fakeDb(rows);
    const d1 = db as unknown as D1Database;
    const t0 = 5_000_000;
    await findCandidatesCached(d1, 9, ["ccc"], [], { now: t0 });
    expect(db.queries).toBe(1);
    rows.push(row(2, "ccc")); // a newer debug file for the same image arrives meanwhile
    const reloads: Promise<unknown>[] = [];
    const background = (work: Promise<unknown>) => reloads.push(work);
    const expired = t0 + CANDIDATE_TTL_MS + 1;
    // Concurrent requests on the expired entry: all answer what was known, one reload is started.
    const answers = await Promise.all(
      [0, 1, 2].map(() => findCandidatesCached(d1, 9, ["ccc"], [], { now: expired, background })),
    );
    for (const answer of answers) expect(answer.map((c) => c.id)).toEqual([1]);
    expect(reloads).toHaveLength(1);
    await Promise.all(reloads);
    expect(db.queries).toBe(2);
    const after = await findCandidatesCached(d1, 9, ["ccc"], [], { now: expired + 1, background });
    expect(after.map((c) => c.id)).toEqual([2, 1]);
    expect(reloads).toHaveLength(1);
  });

  it("retries a failed background reload soon, serving the cached answer meanwhile", async () => {
    const db = fakeDb([row(3, "ddd")]);
    let down = false;
    const d1 = {
      prepare(sql: string) {
        if (down) throw new Error("D1_ERROR: Network connection lost.");
        return db.prepare(sql);
      },
    } as unknown as D1Database;
    const t0 = 9_000_000;
    await findCandidatesCached(d1, 10, ["ddd"], [], { now: t0 });
    down = true;
    const reloads: Promise<unknown>[] = [];
    const background = (work: Promise<unknown>) => reloads.push(work);
    const expired = t0 + CANDIDATE_TTL_MS + 1;
    const first = await findCandidatesCached(d1, 10, ["ddd"], [], { now: expired, background });
    expect(first.map((c) => c.id)).toEqual([3]);
    await Promise.all(reloads);
    // Within a second of the failure no new reload; after it, one more.
    await findCandidatesCached(d1, 10, ["ddd"], [], { now: expired + 500, background });
    expect(reloads).toHaveLength(1);
    down = false;
    const later = await findCandidatesCached(d1, 10, ["ddd"], [], { now: expired + 1_500, background });
    expect(later.map((c) => c.id)).toEqual([3]);
    expect(reloads).toHaveLength(2);
    await Promise.all(reloads);
    expect(db.queries).toBe(2);
  });
});
