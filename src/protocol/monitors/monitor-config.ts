// A cron monitor's configuration, from a check-in's `monitor_config` (`{schedule: {type, value, unit},
// checkin_margin, max_runtime, timezone, failure_issue_threshold, recovery_threshold}`) or from the
// monitor API's `config` (`{schedule_type, schedule: "0 * * * *" | [2, "hour"], …}`), normalized to one
// shape, and when the next run is expected after a given time. Pure.
import {
  DEFAULT_CHECKIN_MARGIN_MINUTES,
  DEFAULT_MAX_RUNTIME_MINUTES,
  MAX_MONITOR_MINUTES,
} from "../../limits.ts";
import { CrontabError, isTimeZone, nextRun, parseCrontab } from "./crontab.ts";

export type IntervalUnit = "minute" | "hour" | "day" | "week" | "month" | "year";
const UNITS: readonly IntervalUnit[] = ["minute", "hour", "day", "week", "month", "year"];

export type Schedule =
  | { type: "crontab"; value: string }
  | { type: "interval"; value: number; unit: IntervalUnit };

export interface MonitorConfig {
  schedule: Schedule;
  /** Minutes (null: Faultline's default). */
  checkinMargin: number | null;
  maxRuntime: number | null;
  timezone: string;
  failureIssueThreshold: number | null;
  recoveryThreshold: number | null;
}

export class MonitorConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function optionalCount(body: Record<string, unknown>, key: string, max: number): number | null {
  const v = body[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > max)
    throw new MonitorConfigError(key, `Ensure this value is a whole number between 1 and ${max}.`);
  return v;
}

function checkSchedule(schedule: Schedule): Schedule {
  if (schedule.type === "crontab") {
    try {
      parseCrontab(schedule.value);
    } catch (error) {
      if (error instanceof CrontabError)
        throw new MonitorConfigError("schedule", `Schedule was not parseable: ${error.message}`);
      throw error;
    }
  } else if (!Number.isInteger(schedule.value) || schedule.value < 1 || !UNITS.includes(schedule.unit)) {
    throw new MonitorConfigError(
      "schedule",
      "Invalid interval: a positive whole number of minute/hour/day/week/month/year",
    );
  }
  return schedule;
}

function common(body: Record<string, unknown>, schedule: Schedule): MonitorConfig {
  const timezone =
    body.timezone === undefined || body.timezone === null || body.timezone === "" ? "UTC" : body.timezone;
  if (typeof timezone !== "string" || !isTimeZone(timezone))
    throw new MonitorConfigError("timezone", `"${String(timezone)}" is not a valid choice.`);
  return {
    schedule: checkSchedule(schedule),
    checkinMargin: optionalCount(body, "checkin_margin", MAX_MONITOR_MINUTES),
    maxRuntime: optionalCount(body, "max_runtime", MAX_MONITOR_MINUTES),
    timezone,
    failureIssueThreshold: optionalCount(body, "failure_issue_threshold", 720),
    recoveryThreshold: optionalCount(body, "recovery_threshold", 720),
  };
}

/** A check-in's `monitor_config` (the ingest parser checked its schedule's shape already). */
export function configFromCheckIn(body: unknown): MonitorConfig {
  if (!isRecord(body) || !isRecord(body.schedule))
    throw new MonitorConfigError("schedule", "This field is required.");
  const s = body.schedule;
  const schedule: Schedule =
    s.type === "interval"
      ? { type: "interval", value: Number(s.value), unit: String(s.unit) as IntervalUnit }
      : { type: "crontab", value: String(s.value ?? "") };
  return common(body, schedule);
}

/** The monitor API's `config`. */
export function configFromApi(body: unknown): MonitorConfig {
  if (!isRecord(body)) throw new MonitorConfigError("config", "This field is required.");
  const type = body.schedule_type ?? (Array.isArray(body.schedule) ? "interval" : "crontab");
  let schedule: Schedule;
  if (type === "interval") {
    const [value, unit] = Array.isArray(body.schedule) ? body.schedule : [];
    schedule = { type: "interval", value: Number(value), unit: String(unit) as IntervalUnit };
  } else if (type === "crontab" && typeof body.schedule === "string") {
    schedule = { type: "crontab", value: body.schedule };
  } else {
    throw new MonitorConfigError("schedule", "Invalid schedule_type or schedule");
  }
  return common(body, schedule);
}

/** The config as the monitor API shows it. */
export function configJson(c: MonitorConfig) {
  return {
    schedule_type: c.schedule.type,
    schedule: c.schedule.type === "crontab" ? c.schedule.value : [c.schedule.value, c.schedule.unit],
    checkin_margin: c.checkinMargin,
    max_runtime: c.maxRuntime,
    timezone: c.timezone,
    failure_issue_threshold: c.failureIssueThreshold,
    recovery_threshold: c.recoveryThreshold,
    alert_rule_id: null,
  };
}

/** The stored config JSON back to a config (stored configs were validated when written). */
export function configFromStored(text: string): MonitorConfig {
  return JSON.parse(text) as MonitorConfig;
}

export const marginSeconds = (c: MonitorConfig) => (c.checkinMargin ?? DEFAULT_CHECKIN_MARGIN_MINUTES) * 60;
export const maxRuntimeSeconds = (c: MonitorConfig) => (c.maxRuntime ?? DEFAULT_MAX_RUNTIME_MINUTES) * 60;

const FIXED_UNIT_SECONDS: Partial<Record<IntervalUnit, number>> = {
  minute: 60,
  hour: 3600,
  day: 86400,
  week: 604800,
};

/** When the run after one at `after` (unix seconds) is expected; null when the schedule has none. */
export function nextExpected(c: MonitorConfig, after: number): number | null {
  const s = c.schedule;
  if (s.type === "crontab") return nextRun(parseCrontab(s.value), after, c.timezone);
  const fixed = FIXED_UNIT_SECONDS[s.unit];
  // Sentry's intervals count from the last check-in, to the minute.
  const base = Math.floor(after / 60) * 60;
  if (fixed !== undefined) return base + s.value * fixed;
  // Calendar months, the day kept but clamped to the target month's last (31 Jan + 1 month = 28 Feb).
  const d = new Date(base * 1000);
  const months = d.getUTCMonth() + (s.unit === "month" ? s.value : 12 * s.value);
  const year = d.getUTCFullYear() + Math.floor(months / 12);
  const month = months % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const timeOfDay = base % 86400;
  return Date.UTC(year, month, Math.min(d.getUTCDate(), lastDay)) / 1000 + timeOfDay;
}
