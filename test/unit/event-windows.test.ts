import { describe, expect, it } from "vitest";
import { eventWindows, readThroughWindows } from "../../src/db/event-windows.ts";

const NOW = 1_700_000_000;
const HOUR = 3600;
const DAY = 86_400;

describe("eventWindows", () => {
  it("newest first without a range: back from now by 1 hour, 1 day, 7 days, with the end left open, then everything", () => {
    expect(eventWindows({}, false, NOW)).toEqual([
      { start: NOW - HOUR },
      { start: NOW - DAY },
      { start: NOW - 7 * DAY },
      {},
    ]);
  });

  it("newest first within a range: anchored at its end, stopping at the first window that reaches its start", () => {
    const range = { start: NOW - 2 * DAY, end: NOW - HOUR };
    expect(eventWindows(range, false, NOW)).toEqual([
      { start: NOW - 2 * HOUR, end: NOW - HOUR },
      { start: NOW - HOUR - DAY, end: NOW - HOUR },
      range,
    ]);
    expect(eventWindows({ start: NOW - 30 * 60, end: NOW }, false, NOW)).toEqual([
      { start: NOW - 30 * 60, end: NOW },
    ]);
  });

  it("oldest first: forward from the range's start; without a start, the whole range at once", () => {
    const range = { start: NOW - 14 * DAY, end: NOW };
    expect(eventWindows(range, true, NOW)).toEqual([
      { start: range.start, end: range.start + HOUR },
      { start: range.start, end: range.start + DAY },
      { start: range.start, end: range.start + 7 * DAY },
      range,
    ]);
    expect(eventWindows({ start: NOW - 2 * HOUR }, true, NOW)).toEqual([
      { start: NOW - 2 * HOUR, end: NOW - HOUR },
      { start: NOW - 2 * HOUR, end: NOW - 2 * HOUR + DAY },
      { start: NOW - 2 * HOUR, end: NOW - 2 * HOUR + 7 * DAY },
      { start: NOW - 2 * HOUR },
    ]);
    expect(eventWindows({ end: NOW }, true, NOW)).toEqual([{ end: NOW }]);
  });
});

describe("readThroughWindows", () => {
  it("stops at the first window that fills the page, else answers the last one's rows", async () => {
    const windows = [{ start: 3 }, { start: 2 }, { start: 1 }, {}];
    const rows: Record<string, number[]> = { "3": [9], "2": [9, 8], "1": [9, 8, 7], all: [9, 8, 7, 1] };
    const asked: unknown[] = [];
    const read = async (w: { start?: number }) => {
      asked.push(w);
      return rows[w.start === undefined ? "all" : String(w.start)] ?? [];
    };
    expect(await readThroughWindows(windows, 2, read)).toEqual([9, 8]);
    expect(asked).toEqual([{ start: 3 }, { start: 2 }]);
    expect(await readThroughWindows(windows, 10, read)).toEqual([9, 8, 7, 1]);
  });
});
