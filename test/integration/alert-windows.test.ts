// The frequency conditions' windows, read from the project object's own storage. A window counts the
// events of its whole length whatever second it starts on: "more than 2 in a minute" must see three
// events that straddle a minute boundary (minute buckets once counted only the current minute).
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  addEventCount,
  createAlertStateTables,
  eventCount,
  pruneAlertState,
} from "../../src/db/alert-state.ts";
import { stubOf } from "./fault-helpers.ts";
import { createTenant } from "./helpers.ts";

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

describe("alert frequency windows", () => {
  it("count every event of the interval across bucket boundaries, and prune nothing a window reads", async () => {
    const t = await createTenant();
    await runInDurableObject(stubOf(t), (_instance, state) => {
      const sql = state.storage.sql;
      createAlertStateTables(sql);
      const base = 1_800_000_000 - (1_800_000_000 % HOUR); // on a minute and an hour boundary
      // Two events late in one minute, one early in the next: all three within 60 s.
      addEventCount(sql, 7, base - 5, 1);
      addEventCount(sql, 7, base - 2, 1);
      addEventCount(sql, 7, base + 3, 1);
      expect(eventCount(sql, 7, base + 3, MINUTE)).toBe(3);
      // An event of the previous hour, 2 h before the day window's end, is inside a one-day window.
      addEventCount(sql, 8, base - 10, 1);
      addEventCount(sql, 8, base + 2 * HOUR, 1);
      expect(eventCount(sql, 8, base + 2 * HOUR, DAY)).toBe(2);
      expect(eventCount(sql, 8, base + DAY - 1, DAY)).toBe(2);
      // Long past the window, the old events no longer count.
      expect(eventCount(sql, 7, base + 5 * MINUTE, MINUTE)).toBe(0);
      expect(eventCount(sql, 8, base + 2 * DAY + 2 * HOUR, DAY)).toBe(0);
      // Pruning keeps what the longest windows read (an hour of 10 s buckets, a week of hours).
      pruneAlertState(sql, base + HOUR - 1);
      expect(eventCount(sql, 7, base + HOUR - 1, HOUR)).toBe(3);
      pruneAlertState(sql, base + 7 * DAY - HOUR);
      expect(eventCount(sql, 8, base + 7 * DAY - HOUR, 7 * DAY)).toBe(2);
    });
  });
});
