// The event-shard resolver and placement (src/db/shards.ts): which binding a shard name is, which
// shards accept new organizations, and which one a new organization goes to.
import { describe, expect, it } from "vitest";
import {
  acceptingShards,
  ISSUE_ID_SPAN,
  leastFullShard,
  shardDb,
  shardIndex,
  shardNames,
  UnknownShardError,
} from "../../src/db/shards.ts";

/** Enough of a D1 binding for the resolver to take it for one (it only looks for prepare and batch). */
function fakeD1(name: string): D1Database {
  return { name, prepare: () => null, batch: () => null } as unknown as D1Database;
}

const env = {
  DB: fakeD1("control"),
  SHARD_1: fakeD1("one"),
  SHARD_2: fakeD1("two"),
  BLOBS: { put: () => null },
  EVENT_SHARDS: "DB,SHARD_1",
  SHARD_X: fakeD1("not a shard name"),
};

describe("shard resolver", () => {
  it("answers the binding of each shard name", () => {
    expect(shardDb(env, "DB")).toBe(env.DB);
    expect(shardDb(env, "SHARD_2")).toBe(env.SHARD_2);
  });

  it("refuses a name that is no D1 binding, or no shard's name, with the name in the error", () => {
    expect(() => shardDb(env, "SHARD_9")).toThrow(UnknownShardError);
    expect(() => shardDb(env, "SHARD_9")).toThrow(/"SHARD_9"/);
    expect(() => shardDb(env, "BLOBS")).toThrow(/unknown event shard "BLOBS"/);
    expect(() => shardDb(env, "SHARD_X")).toThrow(UnknownShardError);
    expect(() => shardDb(env, "EVENT_SHARDS")).toThrow(UnknownShardError);
  });

  it("indexes DB as 0 and SHARD_n as n, which sets each shard's issue id range", () => {
    expect(shardIndex("DB")).toBe(0);
    expect(shardIndex("SHARD_1")).toBe(1);
    expect(shardIndex("SHARD_12")).toBe(12);
    expect(shardIndex("SHARD_0")).toBeNull();
    expect(shardIndex("shard_1")).toBeNull();
    expect(12 * ISSUE_ID_SPAN).toBeLessThan(Number.MAX_SAFE_INTEGER);
  });

  it("lists every shard binding, DB first then by index", () => {
    const unordered = { SHARD_10: fakeD1("ten"), SHARD_2: fakeD1("two"), DB: fakeD1("c"), OTHER: 1 };
    expect(shardNames(unordered)).toEqual(["DB", "SHARD_2", "SHARD_10"]);
    expect(shardNames(env)).toEqual(["DB", "SHARD_1", "SHARD_2"]);
  });
});

describe("placement of new organizations", () => {
  it("reads EVENT_SHARDS, trimmed and deduplicated; DB alone when unset", () => {
    expect(acceptingShards(env, " DB , SHARD_1,SHARD_1,")).toEqual(["DB", "SHARD_1"]);
    expect(acceptingShards(env, undefined)).toEqual(["DB"]);
    expect(acceptingShards(env, "")).toEqual(["DB"]);
    expect(acceptingShards(env, "SHARD_2")).toEqual(["SHARD_2"]);
  });

  it("refuses an EVENT_SHARDS entry that is no binding", () => {
    expect(() => acceptingShards(env, "DB,SHARD_7")).toThrow(/"SHARD_7"/);
  });

  it("puts a new organization on the accepting shard with the fewest, the first listed on a tie", () => {
    const counts = new Map([
      ["DB", 5],
      ["SHARD_1", 2],
      ["SHARD_2", 2],
    ]);
    expect(leastFullShard(["DB", "SHARD_1", "SHARD_2"], counts)).toBe("SHARD_1");
    expect(leastFullShard(["SHARD_2", "SHARD_1"], counts)).toBe("SHARD_2");
    // A shard no organization is on yet counts as empty; shards not accepting are never chosen.
    expect(leastFullShard(["DB", "SHARD_3"], counts)).toBe("SHARD_3");
    expect(leastFullShard(["DB"], counts)).toBe("DB");
    expect(() => leastFullShard([], counts)).toThrow(/no shard/);
  });
});
