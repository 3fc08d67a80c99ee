// The logs explorer's full-text prefilter, its pure parts: which trigrams a search text probes, how a
// term is written in an FTS5 expression, and which probed terms drive the query.
import { describe, expect, it } from "vitest";
import {
  choosePrefilter,
  ftsString,
  PREFILTER_CAP,
  pageReadsCandidates,
  pairMatch,
  pairTokenServes,
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

  it("builds the attribute pairs' expression as one token per pair, ANDed", () => {
    const m = pairMatch([
      ["url", "http://a:1"],
      ["n", "7"],
    ]);
    expect(m.sql).toBe(
      "'k' || hex(substr(? || '=' || ?, 1, 100)) || ' AND ' || 'k' || hex(substr(? || '=' || ?, 1, 100))",
    );
    expect(m.params).toEqual(["url", "http://a:1", "n", "7"]);
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

  it("has none when every term is common, and prefers the rarer of text and attributes", () => {
    expect(choosePrefilter(text([PREFILTER_CAP, PREFILTER_CAP]), null)).toBeNull();
    const pairs = { probe: { table: "logs_attrs" as const, match: "x", params: [] }, n: 3 };
    expect(choosePrefilter(text([10]), pairs)?.table).toBe("logs_attrs");
    expect(choosePrefilter(text([2]), pairs)?.table).toBe("logs_text");
    expect(choosePrefilter([], { ...pairs, n: PREFILTER_CAP })).toBeNull();
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
