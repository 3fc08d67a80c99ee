// `client_report` items: what the SDK itself dropped before sending (`discarded_events`), plus the
// lists only Relays send (`rate_limited_events`, `filtered_events`, `filtered_sampling_events`).
// Each entry is `{reason, category, quantity}`; zero quantities are skipped, malformed entries counted.
import { MAX_FUTURE_SECONDS, MAX_PAST_SECONDS } from "../../limits.ts";
import type { JsonObject } from "../types.ts";
import { asArray, asCount, asObject, decodeJson, InvalidTally, parseTimestamp } from "./json.ts";
import type {
  ClientDiscard,
  ClientDiscardKind,
  ClientReport,
  ItemContext,
  ItemParseResult,
} from "./types.ts";

const LISTS: readonly [string, ClientDiscardKind][] = [
  ["discarded_events", "discarded"],
  ["rate_limited_events", "rate_limited"],
  ["filtered_events", "filtered"],
  ["filtered_sampling_events", "filtered_sampling"],
];

/**
 * Reasons and categories are short snake_case words on the wire (`queue_overflow`, `log_byte`);
 * Relay-side reasons may carry a suffix such as `Sampled:3`. Anything else is not a name.
 */
const REASON = /^[A-Za-z0-9_.:-]{1,200}$/;
const CATEGORY = /^[a-z][a-z0-9_]{0,63}$/;

export function parseClientReport(
  _headers: JsonObject,
  payload: Uint8Array,
  ctx: ItemContext,
): ItemParseResult<ClientReport> {
  const decoded = decodeJson(payload);
  if (!decoded.ok) return { records: [], invalid: [{ reason: "invalid_json", quantity: 1 }] };
  const report = asObject(decoded.value);
  if (!report) return { records: [], invalid: [{ reason: "invalid_client_report", quantity: 1 }] };
  const timestamp =
    report.timestamp === undefined || report.timestamp === null
      ? ctx.receivedAt
      : parseTimestamp(report.timestamp);
  if (timestamp === undefined)
    return { records: [], invalid: [{ reason: "invalid_timestamp", quantity: 1 }] };
  if (ctx.receivedAt - timestamp > MAX_PAST_SECONDS)
    return { records: [], invalid: [{ reason: "too_old", quantity: 1 }] };
  if (timestamp - ctx.receivedAt > MAX_FUTURE_SECONDS) {
    return { records: [], invalid: [{ reason: "in_future", quantity: 1 }] };
  }

  const invalid = new InvalidTally();
  const discarded: ClientDiscard[] = [];
  for (const [field, kind] of LISTS) {
    const entries = report[field] === undefined || report[field] === null ? [] : asArray(report[field]);
    if (!entries) {
      invalid.add("invalid_entry");
      continue;
    }
    for (const value of entries) {
      const entry = asObject(value);
      const quantity = asCount(entry?.quantity);
      const reason = entry?.reason;
      const category = entry?.category;
      if (
        quantity === undefined ||
        typeof reason !== "string" ||
        !REASON.test(reason) ||
        typeof category !== "string" ||
        !CATEGORY.test(category)
      ) {
        invalid.add("invalid_entry");
        continue;
      }
      if (quantity > 0) discarded.push({ kind, reason, category, quantity });
    }
  }
  return { records: [{ timestamp, discarded }], invalid: invalid.list() };
}
