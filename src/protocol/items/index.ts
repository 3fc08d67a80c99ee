// Parsers of the envelope items that are not events: spans, logs, sessions, client reports, check-ins,
// user reports, and metadata of the items stored opaquely. All pure (bytes/JSON in, records out) and
// total: bad content is counted in `invalid`, never thrown.

export { parseCheckIn } from "./check-in.ts";
export { parseClientReport } from "./client-report.ts";
export { parseLogItem } from "./logs.ts";
export { summarizeOpaqueItem } from "./opaque.ts";
export { parseSessionItem, parseSessionsItem } from "./sessions.ts";
export { parseSpanItem, SPAN_V2_CONTENT_TYPE } from "./spans.ts";
export { parseTransactionSpans, spansFromTransaction } from "./transaction-spans.ts";
export type {
  CheckIn,
  CheckInStatus,
  ClientDiscard,
  ClientDiscardKind,
  ClientReport,
  InvalidCount,
  ItemContext,
  ItemParseResult,
  LogLevel,
  LogRecord,
  SessionAggregate,
  SessionStatus,
  SessionUpdate,
  SpanRecord,
  UserReport,
} from "./types.ts";
export { parseUserReport } from "./user-report.ts";
