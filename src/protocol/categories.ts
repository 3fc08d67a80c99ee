// Data categories and outcomes as Sentry names them on the wire (rate-limit headers, client reports,
// outcome counters), and which categories and quantities each envelope item counts as.
import {
  MAX_ATTACHMENT_BYTES,
  MAX_CHECK_IN_BYTES,
  MAX_CLIENT_REPORT_BYTES,
  MAX_CONTAINER_BYTES,
  MAX_EVENT_BYTES,
  MAX_PROFILE_BYTES,
  MAX_REPLAY_BYTES,
  MAX_SESSION_BYTES,
  MAX_SPAN_BYTES,
} from "../limits.ts";
import type { EnvelopeItem } from "./types.ts";

export type DataCategory =
  | "default"
  | "error"
  | "transaction"
  | "security"
  | "attachment"
  | "attachment_item"
  | "session"
  | "profile"
  | "profile_chunk"
  | "profile_chunk_ui"
  | "replay"
  | "replay_video"
  | "monitor"
  | "span"
  | "log_item"
  | "log_byte"
  | "feedback"
  | "trace_metric"
  | "metric_bucket"
  | "user_report"
  | "internal"
  | "unknown";

/** What finally happened to an item (Relay's outcome names). */
export type Outcome = "accepted" | "filtered" | "rate_limited" | "invalid" | "abuse" | "too_large";

/** Item types Faultline understands: anything else is skipped with a `filtered` outcome. */
export const KNOWN_ITEM_TYPES: ReadonlySet<string> = new Set([
  "event",
  "transaction",
  "security",
  "attachment",
  "form_data",
  "raw_security",
  "nel",
  "unreal_report",
  "user_report",
  "feedback",
  "session",
  "sessions",
  "client_report",
  "profile",
  "profile_chunk",
  "replay_event",
  "replay_recording",
  "replay_video",
  "check_in",
  "log",
  "trace_metric",
  "span",
  "statsd",
  "metric_buckets",
]);

export interface ItemQuantity {
  category: DataCategory;
  quantity: number;
}

function containerCount(item: EnvelopeItem): number {
  const count = item.headers.item_count;
  return typeof count === "number" && Number.isInteger(count) && count >= 0 ? count : 1;
}

/** The categories and quantities an item counts as, first entry being its main category. */
export function itemQuantities(item: EnvelopeItem): ItemQuantity[] {
  switch (item.type) {
    case "event":
      return [{ category: "error", quantity: 1 }];
    case "security":
    case "raw_security":
    case "nel":
      return [{ category: "security", quantity: 1 }];
    case "transaction":
      return [{ category: "transaction", quantity: 1 }];
    case "span":
      return [{ category: "span", quantity: containerCount(item) }];
    case "attachment":
      return [
        { category: "attachment", quantity: item.payload.byteLength },
        { category: "attachment_item", quantity: 1 },
      ];
    case "session":
    case "sessions":
      return [{ category: "session", quantity: 1 }];
    case "check_in":
      return [{ category: "monitor", quantity: 1 }];
    case "log":
      return [
        { category: "log_item", quantity: containerCount(item) },
        { category: "log_byte", quantity: item.payload.byteLength },
      ];
    case "trace_metric":
      return [{ category: "trace_metric", quantity: containerCount(item) }];
    case "profile":
      return [{ category: "profile", quantity: 1 }];
    case "profile_chunk":
      return [{ category: "profile_chunk", quantity: 1 }];
    case "replay_event":
    case "replay_recording":
      return [{ category: "replay", quantity: 1 }];
    case "replay_video":
      return [{ category: "replay_video", quantity: 1 }];
    case "feedback":
    case "user_report":
      return [{ category: "feedback", quantity: 1 }];
    case "client_report":
      return [{ category: "internal", quantity: 1 }];
    default:
      return [{ category: "default", quantity: 1 }];
  }
}

/**
 * Whether an item is over its size limit (decompressed). A span container (span v2, with an
 * `item_count`) is held, as Relay holds it, to the container limit as a whole and to a span's limit per
 * entry on average: the SDK sends up to 1,000 spans in one, well over 1 MiB together.
 */
export function itemOverLimit(item: EnvelopeItem): boolean {
  const bytes = item.payload.byteLength;
  const count = item.headers.item_count;
  if (item.type === "span" && typeof count === "number" && Number.isInteger(count) && count > 0)
    return bytes > MAX_CONTAINER_BYTES || bytes / count > MAX_SPAN_BYTES;
  const limit = itemSizeLimit(item.type);
  return limit !== undefined && bytes > limit;
}

/** Byte limit of one item of the given type (decompressed), or undefined when only the envelope cap applies. */
export function itemSizeLimit(type: string): number | undefined {
  switch (type) {
    case "event":
    case "transaction":
    case "security":
    case "raw_security":
    case "nel":
    case "feedback":
    case "user_report":
    case "replay_event":
    case "form_data":
      return MAX_EVENT_BYTES;
    case "span":
      return MAX_SPAN_BYTES;
    case "log":
    case "trace_metric":
      return MAX_CONTAINER_BYTES;
    case "check_in":
      return MAX_CHECK_IN_BYTES;
    case "client_report":
      return MAX_CLIENT_REPORT_BYTES;
    case "session":
    case "sessions":
      return MAX_SESSION_BYTES;
    case "profile":
    case "profile_chunk":
      return MAX_PROFILE_BYTES;
    case "replay_recording":
    case "replay_video":
      return MAX_REPLAY_BYTES;
    case "attachment":
      return MAX_ATTACHMENT_BYTES;
    default:
      return undefined;
  }
}
