// The logs explorer's full-text prefilter, its pure parts: which trigrams a search text probes, how a
// term is written in an FTS5 expression, and which probed terms drive the query.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  choosePrefilter,
  ftsString,
  PREFILTER_CAP,
  pageReadsCandidates,
  pairMatch,
  pairsExact,
  pairTokenServes,
  probeCaps,
  textProbes,
  trigramsOf,
} from "../../src/db/log-prefilter.ts";

describe("trigramsOf", () => {
  it("answers each three-character window once (windows equal but for case are one term), by code point", () => {
    expect(trigramsOf("abcd")).toEqual(["abc", "bcd"]);
    expect(trigramsOf("abcABC")).toEqual(["abc", "bcA", "cAB"]);
    expect(trigramsOf("ab")).toEqual([]);
    expect(trigramsOf("a🚀b")).toEqual(["a🚀b"]);
    expect(trigramsOf('1"2%')).toEqual(['1"2', '"2%']);
  });

  it("spreads a long text's windows over the whole text", () => {
    const picked = trigramsOf("abcdefghijklmnopqrstuvwxyz", 4);
    expect(picked).toEqual(["abc", "ghi", "mno", "stu"]);
  });
});

describe("FTS5 terms", () => {
  it("quotes a term so every character is literal", () => {
    expect(ftsString('a"b')).toBe('"a""b"');
    expect(ftsString("AND")).toBe('"AND"');
  });

  it("builds the attribute pairs' expression as one token per pair (the key's length first), ANDed", () => {
    const m = pairMatch([
      ["url", "http://a:1"],
      ["n", "7"],
    ]);
    const one = "'k' || hex(substr(length(?) || ':' || ? || '=' || ?, 1, 100))";
    expect(m.sql).toBe(`${one} || ' AND ' || ${one}`);
    expect(m.params).toEqual(["url", "url", "http://a:1", "n", "n", "7"]);
  });

  it("is the token migration 0031 writes: the rebuild, the insert and the delete trigger spell it alike", () => {
    const sql = readFileSync(new URL("../../migrations/0031_log_attr_exact.sql", import.meta.url), "utf8");
    const tokens = [...sql.matchAll(/group_concat\((.*?), ' '\)\s+FROM json_each\((\w+\.attributes)\)/g)];
    expect(tokens.map((m) => m[2])).toEqual(["logs.attributes", "NEW.attributes", "OLD.attributes"]);
    // The query's expression with the record's key and value where the parameters are.
    const query = pairMatch([["k", "v"]]).sql.replace(
      "length(?) || ':' || ? || '=' || ?",
      "length(key) || ':' || key || '=' || CAST(value AS TEXT)",
    );
    for (const m of tokens) expect(m[1]).toBe(query);
  });

  it("calls pairs exact when their whole token fits, counting code points as SQLite does", () => {
    expect(pairsExact([["worker", "7"]])).toBe(true);
    expect(pairsExact([])).toBe(true);
    // "3:url=" is 6 characters: a value of 93 fits (99), 94 does not (100, cut).
    expect(pairsExact([["url", "x".repeat(93)]])).toBe(true);
    expect(pairsExact([["url", "x".repeat(94)]])).toBe(false);
    expect(pairsExact([["url", "🚀".repeat(93)]])).toBe(true);
    expect(pairsExact([["url", "🚀".repeat(94)]])).toBe(false);
    expect(
      pairsExact([
        ["a=b", "c=d"],
        ["n", "1"],
      ]),
    ).toBe(true);
    expect(
      pairsExact([
        ["n", "1"],
        ['a"b', "1"],
      ]),
    ).toBe(false);
    expect(pairsExact([["n", "a\u0000b"]])).toBe(false);
  });

  it("leaves keys whose JSON path differs from the stored key to the exact check", () => {
    expect(pairTokenServes("http.route")).toBe(true);
    expect(pairTokenServes('a"b')).toBe(false);
    expect(pairTokenServes("a\\b")).toBe(false);
  });
});

describe("choosePrefilter", () => {
  const text = (counts: number[]) =>
    textProbes("abcdef".slice(0, counts.length + 2)).map((probe, i) => ({ probe, n: counts[i] ?? 0 }));

  it("ANDs the three rarest trigrams under the bound", () => {
    const p = choosePrefilter(text([900, 5, PREFILTER_CAP, 40]), null);
    expect(p?.table).toBe("logs_text");
    expect(p?.params).toEqual(['"bcd"', '"def"', '"abc"']);
    expect(p?.match).toBe("? || ' AND ' || ? || ' AND ' || ?");
    expect(p?.estimate).toBe(5);
  });

  it("uses only the terms under the stage's bound", () => {
    const p = choosePrefilter(text([900, 5, 1500, 40]), null, 1000);
    expect(p?.params).toEqual(['"bcd"', '"def"', '"abc"']);
    expect(choosePrefilter(text([1000, 1200]), null, 1000)).toBeNull();
    const pairs = { probe: { table: "logs_attrs" as const, match: "x", params: [] }, n: 999, exact: true };
    expect(choosePrefilter(text([1000]), pairs, 1000)).toMatchObject({ table: "logs_attrs", exact: true });
  });

  it("has none when every term is common, and prefers the rarer of text and attributes", () => {
    expect(choosePrefilter(text([PREFILTER_CAP, PREFILTER_CAP]), null)).toBeNull();
    const pairs = { probe: { table: "logs_attrs" as const, match: "x", params: [] }, n: 3 };
    expect(choosePrefilter(text([10]), pairs)?.table).toBe("logs_attrs");
    expect(choosePrefilter(text([2]), pairs)?.table).toBe("logs_text");
    expect(choosePrefilter([], { ...pairs, n: PREFILTER_CAP })).toBeNull();
  });
});

describe("probeCaps", () => {
  it("reads at most one full count over all terms first, then four times more per stage", () => {
    expect(probeCaps(1)).toEqual([PREFILTER_CAP]);
    expect(probeCaps(2)).toEqual([10_000, PREFILTER_CAP]);
    expect(probeCaps(14)).toEqual([1428, 5712, PREFILTER_CAP]);
    expect(probeCaps(17)).toEqual([1176, 4704, 18_816, PREFILTER_CAP]);
    expect(probeCaps(0)).toEqual([PREFILTER_CAP]);
  });
});

describe("pageReadsCandidates", () => {
  const p = (estimate: number, rangeRecords?: number) => ({
    table: "logs_text" as const,
    match: "?",
    params: [],
    estimate,
    ...(rangeRecords === undefined ? {} : { rangeRecords }),
  });

  it("reads few candidates of many records, walks when the candidates are dense", () => {
    // 1,000,000 records, pages of 50: the walk reads ~50M / candidates records.
    expect(pageReadsCandidates(p(2246, 1_000_000), 50)).toBe(true);
    expect(pageReadsCandidates(p(7071, 1_000_000), 50)).toBe(true);
    expect(pageReadsCandidates(p(15_625, 1_000_000), 50)).toBe(false);
    expect(pageReadsCandidates(p(0, 0), 50)).toBe(true);
    expect(pageReadsCandidates(p(3), 50)).toBe(false);
  });
});
