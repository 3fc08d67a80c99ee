// The time windows a page of a project's error events is read through, narrowest first. Error events
// have no index by (project, time) (migration 0042): a project's events by time are its issues' ranges
// of events_issue_timestamp, merged and sorted. Sorting a whole retention period of a busy project
// would take seconds, so a page sorted by time first reads a short window at the end it starts from
// and widens only when that window holds too few rows. The page is then exact: every event outside a
// window is older (newest first) or newer (oldest first) than every event inside it.

/** Bounds in unix seconds; a missing bound is open. `start` is inclusive, `end` exclusive. */
export interface TimeBounds {
  start?: number;
  end?: number;
}

/** How far back (or forward) from the page's end each try reaches; the last try is the whole range. */
export const WINDOW_SPANS_SECONDS = [3600, 86_400, 7 * 86_400] as const;

/**
 * The bounds to try in turn for a page of `range` (open when absent) sorted by time, newest first
 * unless `oldestFirst`. Newest first anchors at the range's end, or at `now` when the range has none
 * (and then keeps the end open, for events stamped ahead of the clock). Oldest first without a start
 * has nothing to anchor at and reads the whole range at once. Every list ends with `range` itself.
 */
export function eventWindows(range: TimeBounds, oldestFirst: boolean, now: number): TimeBounds[] {
  const windows: TimeBounds[] = [];
  const anchor = oldestFirst ? range.start : (range.end ?? now);
  if (anchor !== undefined) {
    for (const span of WINDOW_SPANS_SECONDS) {
      const window: TimeBounds = oldestFirst
        ? { start: anchor, end: anchor + span }
        : { start: anchor - span, ...(range.end !== undefined ? { end: range.end } : {}) };
      // A window that reaches the range's other bound is the range itself.
      if (
        oldestFirst
          ? range.end !== undefined && (window.end ?? 0) >= range.end
          : (window.start ?? 0) <= (range.start ?? Number.NEGATIVE_INFINITY)
      )
        break;
      windows.push(window);
    }
  }
  windows.push({ ...range });
  return windows;
}

/**
 * Reads a page through the windows: `read` answers the page's rows within one window, asking for
 * `wanted` rows (the caller's limit, after its offset). The first window that fills the page is the
 * answer; otherwise the last, the whole range, is.
 */
export async function readThroughWindows<T>(
  windows: TimeBounds[],
  wanted: number,
  read: (window: TimeBounds) => Promise<T[]>,
): Promise<T[]> {
  let rows: T[] = [];
  for (const window of windows) {
    rows = await read(window);
    if (rows.length >= wanted) return rows;
  }
  return rows;
}
