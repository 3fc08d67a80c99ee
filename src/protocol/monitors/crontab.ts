// Crontab schedules of cron monitors: five fields (minute hour day-of-month month day-of-week) with
// `*`, lists, ranges, steps and month/day names, or the `@hourly`-style nicknames, evaluated in an IANA
// time zone (wall-clock time there, through Intl.DateTimeFormat). As in cron, when both day fields are
// restricted a day matching either runs. Pure.

export interface Crontab {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  weekdays: ReadonlySet<number>;
  /** Both day fields restricted: either matches (cron's rule); else both must. */
  dayOr: boolean;
}

const NICKNAMES: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

export class CrontabError extends Error {}

function parseField(
  text: string,
  min: number,
  max: number,
  names: readonly string[] = [],
  nameBase = 0,
): Set<number> {
  const out = new Set<number>();
  const value = (v: string): number => {
    const named = names.indexOf(v.toLowerCase());
    const n = named >= 0 ? named + nameBase : /^\d+$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max)
      throw new CrontabError(`${v} is not between ${min} and ${max}`);
    return n;
  };
  for (const part of text.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step <= 0) throw new CrontabError(`bad step in ${part}`);
    let from: number;
    let to: number;
    if (range === "*") {
      from = min;
      to = max;
    } else if (range.includes("-")) {
      const [a = "", b = ""] = range.split("-");
      from = value(a);
      to = value(b);
      if (to < from) throw new CrontabError(`bad range ${range}`);
    } else {
      from = value(range);
      to = stepText === undefined ? from : max;
    }
    for (let n = from; n <= to; n += step) out.add(n);
  }
  return out;
}

export function parseCrontab(text: string): Crontab {
  const expanded = NICKNAMES[text.trim().toLowerCase()] ?? text.trim();
  const fields = expanded.split(/\s+/);
  if (fields.length !== 5) throw new CrontabError("a crontab has five fields: minute hour day month weekday");
  const [m = "", h = "", dom = "", mon = "", dow = ""] = fields;
  const weekdays = parseField(dow, 0, 7, WEEKDAYS);
  // 7 is Sunday as well.
  if (weekdays.delete(7)) weekdays.add(0);
  return {
    minutes: parseField(m, 0, 59),
    hours: parseField(h, 0, 23),
    days: parseField(dom, 1, 31),
    months: parseField(mon, 1, 12, MONTHS, 1),
    weekdays,
    dayOr: !dom.startsWith("*") && !dow.startsWith("*"),
  };
}

interface WallClock {
  month: number;
  day: number;
  weekday: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAY_INDEX: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Whether the runtime knows the IANA time zone. */
export function isTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      month: "numeric",
      day: "numeric",
      weekday: "short",
      hour: "numeric",
      minute: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

function wallClock(seconds: number, zone: string): WallClock {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(zone).formatToParts(new Date(seconds * 1000))) parts[p.type] = p.value;
  return {
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: WEEKDAY_INDEX[parts.weekday ?? ""] ?? 0,
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
  };
}

function dayMatches(c: Crontab, w: WallClock): boolean {
  const dom = c.days.has(w.day);
  const dow = c.weekdays.has(w.weekday);
  return c.dayOr ? dom || dow : dom && dow;
}

/** Upper bound of steps: four years of days (a 29 February schedule) plus a day of hours and minutes. */
const MAX_STEPS = 4 * 366 + 24 + 60 + 16;

/**
 * The first minute strictly after `after` (unix seconds) the schedule runs at, in `zone`'s wall-clock
 * time; null when none in four years (e.g. 31 February). Steps by day, hour and minute, re-reading the
 * wall clock each step, so daylight-saving shifts land on the right instants.
 */
export function nextRun(c: Crontab, after: number, zone = "UTC"): number | null {
  let t = Math.floor(after / 60) * 60 + 60;
  for (let step = 0; step < MAX_STEPS * 2; step++) {
    const w = wallClock(t, zone);
    if (!c.months.has(w.month) || !dayMatches(c, w)) {
      t += ((23 - w.hour) * 60 + (60 - w.minute)) * 60;
      continue;
    }
    if (!c.hours.has(w.hour)) {
      t += (60 - w.minute) * 60;
      continue;
    }
    if (!c.minutes.has(w.minute)) {
      t += 60;
      continue;
    }
    return t;
  }
  return null;
}
