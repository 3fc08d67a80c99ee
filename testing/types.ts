// The public types of `faultline/testing`: what a test reads back from the sink, and the filters it
// asks with. Views are small and flat (what a test asserts on); `raw` keeps Sentry's JSON as the API
// served it for anything else.

/** Where a running Faultline is and how to talk to it: plain data, safe to pass between processes. */
export interface FaultlineConnection {
  /** Root URL, without a trailing slash (`http://127.0.0.1:PORT`): the `SENTRY_URL` of sentry-cli. */
  url: string;
  /** The default project's DSN, for an SDK's `init({ dsn })`. */
  dsn: string;
  /** An API token with every scope (`sntryu_…`), for the REST API. */
  authToken: string;
  /** Organization slug (`faultline`). */
  org: string;
  /** Project slug (`default`). */
  project: string;
}

export type TextMatch = string | RegExp;

export interface SinkUser {
  id: string | null;
  email: string | null;
  username: string | null;
  ip_address: string | null;
  name: string | null;
}

export interface SinkBreadcrumb {
  type: string | null;
  category: string | null;
  message: string | null;
  level: string | null;
  data: Record<string, unknown> | null;
  timestamp: string | null;
}

export interface SinkException {
  type: string | null;
  value: string | null;
  /** The mechanism's type (`onuncaughtexception`, `generic`, …). */
  mechanism: string | null;
  handled: boolean | null;
}

/** An error or message event as stored (after normalization, grouping and symbolication). */
export interface SinkEvent {
  id: string;
  /** The issue it was grouped into. */
  issueId: string | null;
  level: string | null;
  /** The title its issue shows: `TypeError: x is undefined`, or the message. */
  title: string;
  /** The formatted message (empty for an exception without one). */
  message: string;
  /** The exception chain, root cause first (Sentry's order). */
  exceptions: SinkException[];
  tags: Record<string, string>;
  release: string | null;
  environment: string | null;
  traceId: string | null;
  spanId: string | null;
  transaction: string | null;
  user: SinkUser | null;
  breadcrumbs: SinkBreadcrumb[];
  contexts: Record<string, unknown>;
  platform: string | null;
  timestamp: string | null;
  /** Sentry's full event JSON (`entries`, `sdk`, `request`, …). */
  raw: Record<string, unknown>;
}

export interface SinkIssue {
  id: string;
  /** `DEFAULT-1`. */
  shortId: string;
  title: string;
  culprit: string | null;
  level: string;
  status: string;
  /** Events grouped into it. */
  count: number;
  userCount: number;
  firstSeen: string | null;
  lastSeen: string | null;
  /** Sentry's issue metadata: `type` and `value` of the exception, `title` of a message. */
  metadata: Record<string, unknown>;
  raw: Record<string, unknown>;
}

/** A trace's root span: a transaction event, or the segment of a span v2 container. */
export interface SinkTransaction {
  /** The transaction event's id, or the root span's id when it came as spans. */
  id: string;
  name: string | null;
  traceId: string | null;
  spanId: string | null;
  op: string | null;
  status: string | null;
  durationMs: number | null;
  /** The request's URL (`url.full`) when the SDK recorded one. */
  url: string | null;
  release: string | null;
  environment: string | null;
  timestamp: string | null;
  raw: Record<string, unknown>;
}

export interface SinkLog {
  id: string;
  message: string | null;
  level: string | null;
  traceId: string | null;
  release: string | null;
  environment: string | null;
  timestamp: string | null;
  raw: Record<string, unknown>;
}

/** What became of items, counted per outcome, reason and category (Sentry's usage stats). */
export interface SinkOutcome {
  /** `accepted`, `filtered`, `rate_limited`, `invalid`, `client_discard`, … */
  outcome: string;
  /** Why (`key_quota`, `project_quota`, `ratelimit_backoff`, …); empty for accepted items. */
  reason: string;
  /** `error`, `default`, `transaction`, `span`, `log_item`, `attachment`, … */
  category: string;
  quantity: number;
}

/** Every field given must match. Text matches are substrings, or regular expressions. */
export interface EventFilter {
  id?: string;
  level?: string;
  /** The message, the title or any exception's `type: value`. */
  message?: TextMatch;
  tags?: Record<string, string>;
  release?: string;
  environment?: string;
  traceId?: string;
  transaction?: string;
  issueId?: string;
}

/** Issue fields, and event fields: an issue matches those when one of its events does. */
export interface IssueFilter {
  id?: string;
  level?: string;
  status?: string;
  /** The title, the culprit or the metadata's value. */
  message?: TextMatch;
  tags?: Record<string, string>;
  release?: string;
  environment?: string;
  traceId?: string;
}

export interface TransactionFilter {
  name?: TextMatch;
  url?: TextMatch;
  traceId?: string;
  op?: string;
  status?: string;
  release?: string;
  environment?: string;
}

export interface LogFilter {
  message?: TextMatch;
  level?: string;
  traceId?: string;
  release?: string;
  environment?: string;
}

export interface OutcomeFilter {
  outcome?: string;
  reason?: string;
  category?: string;
}

export interface WaitOptions {
  /** Milliseconds before the wait fails with what arrived instead; 5000 unless given. */
  timeout?: number;
}

export type Predicate<T, F> = F | ((item: T) => boolean);

/** The helpers; every read first waits until what Faultline accepted so far is stored. */
export interface FaultlineClient extends FaultlineConnection {
  /** Error and message events, oldest first. */
  events(filter?: Predicate<SinkEvent, EventFilter>): Promise<SinkEvent[]>;
  /** One event by id (transactions too), or null. */
  event(id: string): Promise<SinkEvent | null>;
  /** Issues of every status, oldest first. */
  issues(filter?: Predicate<SinkIssue, IssueFilter>): Promise<SinkIssue[]>;
  transactions(filter?: Predicate<SinkTransaction, TransactionFilter>): Promise<SinkTransaction[]>;
  logs(filter?: Predicate<SinkLog, LogFilter>): Promise<SinkLog[]>;
  /** What was accepted, dropped and why (rate limits, filters, invalid items, SDK discards). */
  outcomes(filter?: OutcomeFilter): Promise<SinkOutcome[]>;
  /** The first event that matches, once it is stored; fails after the timeout saying what arrived. */
  waitForEvent(predicate?: Predicate<SinkEvent, EventFilter>, options?: WaitOptions): Promise<SinkEvent>;
  waitForIssue(predicate?: Predicate<SinkIssue, IssueFilter>, options?: WaitOptions): Promise<SinkIssue>;
  waitForTransaction(
    predicate?: Predicate<SinkTransaction, TransactionFilter>,
    options?: WaitOptions,
  ): Promise<SinkTransaction>;
  waitForLog(predicate?: Predicate<SinkLog, LogFilter>, options?: WaitOptions): Promise<SinkLog>;
  /** Resolves once everything Faultline accepted so far is stored (and visible to the reads). */
  settled(options?: WaitOptions): Promise<void>;
  /** Deletes the project's events, issues, transactions, logs and outcomes; the DSN stays valid. */
  reset(): Promise<void>;
  /** A REST API request with the token (`api("/api/0/projects/faultline/default/keys/")`). */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** A plain-text summary: counts, issues, drops. */
  summary(): Promise<string>;
}
