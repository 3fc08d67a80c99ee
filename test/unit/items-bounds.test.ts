import { describe, expect, it } from "vitest";
import {
  MAX_ATTRIBUTE_KEY_CHARS,
  MAX_ATTRIBUTE_VALUE_CHARS,
  MAX_ATTRIBUTES_JSON_CHARS,
  MAX_MONITOR_CONFIG_JSON_CHARS,
  MAX_RAW_METADATA_JSON_CHARS,
} from "../../src/limits.ts";
import { boundAttributes, boundCheckIn, boundMetadata } from "../../src/protocol/items/bounds.ts";

describe("attribute bounds", () => {
  it("leaves small maps untouched", () => {
    const plain = { a: "x", n: 3 };
    const typed = { a: { type: "string", value: "x" }, n: { type: "integer", value: 3 } };
    const out = boundAttributes(plain, typed);
    expect(out.plain).toBe(plain);
    expect(out.typed).toBe(typed);
  });

  it("cuts long strings, drops large objects and long keys, and notes each under _meta", () => {
    const long = "s".repeat(MAX_ATTRIBUTE_VALUE_CHARS + 10);
    const bigArray = Array.from({ length: 5000 }, () => "item");
    const longKey = "k".repeat(MAX_ATTRIBUTE_KEY_CHARS + 1);
    const plain = { long, bigArray, [longKey]: 1, ok: true };
    const typed = { long: { type: "string", value: long }, ok: { type: "boolean", value: true } };
    const out = boundAttributes(plain, typed);
    expect(out.plain.long).toHaveLength(MAX_ATTRIBUTE_VALUE_CHARS);
    expect((out.typed.long as { value: string }).value).toHaveLength(MAX_ATTRIBUTE_VALUE_CHARS);
    expect(out.plain.bigArray).toBeUndefined();
    expect(out.plain[longKey]).toBeUndefined();
    expect(out.plain.ok).toBe(true);
    expect(out.plain._meta).toEqual({
      long: { trimmed_from: long.length },
      bigArray: { dropped: "too_large" },
      [longKey.slice(0, MAX_ATTRIBUTE_KEY_CHARS)]: { dropped: "key_too_long" },
    });
  });

  it("bounds the JSON of the whole map", () => {
    const plain: Record<string, string> = {};
    for (let i = 0; i < 100; i++) plain[`a${i}`] = "v".repeat(MAX_ATTRIBUTE_VALUE_CHARS);
    const out = boundAttributes(plain, {});
    const { _meta, ...kept } = out.plain;
    expect(JSON.stringify(kept).length).toBeLessThanOrEqual(MAX_ATTRIBUTES_JSON_CHARS);
    expect(Object.keys(kept).length).toBeGreaterThan(0);
    expect(Object.keys(_meta as object).length).toBe(100 - Object.keys(kept).length);
  });

  it("drops an oversized monitor config and shrinks oversized raw item metadata", () => {
    const config = { schedule: { type: "crontab", value: "x".repeat(MAX_MONITOR_CONFIG_JSON_CHARS) } };
    const checkIn = { checkInId: "a".repeat(32), monitorSlug: "m", status: "ok" as const, timestamp: 1 };
    expect(boundCheckIn({ ...checkIn, monitorConfig: config })).toEqual(checkIn);
    const metadata = { replay_id: "r", urls: ["u".repeat(MAX_RAW_METADATA_JSON_CHARS)] };
    const out = boundMetadata(metadata);
    expect(out.replay_id).toBe("r");
    expect(out.urls).toBeUndefined();
    expect(JSON.stringify(out).length).toBeLessThan(MAX_RAW_METADATA_JSON_CHARS);
  });
});
