// Issue alerts inside the project's Durable Object: after each group commit, every committed error
// event is checked against the project's rules (cached in memory, read from D1 once and again only
// after the API changed them), the frequency windows and fire times live in the object's storage, and
// each delivery is written to the object's outbox in the same step, then handed to the queue. The
// outbox is emptied only once the queue accepted the messages, so a queue failure or an eviction
// loses nothing: the object's alarm sends the rest.
import { type AlertSettingsRow, issueFirstSeen, loadAlertConfig } from "../db/alert-rules.ts";
import {
  addEventCount,
  addUser,
  appendOutbox,
  createAlertStateTables,
  eventCount,
  lastFired,
  outboxHead,
  outboxSize,
  pruneAlertState,
  removeOutbox,
  setFired,
  userCount,
} from "../db/alert-state.ts";
import { type PackedPayload, packedText } from "../db/packed-payload.ts";
import { type BudgetAlert, budgetMessage, budgetRules } from "./budget-alert.ts";
import { type AlertContext, type AlertEvent, needsIssueAge, needsWindows, ruleFires } from "./evaluate.ts";
import { type DeliveryMessage, type DeliveryTarget, payloadDetails } from "./messages.ts";
import { ACTION, type AlertRule, ruleOfRow } from "./rule-model.ts";

/** One error event a group commit stored, with what the commit learned about its issue. */
export interface CommittedError {
  issueId: number;
  isNew: boolean;
  regressed: boolean;
  reappeared: boolean;
  row: {
    eventId: string;
    timestamp: number;
    level: string;
    platform: string;
    release: string | null;
    environment: string | null;
    userKey: string | null;
    message: string | null;
    payload: string | null;
    /** The payload as ingest packed it for its segment, when `payload` is null for that reason. */
    packed?: PackedPayload;
    type: string;
  };
  grouping: { title: string; culprit: string; logger: string | null };
}

interface AlertConfig {
  rules: AlertRule[];
  settings: AlertSettingsRow | null;
  latestRelease: string | null;
  /** Releases named by events since the config was read (bounded: cleared past 1000). */
  seenReleases: Set<string>;
}

export interface AlertEngineDeps {
  db: D1Database;
  sql: SqlStorage;
  queue: Queue<DeliveryMessage> | undefined;
}

/** Messages per queue `sendBatch` (the queue's batch limit is 100). */
const SEND_BATCH = 100;
/** Bytes of message bodies per `sendBatch` (the queue allows 256 KB per batch, 128 KB per message). */
const SEND_BATCH_BYTES = 200_000;

export class AlertEngine {
  private config: AlertConfig | null = null;
  /** Bumped by forget(): a load that started before a change is not cached. */
  private generation = 0;
  private readonly firstSeen = new Map<number, number>();
  private sending: Promise<boolean> = Promise.resolve(true);
  private lastPrune = 0;
  /** When each rule last fired for each issue, as read from (and written to) storage. */
  private readonly fired = new Map<string, number | null>();

  constructor(private readonly deps: AlertEngineDeps) {
    createAlertStateTables(deps.sql);
  }

  /** The API changed the project's rules or settings: read them again before the next evaluation. */
  forget(): void {
    this.config = null;
    this.generation += 1;
  }

  get pendingDeliveries(): number {
    return outboxSize(this.deps.sql);
  }

  /** Evaluates the committed events; answers false when deliveries wait in the outbox (send later). */
  async afterCommit(
    projectId: number,
    organizationId: number,
    events: readonly CommittedError[],
  ): Promise<boolean> {
    if (events.length === 0) return true;
    let config: AlertConfig;
    try {
      config = await this.configFor(projectId);
    } catch (error) {
      // The commit is done; without the rules nothing can be evaluated (logged, not retried).
      console.error("alerts: could not load the project's rules", error);
      return true;
    }
    // Budget rules fire when shedding starts (budgetReached), never for an event (whatever actionMatch says).
    const budget = new Set(budgetRules(config.rules));
    const active = config.rules.filter((r) => r.status === "active" && !budget.has(r));
    if (active.length === 0) return true;
    const now = Date.now() / 1000;
    const { sql } = this.deps;
    const perIssue = new Map<number, number>();
    for (const e of events) perIssue.set(e.issueId, (perIssue.get(e.issueId) ?? 0) + 1);
    if (needsWindows(active)) {
      // One upsert per issue and commit: the windows count the commit's events together, so a commit
      // that crosses a threshold fires on its first event of that issue.
      for (const [issueId, n] of perIssue) addEventCount(sql, issueId, now, n);
      for (const e of events) if (e.row.userKey) addUser(sql, e.issueId, e.row.userKey, now);
      if (now - this.lastPrune > 60) {
        pruneAlertState(sql, now);
        this.lastPrune = now;
      }
    }
    const wantsAge = needsIssueAge(active);
    // Window counts are read once per issue, interval and commit, whatever the number of rules.
    const counts = new Map<string, number>();
    const memo = (kind: string, issueId: number, seconds: number, read: () => number) => {
      const key = `${kind}:${issueId}:${seconds}`;
      let n = counts.get(key);
      if (n === undefined) {
        n = read();
        counts.set(key, n);
      }
      return n;
    };
    const ctx: AlertContext = {
      now,
      latestRelease: config.latestRelease,
      windows: {
        events: (issueId, seconds) =>
          memo("e", issueId, seconds, () => eventCount(sql, issueId, now, seconds)),
        users: (issueId, seconds) => memo("u", issueId, seconds, () => userCount(sql, issueId, now, seconds)),
      },
      lastFired: (ruleId, issueId) => this.lastFiredAt(ruleId, issueId),
    };
    if (config.seenReleases.size > 1000)
      config.seenReleases = new Set(config.latestRelease ? [config.latestRelease] : []);
    const messages: DeliveryMessage[] = [];
    for (const e of events) {
      // A release first named since the rules were read is newer than the one read then (Sentry's latest
      // release is the most recently created, and an event's unknown release is created now).
      if (e.row.release && !config.seenReleases.has(e.row.release)) {
        config.seenReleases.add(e.row.release);
        config.latestRelease = e.row.release;
        ctx.latestRelease = e.row.release;
      }
      // The payload is parsed only when a rule's conditions held and a filter or a message needs it.
      let details: ReturnType<typeof payloadDetails> | null = null;
      const detailsOf = () => {
        details ??= payloadDetails(e.row.payload ?? (e.row.packed ? packedText(e.row.packed) : null));
        return details;
      };
      if (e.isNew) this.firstSeen.set(e.issueId, e.row.timestamp);
      const alertEvent: AlertEvent = {
        issueId: e.issueId,
        isNew: e.isNew,
        regressed: e.regressed,
        reappeared: e.reappeared,
        level: e.row.level,
        environment: e.row.environment,
        release: e.row.release,
        message: e.row.message ?? "",
        platform: e.row.platform,
        type: e.row.type,
        culprit: e.grouping.culprit,
        tags: () => detailsOf().tags,
        issueFirstSeen: wantsAge ? await this.issueAge(projectId, e.issueId) : null,
      };
      for (const rule of active) {
        if (!ruleFires(rule, alertEvent, ctx)) continue;
        setFired(sql, rule.id, e.issueId, now);
        this.fired.set(`${rule.id}:${e.issueId}`, now);
        const summary = summarize(e, detailsOf(), perIssue.get(e.issueId) ?? 1);
        for (const target of targetsOf(rule, config.settings)) {
          messages.push({
            key: crypto.randomUUID(),
            projectId,
            organizationId,
            ruleId: rule.id,
            ruleName: rule.name,
            issueId: e.issueId,
            target,
            event: summary,
            test: false,
          });
        }
      }
    }
    if (messages.length === 0) return true;
    // Durable before anything is sent: the outbox is the record of what must be delivered.
    appendOutbox(
      sql,
      messages.map((m) => JSON.stringify(m)),
    );
    return this.sendOutbox();
  }

  /**
   * Shedding for a cost budget started: delivers the rules with the budget condition (each at most once
   * per its frequency; issue 0 stands for "no issue" in the fire times). False when deliveries wait.
   */
  async budgetReached(projectId: number, organizationId: number, alert: BudgetAlert): Promise<boolean> {
    const config = await this.configFor(projectId);
    const now = Date.now() / 1000;
    const messages: DeliveryMessage[] = [];
    for (const rule of budgetRules(config.rules)) {
      const last = this.lastFiredAt(rule.id, 0);
      if (last !== null && now - last < rule.frequency * 60) continue;
      setFired(this.deps.sql, rule.id, 0, now);
      this.fired.set(`${rule.id}:0`, now);
      for (const target of targetsOf(rule, config.settings))
        messages.push(budgetMessage(rule, target, organizationId, alert, now));
    }
    if (messages.length === 0) return true;
    appendOutbox(
      this.deps.sql,
      messages.map((m) => JSON.stringify(m)),
    );
    return this.sendOutbox();
  }

  /** Hands the outbox to the queue, oldest first; false when the queue refused (the rest stays). */
  sendOutbox(): Promise<boolean> {
    this.sending = this.sending.then(() => this.sendAll());
    return this.sending;
  }

  private async sendAll(): Promise<boolean> {
    const { sql, queue } = this.deps;
    if (!queue) return outboxSize(sql) === 0;
    for (;;) {
      // A batch stays under the queue's 256 KB per sendBatch (a message is at most ~40 KB, see summarize).
      const chunk: { id: number; body: string }[] = [];
      let bytes = 0;
      for (const h of outboxHead(sql, SEND_BATCH)) {
        if (chunk.length > 0 && bytes + h.body.length > SEND_BATCH_BYTES) break;
        chunk.push(h);
        bytes += h.body.length;
      }
      const last = chunk[chunk.length - 1];
      if (!last) return true;
      try {
        await queue.sendBatch(
          chunk.map((h) => ({ body: JSON.parse(h.body) as DeliveryMessage, contentType: "json" })),
        );
      } catch (error) {
        console.error("alerts: queue refused deliveries; kept in the outbox", error);
        return false;
      }
      removeOutbox(sql, last.id);
    }
  }

  private lastFiredAt(ruleId: number, issueId: number): number | null {
    const key = `${ruleId}:${issueId}`;
    const cached = this.fired.get(key);
    if (cached !== undefined) return cached;
    if (this.fired.size > 50_000) this.fired.clear();
    const at = lastFired(this.deps.sql, ruleId, issueId);
    this.fired.set(key, at);
    return at;
  }

  private async configFor(projectId: number): Promise<AlertConfig> {
    if (this.config) return this.config;
    const generation = this.generation;
    const loaded = await loadAlertConfig(this.deps.db, projectId);
    const config: AlertConfig = {
      rules: loaded.rules.map(ruleOfRow),
      settings: loaded.settings,
      latestRelease: loaded.latestRelease,
      seenReleases: new Set(loaded.latestRelease ? [loaded.latestRelease] : []),
    };
    if (generation === this.generation) this.config = config;
    return config;
  }

  /** An issue's first-seen time: known for issues this object created, else read once from D1. */
  private async issueAge(projectId: number, issueId: number): Promise<number | null> {
    const known = this.firstSeen.get(issueId);
    if (known !== undefined) return known;
    const read = await issueFirstSeen(this.deps.db, projectId, issueId).catch(() => null);
    if (read !== null) {
      if (this.firstSeen.size > 10_000) this.firstSeen.clear();
      this.firstSeen.set(issueId, read);
    }
    return read;
  }
}

/** The deliveries a rule's actions make: one per webhook URL, chat webhook and e-mail action. */
export function targetsOf(rule: AlertRule, settings: AlertSettingsRow | null): DeliveryTarget[] {
  const targets: DeliveryTarget[] = [];
  for (const a of rule.actions) {
    if (a.id === ACTION.service && a.service === "webhooks") {
      for (const url of webhookUrls(settings)) targets.push({ kind: "webhook", url });
    } else if ((a.id === ACTION.slack || a.id === ACTION.discord) && typeof a.webhook_url === "string") {
      targets.push({ kind: a.id === ACTION.slack ? "slack" : "discord", url: a.webhook_url });
    } else if (a.id === ACTION.email) {
      const id = Number(a.targetIdentifier);
      targets.push({
        kind: "email",
        targetType: String(a.targetType),
        targetIdentifier: Number.isFinite(id) && id > 0 ? id : null,
      });
    }
  }
  return targets;
}

export function webhookUrls(settings: Pick<AlertSettingsRow, "webhookUrls"> | null): string[] {
  return (settings?.webhookUrls ?? "")
    .split("\n")
    .map((u) => u.trim())
    .filter((u) => u !== "");
}

function summarize(
  e: CommittedError,
  details: ReturnType<typeof payloadDetails>,
  count: number,
): DeliveryMessage["event"] {
  return {
    eventId: e.row.eventId,
    title: e.grouping.title,
    culprit: e.grouping.culprit,
    level: e.row.level,
    // Bounded so one message stays far below the queue's 128 KB (tags and message are the open-ended parts).
    message: (e.row.message ?? "").slice(0, 4096),
    platform: e.row.platform,
    logger: e.grouping.logger,
    release: e.row.release,
    environment: e.row.environment,
    timestamp: e.row.timestamp,
    tags: details.tags.slice(0, 50).map(([k, v]) => [k.slice(0, 200), v.slice(0, 200)]),
    frames: details.frames,
    count,
  };
}
