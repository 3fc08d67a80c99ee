// The shared readers every item parser relies on: timestamps, ids, truncation, releases.
import { describe, expect, it } from "vitest";
import { checkRelease, cleanEnvironment } from "../../src/protocol/items/fields.ts";
import { normalizeId32, normalizeSpanId, parseTimestamp, truncate } from "../../src/protocol/items/json.ts";

const T0 = 1772359200; // 2026-03-01T10:00:00Z

describe("parseTimestamp", () => {
  it.each([
    [T0 + 0.25, T0 + 0.25],
    ["2026-03-01T10:00:00Z", T0],
    ["2026-03-01T10:00:00.5Z", T0 + 0.5],
    ["2026-03-01T10:00:00.123456Z", T0 + 0.123456],
    ["2026-03-01T10:00:00.123456789Z", T0 + 0.123456789],
    ["2026-03-01t10:00:00z", T0],
    ["2026-03-01 10:00:00", T0],
    ["2026-03-01T12:00:00+02:00", T0],
    ["2026-03-01T05:30:00-0430", T0],
    ["2024-02-29T00:00:00Z", 1709164800],
  ])("reads %s", (input, expected) => {
    expect(parseTimestamp(input)).toBeCloseTo(expected, 6);
  });

  it.each([
    ["a negative number", -1],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["a date only", "2026-03-01"],
    ["February 30", "2026-02-30T10:00:00Z"],
    ["month 13", "2026-13-01T10:00:00Z"],
    ["hour 24", "2026-03-01T24:00:00Z"],
    ["trailing junk", "2026-03-01T10:00:00Zjunk"],
    ["a numeric string", "1772359200"],
    ["null", null],
    ["an object", { seconds: 1 }],
  ])("rejects %s", (_case, input) => {
    expect(parseTimestamp(input)).toBeUndefined();
  });
});

describe("ids", () => {
  it.each([
    ["0a1b2c3d4e5f60718293a4b5c6d7e8f9", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"],
    ["0A1B2C3D4E5F60718293A4B5C6D7E8F9", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"],
    ["0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"],
    ["0a1b2c3d4e5f60718293a4b5c6d7e8f", undefined],
    ["0a1b2c3d-4e5f60718293-a4b5c6d7e8f9", undefined],
    ["{0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9}", undefined],
    ["0a1b2c3d4e5f60718293a4b5c6d7e8fg", undefined],
    [12345, undefined],
  ])("normalizeId32(%s) is %s", (input, expected) => {
    expect(normalizeId32(input)).toBe(expected);
  });

  it.each([
    ["ae1f4defa87184db", "ae1f4defa87184db"],
    ["AE1F4DEFA87184DB", "ae1f4defa87184db"],
    ["ae1f4defa87184d", undefined],
    ["ae1f4defa87184dbb", undefined],
    ["ae1f4def-a87184db", undefined],
  ])("normalizeSpanId(%s) is %s", (input, expected) => {
    expect(normalizeSpanId(input)).toBe(expected);
  });
});

describe("truncate", () => {
  it("cuts to the limit without splitting a surrogate pair", () => {
    expect(truncate("abcdef", 3)).toBe("abc");
    expect(truncate("ab😀cd", 3)).toBe("ab");
    expect(truncate("ab😀cd", 4)).toBe("ab😀");
    expect(truncate("abc", 10)).toBe("abc");
  });
});

describe("release and environment names", () => {
  it.each([
    ["api@1.4.0", { ok: true, release: "api@1.4.0" }],
    ["  api@1.4.0 ", { ok: true, release: "api@1.4.0" }],
    [undefined, { ok: false, reason: "missing_release" }],
    ["", { ok: false, reason: "missing_release" }],
    ["..", { ok: false, reason: "invalid_release" }],
    ["a\\b", { ok: false, reason: "invalid_release" }],
    ["a\tb", { ok: false, reason: "invalid_release" }],
  ])("checkRelease(%j)", (input, expected) => {
    expect(checkRelease(input)).toEqual(expected);
  });

  it.each([
    ["production", "production"],
    ["e".repeat(65), undefined],
    ["a/b", undefined],
    ["", undefined],
    [7, undefined],
  ])("cleanEnvironment(%j) is %s", (input, expected) => {
    expect(cleanEnvironment(input)).toBe(expected);
  });
});
