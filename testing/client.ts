// `faultline/testing/client`: the helpers over a running Faultline's REST API, with nothing but
// `fetch` — so they run in Node, in a browser and inside workerd (a `@cloudflare/vitest-plugin`
// test reaching the sink that its global setup started). `startFaultline` (start.ts) returns the same
// helpers with `close()`.
import { type RestApi, restApi } from "./api.js";
import {
  arrived,
  dropsNote,
  eventLine,
  isDrop,
  issueLine,
  logLine,
  outcomeLine,
  transactionLine,
} from "./describe.js";
import { eventReads } from "./event-reads.js";
import {
  eventMatches,
  issueEventFilter,
  issueMatches,
  logMatches,
  outcomeMatches,
  predicateOf,
  transactionMatches,
} from "./filters.js";
import type {
  EventFilter,
  FaultlineClient,
  FaultlineConnection,
  IssueFilter,
  LogFilter,
  OutcomeFilter,
  Predicate,
  SinkEvent,
  SinkIssue,
  SinkLog,
  SinkTransaction,
  TransactionFilter,
} from "./types.js";
import {
  issueView,
  type Json,
  LOG_FIELDS,
  logView,
  outcomeViews,
  TRANSACTION_FIELDS,
  transactionView,
} from "./views.js";
import { DEFAULT_TIMEOUT_MS, waitFor } from "./wait.js";

export type * from "./types.js";

/** How long a read waits for what was accepted to be stored before it fails. */
const SETTLE_TIMEOUT_MS = 10_000;
/** The longest range the events API serves: everything a sink holds. */
const PERIOD = "90d";

/** Raw reads (no settle): what D1 holds right now. */
function reads(api: RestApi, connection: FaultlineConnection) {
  const projectPath = `/api/0/projects/${connection.org}/${connection.project}`;
  const events = eventReads(api, projectPath);
  let projectId: Promise<string> | null = null;
  const idOfProject = () => {
    // Asked once; a failed answer is not kept (the next read asks again).
    projectId ??= api
      .get<{ id: string }>(`${projectPath}/`)
      .then((p) => String(p.id))
      .catch((error: unknown) => {
        projectId = null;
        throw error;
      });
    return projectId;
  };
  const discover = async (dataset: string, fields: string[], query = "") =>
    api.list<Json>(
      `/api/0/organizations/${connection.org}/events/`,
      { dataset, field: fields, query, project: await idOfProject(), statsPeriod: PERIOD, sort: "timestamp" },
      (body) => ((body as { data?: Json[] }).data ?? []) as Json[],
    );
  return {
    events: () => events.all(),
    event: (id: string) => events.byId(id),
    forgetEvents: () => events.forget(),
    issues: async () =>
      (await api.list<Json>(`${projectPath}/issues/`, { query: "", sort: "new" })).map(issueView).reverse(),
    transactions: async () =>
      (await discover("spans", TRANSACTION_FIELDS, "is_transaction:true")).map(transactionView),
    logs: async () => (await discover("logs", LOG_FIELDS)).map(logView),
    outcomes: async () =>
      outcomeViews(
        await api.get<Json>(`/api/0/organizations/${connection.org}/stats_v2/`, {
          field: "sum(quantity)",
          groupBy: ["outcome", "reason", "category"],
          project: await idOfProject(),
          statsPeriod: PERIOD,
          interval: "1d",
        }),
      ),
  };
}

/** The helpers for a running Faultline (a sink from `startFaultline`, or any Faultline and its token). */
export function connectFaultline(connection: FaultlineConnection): FaultlineClient {
  const conn: FaultlineConnection = { ...connection, url: connection.url.replace(/\/+$/, "") };
  const api = restApi(conn);
  const read = reads(api, conn);
  const settled = (timeout = SETTLE_TIMEOUT_MS) => api.settled(timeout);
  const drops = async () => dropsNote(await read.outcomes());

  const issuesMatching = async (filter: Predicate<SinkIssue, IssueFilter> | undefined) => {
    const issues = await read.issues();
    if (typeof filter === "function") return issues.filter(filter);
    const eventPart = filter ? issueEventFilter(filter) : null;
    const withEvents = eventPart
      ? new Set((await read.events()).filter((e) => eventMatches(e, eventPart)).map((e) => e.issueId ?? ""))
      : null;
    return issues.filter((i) => !filter || issueMatches(i, filter, withEvents));
  };

  const client: FaultlineClient = {
    ...conn,
    async events(filter?: Predicate<SinkEvent, EventFilter>) {
      await settled();
      return (await read.events()).filter(predicateOf(filter, eventMatches));
    },
    async event(id: string) {
      await settled();
      return read.event(id);
    },
    async issues(filter?: Predicate<SinkIssue, IssueFilter>) {
      await settled();
      return issuesMatching(filter);
    },
    async transactions(filter?: Predicate<SinkTransaction, TransactionFilter>) {
      await settled();
      return (await read.transactions()).filter(predicateOf(filter, transactionMatches));
    },
    async logs(filter?: Predicate<SinkLog, LogFilter>) {
      await settled();
      return (await read.logs()).filter(predicateOf(filter, logMatches));
    },
    async outcomes(filter: OutcomeFilter = {}) {
      await settled();
      return (await read.outcomes()).filter((o) => outcomeMatches(o, filter));
    },
    waitForEvent: (predicate, options) => {
      const id = typeof predicate === "object" ? predicate.id : undefined;
      return waitFor<SinkEvent>(
        {
          name: "waitForEvent",
          predicate,
          // By id the API answers from the project's spool too: no wait for the flush to D1, once the
          // event's issue is known (a new issue is made by the flush).
          read: id
            ? async () => {
                const event = await read.event(id);
                return event?.issueId ? [event] : [];
              }
            : read.events,
          test: predicateOf(predicate, eventMatches),
          explain: async () => `${arrived("event", await read.events(), eventLine)}${await drops()}`,
        },
        options?.timeout ?? DEFAULT_TIMEOUT_MS,
      );
    },
    waitForIssue: (predicate, options) => {
      // An issue filter may need the issue's events: the read applies it, and any issue it returns matches.
      const wanted = typeof predicate === "function" ? undefined : predicate;
      return waitFor<SinkIssue>(
        {
          name: "waitForIssue",
          predicate,
          read: () => issuesMatching(wanted),
          test: typeof predicate === "function" ? predicate : () => true,
          explain: async () => `${arrived("issue", await read.issues(), issueLine)}${await drops()}`,
        },
        options?.timeout ?? DEFAULT_TIMEOUT_MS,
      );
    },
    waitForTransaction: (predicate, options) =>
      waitFor<SinkTransaction>(
        {
          name: "waitForTransaction",
          predicate,
          read: read.transactions,
          test: predicateOf(predicate, transactionMatches),
          explain: async (items) => `${arrived("transaction", items, transactionLine)}${await drops()}`,
        },
        options?.timeout ?? DEFAULT_TIMEOUT_MS,
      ),
    waitForLog: (predicate, options) =>
      waitFor<SinkLog>(
        {
          name: "waitForLog",
          predicate,
          read: read.logs,
          test: predicateOf(predicate, logMatches),
          explain: async (items) => `${arrived("log", items, logLine)}${await drops()}`,
        },
        options?.timeout ?? DEFAULT_TIMEOUT_MS,
      ),
    settled: (options) => settled(options?.timeout),
    async reset() {
      const response = await api.fetch(`/_faultline/reset/${conn.org}/${conn.project}/`, { method: "POST" });
      await response.arrayBuffer();
      read.forgetEvents();
      if (response.status === 404)
        throw new Error(
          `reset() needs Faultline's test sink (startFaultline from faultline/testing); ${conn.url} answered 404`,
        );
      if (!response.ok) throw new Error(`reset() failed: Faultline answered ${response.status}`);
    },
    api: (path, init) => api.fetch(path, init),
    async summary() {
      await settled();
      const [events, issues, transactions, logs, outcomes] = await Promise.all([
        read.events(),
        read.issues(),
        read.transactions(),
        read.logs(),
        read.outcomes(),
      ]);
      const dropped = outcomes.filter(isDrop);
      const head = `Faultline sink ${conn.url}: ${events.length} events in ${issues.length} issues, ${transactions.length} transactions, ${logs.length} logs`;
      const lines = [
        `${head}; ${dropped.length > 0 ? `dropped: ${dropped.map(outcomeLine).join(", ")}` : "nothing dropped"}`,
        ...issues.map((i) => `  ${issueLine(i)}`),
      ];
      return lines.join("\n");
    },
  };
  return client;
}
