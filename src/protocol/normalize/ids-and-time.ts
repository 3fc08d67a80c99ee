// Event id, timestamps (clock drift and future dates), level and platform.
import { MAX_FUTURE_SECONDS, MIN_CLOCK_DRIFT_SECONDS } from "../../limits.ts";
import { normalizeEventId } from "../envelope.ts";
import { parseTimestamp } from "../items/json.ts";
import type { Level } from "../types.ts";
import { isAbsent } from "./fields.ts";
import type { Notes } from "./notes.ts";

/** A fresh event id: a random UUID as 32 lower-case hex digits. */
export function generateEventId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/**
 * The event id: the envelope header's wins (Relay trusts the envelope), then the payload's, then a
 * new one. A malformed payload id is noted and replaced.
 */
export function resolveEventId(
  envelopeEventId: string | undefined,
  payloadId: unknown,
  notes: Notes,
): string {
  const fromPayload = normalizeEventId(payloadId);
  if (fromPayload === undefined && !isAbsent(payloadId) && payloadId !== "") {
    notes.add("invalid_data", "event_id", payloadId);
  }
  return envelopeEventId ?? fromPayload ?? generateEventId();
}

/** A timestamp as float unix seconds (number or RFC 3339 string); a present unreadable one is noted. */
export function readTimestamp(value: unknown, notes: Notes, path: string): number | undefined {
  if (isAbsent(value)) return undefined;
  const seconds = parseTimestamp(value);
  if (seconds === undefined) notes.add("invalid_data", path, value);
  return seconds;
}

/**
 * Seconds to add to every client timestamp: the difference between receive time and the envelope's
 * `sent_at` when it exceeds MIN_CLOCK_DRIFT_SECONDS (the client clock is wrong), else 0.
 */
export function clockDrift(receivedAt: number, sentAt: string | undefined, notes: Notes): number {
  const drift = driftSeconds(receivedAt, sentAt);
  if (drift !== 0) notes.add("clock_drift", "sent_at", sentAt);
  return drift;
}

/** clockDrift's seconds without the note: what session items shift their times by, as Relay does. */
export function driftSeconds(receivedAt: number, sentAt: string | undefined): number {
  if (sentAt === undefined) return 0;
  const sent = parseTimestamp(sentAt);
  if (sent === undefined) return 0;
  const drift = receivedAt - sent;
  return Math.abs(drift) <= MIN_CLOCK_DRIFT_SECONDS ? 0 : drift;
}

/** True when a corrected timestamp lies further ahead of receive time than Sentry tolerates. */
export function isInFuture(timestamp: number, receivedAt: number): boolean {
  return timestamp > receivedAt + MAX_FUTURE_SECONDS;
}

const LEVEL_ALIASES: Record<string, Level> = {
  fatal: "fatal",
  critical: "fatal",
  error: "error",
  warning: "warning",
  warn: "warning",
  info: "info",
  log: "info",
  debug: "debug",
};

/** A Sentry level (aliases such as `warn`, `critical`, `log` mapped); unknown values become `fallback`. */
export function normalizeLevel(value: unknown, fallback: Level, notes: Notes, path: string): Level {
  if (isAbsent(value)) return fallback;
  const level = typeof value === "string" ? LEVEL_ALIASES[value.trim().toLowerCase()] : undefined;
  if (level === undefined) {
    notes.add("invalid_data", path, value);
    return fallback;
  }
  return level;
}

/** Platforms Sentry knows; anything else is stored as `other`. */
const KNOWN_PLATFORMS = new Set([
  "as3",
  "c",
  "cfml",
  "cocoa",
  "csharp",
  "dart",
  "elixir",
  "go",
  "groovy",
  "haskell",
  "java",
  "javascript",
  "native",
  "node",
  "objc",
  "other",
  "perl",
  "php",
  "python",
  "ruby",
  "rust",
  "swift",
]);

/** The event platform, lower-cased; absent means `other`, an unknown name becomes `other` with a note. */
export function normalizePlatform(value: unknown, notes: Notes, path = "platform"): string {
  if (isAbsent(value)) return "other";
  const platform = typeof value === "string" ? value.trim().toLowerCase() : undefined;
  if (platform !== undefined && KNOWN_PLATFORMS.has(platform)) return platform;
  notes.add("invalid_data", path, value);
  return "other";
}
