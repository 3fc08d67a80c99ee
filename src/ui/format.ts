// Formatting of numbers, times and sizes for pages. Pure.
import { isoFromSeconds } from "../protocol/items/json.ts";

export function compactNumber(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0).replace(/\.0$/, "")}k`;
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 1 : 0).replace(/\.0$/, "")}M`;
}

/** "just now", "5 min ago", "3 h ago", "2 d ago", then the date. */
export function relativeTime(seconds: number, now: number): string {
  const d = Math.max(0, now - seconds);
  if (d < 60) return "just now";
  if (d < 3600) return `${Math.floor(d / 60)} min ago`;
  if (d < 86400) return `${Math.floor(d / 3600)} h ago`;
  if (d < 30 * 86400) return `${Math.floor(d / 86400)} d ago`;
  return isoDay(seconds);
}

/** A time to come: "in 5 min", "in 3 h", "in 2 d"; "now" once it is here or past. */
export function timeUntil(seconds: number, now: number): string {
  const d = seconds - now;
  if (d < 60) return d <= 0 ? "now" : "in under a minute";
  if (d < 3600) return `in ${Math.floor(d / 60)} min`;
  if (d < 86400) return `in ${Math.floor(d / 3600)} h`;
  return `in ${Math.floor(d / 86400)} d`;
}

/** Dates of stored values: an out-of-range value shows as "unknown time" rather than breaking the page. */
export const isoDay = (seconds: number): string => isoFromSeconds(seconds)?.slice(0, 10) ?? "unknown time";

export const isoTime = (seconds: number): string => {
  const iso = isoFromSeconds(seconds);
  return iso ? `${iso.slice(0, 19).replace("T", " ")} UTC` : "unknown time";
};

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(1)} GiB`;
}

export function duration(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export const percent = (part: number, whole: number): string =>
  whole <= 0 ? "0%" : `${Math.round((part / whole) * 100)}%`;
