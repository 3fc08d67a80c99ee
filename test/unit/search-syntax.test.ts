import { describe, expect, it } from "vitest";
import { FaultlineError } from "../../src/errors.ts";
import { parseDateValue, parseNumeric, parseSearchQuery } from "../../src/protocol/search-syntax.ts";

describe("Sentry search syntax", () => {
  it("parses filters, negation, quotes, lists, comparisons, has and free text", () => {
    expect(
      parseSearchQuery(
        'level:error !environment:prod message:"a b" tags[x]:[1,"2 3"] span.duration:>=1.5s has:user !has:os boom',
      ),
    ).toEqual({
      kind: "and",
      nodes: [
        { kind: "filter", key: "level", op: "=", values: ["error"] },
        { kind: "filter", key: "environment", op: "!=", values: ["prod"] },
        { kind: "filter", key: "message", op: "=", values: ["a b"] },
        { kind: "filter", key: "tags[x]", op: "=", values: ["1", "2 3"] },
        { kind: "filter", key: "span.duration", op: ">=", values: ["1.5s"] },
        { kind: "has", key: "user", negated: false },
        { kind: "has", key: "os", negated: true },
        { kind: "text", value: "boom", negated: false },
      ],
    });
  });

  it("binds AND tighter than OR and honours parentheses and function keys", () => {
    expect(parseSearchQuery("(a:1 OR b:2) c:3 OR count():>5")).toEqual({
      kind: "or",
      nodes: [
        {
          kind: "and",
          nodes: [
            {
              kind: "or",
              nodes: [
                { kind: "filter", key: "a", op: "=", values: ["1"] },
                { kind: "filter", key: "b", op: "=", values: ["2"] },
              ],
            },
            { kind: "filter", key: "c", op: "=", values: ["3"] },
          ],
        },
        { kind: "filter", key: "count()", op: ">", values: ["5"] },
      ],
    });
    expect(parseSearchQuery("p95(span.duration):<200ms")).toEqual({
      kind: "filter",
      key: "p95(span.duration)",
      op: "<",
      values: ["200ms"],
    });
  });

  it.each(['message:"open', "(a:1", "a:1)", "x OR", "has:"])("rejects %s with a 400", (query) => {
    expect(() => parseSearchQuery(query)).toThrow(FaultlineError);
  });

  it("reads numbers, durations and dates", () => {
    expect(parseNumeric("1.5s", true)).toBe(1500);
    expect(parseNumeric("2m", true)).toBe(120_000);
    expect(parseNumeric("2k", false)).toBe(2000);
    expect(parseNumeric("fast", true)).toBeNull();
    expect(parseDateValue("-24h", 100_000)).toBe(100_000 - 86_400);
    expect(parseDateValue("2024-01-02T00:00:00", 0)).toBe(Date.UTC(2024, 0, 2) / 1000);
    expect(parseDateValue("soon", 0)).toBeNull();
  });
});
