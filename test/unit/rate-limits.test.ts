// The rate-limit header must be applied by every SDK: integer seconds, three fields, explicit categories.
import { describe, expect, it } from "vitest";
import {
  itemOverLimit,
  itemQuantities,
  itemSizeLimit,
  KNOWN_ITEM_TYPES,
} from "../../src/protocol/categories.ts";
import { formatRateLimitHeader, limitCovers, parseRateLimitHeader } from "../../src/protocol/rate-limits.ts";

describe("X-Sentry-Rate-Limits", () => {
  it("writes integer seconds, categories and scope, joined by ', '", () => {
    const header = formatRateLimitHeader([
      {
        retryAfterSeconds: 41.2,
        categories: ["default", "error", "security"],
        scope: "key",
        reasonCode: "key_quota",
      },
      { retryAfterSeconds: 0.2, categories: [], scope: "project" },
    ]);
    expect(header).toBe("42:default;error;security:key:key_quota, 1::project");
  });

  it("parses what it writes the way SDKs do", () => {
    const [first, second] = parseRateLimitHeader(
      "60:transaction:key, 2700.5:default;error:organization:quota_exceeded",
    );
    expect(first).toMatchObject({ retryAfterSeconds: 60, categories: ["transaction"], scope: "key" });
    expect(second).toMatchObject({ retryAfterSeconds: 2701, reasonCode: "quota_exceeded" });
    expect(limitCovers(second ?? first!, "error")).toBe(true);
    expect(limitCovers({ retryAfterSeconds: 1, categories: [], scope: "", reasonCode: "" }, "span")).toBe(
      true,
    );
  });
});

describe("item categories and limits", () => {
  const item = (type: string, headers = {}, size = 10) => ({
    type,
    headers: { type, ...headers },
    payload: new Uint8Array(size),
  });

  it("counts items in Relay's categories", () => {
    expect(itemQuantities(item("event"))).toEqual([{ category: "error", quantity: 1 }]);
    expect(itemQuantities(item("attachment", {}, 6))).toEqual([
      { category: "attachment", quantity: 6 },
      { category: "attachment_item", quantity: 1 },
    ]);
    expect(itemQuantities(item("span", { item_count: 7 }))).toEqual([{ category: "span", quantity: 7 }]);
    expect(itemQuantities(item("log", { item_count: 3 }, 99))[1]).toEqual({
      category: "log_byte",
      quantity: 99,
    });
    expect(itemQuantities(item("check_in"))[0]?.category).toBe("monitor");
  });

  it("knows each item type SDKs send, and limits event-like items to 1 MiB", () => {
    for (const t of [
      "event",
      "transaction",
      "span",
      "log",
      "session",
      "sessions",
      "client_report",
      "check_in",
      "feedback",
      "user_report",
      "profile",
      "replay_event",
      "replay_recording",
      "attachment",
    ]) {
      expect(KNOWN_ITEM_TYPES.has(t)).toBe(true);
    }
    expect(KNOWN_ITEM_TYPES.has("hologram")).toBe(false);
    expect(itemSizeLimit("event")).toBe(1024 * 1024);
    expect(itemSizeLimit("hologram")).toBeUndefined();
  });

  it("holds a span container to the container limit, and to a span's per entry", () => {
    const item = (type: string, bytes: number, headers: Record<string, unknown> = {}) => ({
      type,
      headers: { type, ...headers },
      payload: new Uint8Array(bytes),
    });
    const MiB = 1024 * 1024;
    // 1,000 spans of 1.2 KB: what @sentry/core's span buffer flushes at once.
    expect(itemOverLimit(item("span", 1.2 * MiB, { item_count: 1000 }))).toBe(false);
    expect(itemOverLimit(item("span", 1.2 * MiB))).toBe(true);
    expect(itemOverLimit(item("span", 2.5 * MiB, { item_count: 2 }))).toBe(true);
    expect(itemOverLimit(item("span", 13 * MiB, { item_count: 1000 }))).toBe(true);
    expect(itemOverLimit(item("event", 1.5 * MiB, { item_count: 1000 }))).toBe(true);
    expect(itemOverLimit(item("hologram", 20 * MiB))).toBe(false);
  });
});
