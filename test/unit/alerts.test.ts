// The pure parts of issue alerts: rule evaluation with a clock (frequency windows expire, the rule's
// frequency lapses), the outbound URL guard, and the rendered e-mail and chat messages.
import { describe, expect, it } from "vitest";
import { renderAlertEmail } from "../../src/alerts/email.ts";
import { type AlertContext, type AlertEvent, ruleFires } from "../../src/alerts/evaluate.ts";
import type { DeliveryMessage } from "../../src/alerts/messages.ts";
import { payloadDetails } from "../../src/alerts/messages.ts";
import { discordBody, legacyWebhookBody, signBody, slackBody } from "../../src/alerts/payloads.ts";
import { type AlertRule, CONDITION } from "../../src/alerts/rule-model.ts";
import { blockedReason } from "../../src/alerts/url-guard.ts";

const rule = (over: Partial<AlertRule> = {}): AlertRule => ({
  id: 1,
  projectId: 1,
  name: "r",
  status: "active",
  actionMatch: "all",
  filterMatch: "all",
  frequency: 30,
  environment: null,
  conditions: [{ id: CONDITION.firstSeen }],
  filters: [],
  actions: [],
  createdBy: null,
  createdAt: 0,
  ...over,
});

const event = (over: Partial<AlertEvent> = {}): AlertEvent => ({
  issueId: 7,
  isNew: true,
  regressed: false,
  reappeared: false,
  level: "error",
  environment: null,
  release: null,
  message: "m",
  platform: "python",
  type: "error",
  culprit: "c",
  tags: () => [],
  issueFirstSeen: null,
  ...over,
});

const ctx = (now: number, fired: number | null, counts: number[] = []): AlertContext => ({
  now,
  latestRelease: null,
  windows: {
    // Events at the given times (seconds): those within the window count.
    events: (_id, seconds) => counts.filter((t) => t > now - seconds).length,
    users: () => 0,
  },
  lastFired: () => fired,
});

describe("rule evaluation", () => {
  it("frequency: not again within `frequency` minutes, again once it lapsed", () => {
    const r = rule({ frequency: 30 });
    expect(ruleFires(r, event(), ctx(10_000, null))).toBe(true);
    expect(ruleFires(r, event(), ctx(10_000 + 29 * 60, 10_000))).toBe(false);
    expect(ruleFires(r, event(), ctx(10_000 + 30 * 60, 10_000))).toBe(true);
  });

  it("an event-frequency window forgets events older than its interval", () => {
    const r = rule({ conditions: [{ id: CONDITION.frequency, value: 2, interval: "5m" }] });
    const now = 100_000;
    expect(ruleFires(r, event({ isNew: false }), ctx(now, null, [now - 10, now - 20, now - 30]))).toBe(true);
    expect(ruleFires(r, event({ isNew: false }), ctx(now, null, [now - 10, now - 20, now - 400]))).toBe(
      false,
    );
  });

  it("the rule's environment, a disabled rule and actionMatch none", () => {
    expect(ruleFires(rule({ environment: "prod" }), event({ environment: "dev" }), ctx(1, null))).toBe(false);
    expect(ruleFires(rule({ environment: "prod" }), event({ environment: "prod" }), ctx(1, null))).toBe(true);
    expect(ruleFires(rule({ status: "disabled" }), event(), ctx(1, null))).toBe(false);
    expect(ruleFires(rule({ actionMatch: "none" }), event({ isNew: false }), ctx(1, null))).toBe(true);
  });
  it("a rule that fired within its frequency reads neither the windows nor the payload's tags", () => {
    const r = rule({
      conditions: [{ id: CONDITION.frequency, value: 0, interval: "1m" }],
      filters: [{ id: "sentry.rules.filters.tagged_event.TaggedEventFilter", key: "k", match: "is" }],
    });
    const reads = { windows: 0, tags: 0 };
    const counted = (fired: number | null): AlertContext => ({
      ...ctx(10_000, fired),
      windows: {
        events: () => {
          reads.windows += 1;
          return 5;
        },
        users: () => 0,
      },
    });
    const tagged = event({
      isNew: false,
      tags: () => {
        reads.tags += 1;
        return [["k", "v"]];
      },
    });
    expect(ruleFires(r, tagged, counted(10_000 - 60))).toBe(false);
    expect(reads).toEqual({ windows: 0, tags: 0 });
    expect(ruleFires(r, tagged, counted(null))).toBe(true);
    expect(reads).toEqual({ windows: 1, tags: 1 });
  });
});

describe("outbound URL guard", () => {
  it("refuses loopback, private, link-local and local names; allows public http(s)", () => {
    for (const url of [
      "http://127.0.0.1/",
      "http://127.1.2.3:8080/x",
      "http://10.0.0.1/",
      "http://172.16.5.4/",
      "http://192.168.1.1/",
      "http://169.254.169.254/latest/meta-data",
      "http://0.0.0.0/",
      "http://[::1]/",
      "http://[fd00::1]/",
      "http://[fe80::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://localhost:3000/",
      "http://db.internal/",
      "file:///etc/passwd",
      "http://user:pw@hooks.example.com/",
    ])
      expect(blockedReason(url, false), url).not.toBeNull();
    expect(blockedReason("https://hooks.slack.com/services/T/B/X", false)).toBeNull();
    expect(blockedReason("http://93.184.216.34/hook", false)).toBeNull();
    expect(blockedReason("http://127.0.0.1:9999/", true)).toBeNull();
    expect(blockedReason("ftp://127.0.0.1/", true)).not.toBeNull();
  });
});

const message: DeliveryMessage = {
  key: "k",
  projectId: 1,
  organizationId: 1,
  ruleId: 3,
  ruleName: "Prod <errors>",
  issueId: 42,
  target: { kind: "webhook", url: "https://x.example/" },
  test: false,
  event: {
    eventId: "a".repeat(32),
    title: "TypeError: x is <undefined>",
    culprit: "app/main.js in run",
    level: "error",
    message: "",
    platform: "node",
    logger: null,
    release: "app@1.2.3",
    environment: "production",
    timestamp: 1_700_000_000,
    tags: [["shard", "a"]],
    frames: [{ function: "run", filename: "app/main.js", lineno: 10 }],
    count: 3,
  },
};
const link = { projectSlug: "api", projectName: "API", orgSlug: "acme", baseUrl: "https://errors.acme.test" };

describe("alert messages", () => {
  it("renders the e-mail: title, culprit, frames, counts, release, environment, link; HTML escaped", () => {
    const mail = renderAlertEmail(message, link);
    expect(mail.subject).toBe("[Faultline] api ERROR: TypeError: x is <undefined>");
    for (const part of [
      "TypeError: x is <undefined>",
      "app/main.js in run",
      "run (app/main.js:10)",
      "Events: 3",
      "Release: app@1.2.3",
      "Environment: production",
      "https://errors.acme.test/organizations/acme/issues/42/",
    ])
      expect(mail.text).toContain(part);
    expect(mail.html).toContain("TypeError: x is &lt;undefined&gt;");
    expect(mail.html).toContain("Prod &lt;errors&gt;");
    expect(mail.html).not.toContain("<undefined>");
  });

  it("builds Sentry's legacy webhook JSON and signs it with HMAC-SHA256", async () => {
    const body = legacyWebhookBody(message, link);
    expect(body).toMatchObject({
      id: "42",
      project: "api",
      culprit: "app/main.js in run",
      message: "TypeError: x is <undefined>",
      triggering_rules: ["Prod <errors>"],
      url: "https://errors.acme.test/organizations/acme/issues/42/?referrer=webhooks_plugin",
    });
    // RFC 4231 test case 2.
    expect(await signBody("Jefe", "what do ya want for nothing?")).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("formats Slack and Discord bodies", () => {
    expect(JSON.stringify(slackBody(message, link))).toContain("TypeError: x is &lt;undefined&gt;");
    const d = discordBody(message, link);
    expect(d).toMatchObject({ embeds: [{ url: "https://errors.acme.test/organizations/acme/issues/42/" }] });
  });

  it("reads tags and the top in-app frames, innermost first, from a stored payload", () => {
    const payload = JSON.stringify({
      tags: [["a", "1"]],
      exception: {
        values: [
          {
            stacktrace: {
              frames: [
                { function: "lib", in_app: false },
                { function: "outer", in_app: true },
                { function: "inner", in_app: true, filename: "x.py", lineno: 3 },
              ],
            },
          },
        ],
      },
    });
    expect(payloadDetails(payload)).toEqual({
      tags: [["a", "1"]],
      frames: [
        { function: "inner", filename: "x.py", lineno: 3 },
        { function: "outer", filename: null, lineno: null },
      ],
    });
  });
});
