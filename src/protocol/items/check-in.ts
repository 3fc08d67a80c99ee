// `check_in` items (crons): `{check_in_id, monitor_slug, status, duration?, environment?, release?,
// monitor_config?, contexts.trace.trace_id?}`. Follows Relay's monitor processing: the slug is cut to
// 50 characters and must not be empty; `missed`/`timeout` are computed by the server, never ingested.
import { MAX_MONITOR_SLUG_CHARS } from "../../limits.ts";
import type { JsonObject } from "../types.ts";
import { checkRelease, cleanEnvironment } from "./fields.ts";
import {
  asCount,
  asFiniteNumber,
  asObject,
  asText,
  decodeJson,
  dropUndefined,
  normalizeId32,
  optionalId,
} from "./json.ts";
import type { CheckIn, CheckInStatus, ItemContext, ItemParseResult } from "./types.ts";

/** The check-in id that names no check-in: Sentry's "the newest run" (`ok`/`error`) or "a new run". */
export const NIL_CHECK_IN_ID = "0".repeat(32);

const STATUSES: ReadonlySet<string> = new Set<CheckInStatus>(["in_progress", "ok", "error"]);
const INTERVAL_UNITS: ReadonlySet<string> = new Set(["year", "month", "week", "day", "hour", "minute"]);

const fail = (reason: string): ItemParseResult<CheckIn> => ({
  records: [],
  invalid: [{ reason, quantity: 1 }],
});

export function parseCheckIn(
  _headers: JsonObject,
  payload: Uint8Array,
  ctx: ItemContext,
): ItemParseResult<CheckIn> {
  const decoded = decodeJson(payload);
  if (!decoded.ok) return fail("invalid_json");
  const checkIn = asObject(decoded.value);
  if (!checkIn) return fail("invalid_check_in");

  const checkInId = normalizeId32(checkIn.check_in_id);
  if (!checkInId) return fail("invalid_check_in_id");
  const monitorSlug = asText(checkIn.monitor_slug, MAX_MONITOR_SLUG_CHARS);
  if (!monitorSlug) return fail("missing_slug");
  const status = checkIn.status;
  if (typeof status !== "string" || !STATUSES.has(status)) return fail("invalid_status");
  const monitorConfig = asObject(checkIn.monitor_config);
  if (
    checkIn.monitor_config !== undefined &&
    checkIn.monitor_config !== null &&
    !isValidMonitorConfig(monitorConfig)
  ) {
    return fail("invalid_monitor_config");
  }
  const trace = optionalId(asObject(asObject(checkIn.contexts)?.trace)?.trace_id, normalizeId32);
  if (!trace.ok) return fail("invalid_trace_id");

  const duration = asFiniteNumber(checkIn.duration);
  const release = checkRelease(checkIn.release);
  return {
    records: [
      dropUndefined<CheckIn>({
        checkInId,
        monitorSlug,
        status: status as CheckInStatus,
        duration: duration !== undefined && duration >= 0 ? duration : undefined,
        environment: cleanEnvironment(checkIn.environment),
        release: release.ok ? release.release : undefined,
        monitorConfig,
        traceId: trace.id,
        timestamp: ctx.receivedAt,
      }),
    ],
    invalid: [],
  };
}

/** A config needs a schedule: a crontab string, or an interval of a positive count of a known unit. */
function isValidMonitorConfig(config: JsonObject | undefined): boolean {
  const schedule = asObject(config?.schedule);
  if (!schedule) return false;
  if (schedule.type === "crontab")
    return typeof schedule.value === "string" && schedule.value.trim().length > 0;
  if (schedule.type === "interval") {
    const count = asCount(schedule.value);
    return (
      count !== undefined &&
      count > 0 &&
      typeof schedule.unit === "string" &&
      INTERVAL_UNITS.has(schedule.unit)
    );
  }
  return false;
}
