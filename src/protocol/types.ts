// Shared value types of the protocol core. Pure data: no Workers APIs.

/** Any JSON value as parsed by JSON.parse. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** One parsed envelope: its header line and its items, payloads still as bytes. */
export interface Envelope {
  headers: EnvelopeHeaders;
  items: EnvelopeItem[];
}

export interface EnvelopeHeaders extends JsonObject {}

export interface ItemHeaders extends JsonObject {}

export interface EnvelopeItem {
  /** The item's `type` header, lower-cased as sent (unknown types are kept here and skipped later). */
  type: string;
  headers: ItemHeaders;
  payload: Uint8Array;
}

export type Level = "fatal" | "error" | "warning" | "info" | "debug";

export interface Mechanism extends JsonObject {}

export interface Frame {
  function?: string;
  raw_function?: string;
  symbol?: string;
  module?: string;
  package?: string;
  filename?: string;
  abs_path?: string;
  lineno?: number;
  colno?: number;
  platform?: string;
  context_line?: string;
  pre_context?: string[];
  post_context?: string[];
  in_app?: boolean;
  vars?: JsonObject;
  instruction_addr?: string;
  symbol_addr?: string;
  image_addr?: string;
  addr_mode?: string;
  /** Symbolication outcome, set by the symbolicator (`symbolicated`, `missing`, `unknown_image`, `malformed`). */
  symbolicator_status?: string;
  data?: JsonObject;
  [key: string]: JsonValue | undefined;
}

export interface Stacktrace {
  frames: Frame[];
  registers?: JsonObject;
  frames_omitted?: JsonValue;
  instruction_addr_adjustment?: string;
}

export interface ExceptionValue {
  type?: string;
  value?: string;
  module?: string;
  thread_id?: string | number;
  mechanism?: Mechanism;
  stacktrace?: Stacktrace;
  raw_stacktrace?: Stacktrace;
}

export interface Thread {
  id?: string | number;
  name?: string;
  crashed?: boolean;
  current?: boolean;
  main?: boolean;
  state?: string;
  stacktrace?: Stacktrace;
  raw_stacktrace?: Stacktrace;
}

export interface Breadcrumb {
  timestamp: number;
  type: string;
  category?: string;
  level: Level;
  message?: string;
  data?: JsonObject;
  /** The event this crumb stands for (the SDK's `sentry.event` crumbs), 32 lower-case hex. */
  event_id?: string;
  /** Fields outside the schema, kept for forwards compatibility (as Relay keeps them). */
  [key: string]: JsonValue | undefined;
}

export interface DebugImage {
  type: string;
  code_file?: string;
  debug_id?: string;
  code_id?: string;
  debug_file?: string;
  arch?: string;
  image_addr?: string;
  image_size?: number;
  image_vmaddr?: string;
  [key: string]: JsonValue | undefined;
}

export interface User {
  id?: string;
  email?: string;
  username?: string;
  ip_address?: string;
  name?: string;
  geo?: JsonObject;
  data?: JsonObject;
  [key: string]: JsonValue | undefined;
}

/**
 * An error/default event after normalization. Field names follow Sentry's event schema so the
 * payload can be served back unchanged; every optional field is absent rather than null.
 */
export interface NormalizedEvent {
  event_id: string;
  /** "error" for error/default events, "transaction" for transactions. */
  type: "error" | "default" | "transaction";
  timestamp: number;
  received: number;
  level: Level;
  platform: string;
  logger?: string;
  transaction?: string;
  server_name?: string;
  release?: string;
  dist?: string;
  environment?: string;
  /** Formatted message (logentry.formatted or message). */
  message?: string;
  logentry?: { message?: string; formatted?: string; params?: JsonValue };
  exception?: { values: ExceptionValue[] };
  threads?: { values: Thread[] };
  /** Top-level legacy `stacktrace`, kept as sent after frame normalization. */
  stacktrace?: Stacktrace;
  tags: [string, string][];
  extra?: JsonObject;
  contexts?: JsonObject;
  user?: User;
  request?: JsonObject;
  breadcrumbs?: { values: Breadcrumb[] };
  sdk?: JsonObject;
  fingerprint?: string[];
  modules?: JsonObject;
  debug_meta?: { images: DebugImage[] };
  culprit?: string;
  /** Transaction-only fields. */
  start_timestamp?: number;
  spans?: JsonObject[];
  measurements?: JsonObject;
  /** Notes about fields that were trimmed or dropped during normalization (Relay's `_meta` idea). */
  errors?: { type: string; name?: string; value?: JsonValue }[];
  [key: string]: JsonValue | undefined | object;
}

/** What the grouping step computes for an error event. */
export interface GroupingResult {
  /** Primary hash (32 hex), used to find or create the issue. */
  hash: string;
  /** Every hash this event may join an existing issue by (primary first). */
  hashes: string[];
  /** Issue title, as Sentry shows it (e.g. `ParseIntError: invalid digit`). */
  title: string;
  /** Culprit: the in-app frame (function/module) or transaction where it happened. */
  culprit: string;
  /** Which component produced the hash: `custom-fingerprint`, `stacktrace`, `exception`, `message`, `fallback`. */
  variant: string;
  /** Event metadata for the issue list (type, value, filename, function). */
  metadata: JsonObject;
}
