// `npm run bench:alerts`: ingest with 10 issue alert rules on the project against none, under the same
// `wrangler dev`. wrk loads the default project with 30-frame sentry-rust panics (fresh event ids, over
// 20 fingerprints) for BENCH_SECONDS at BENCH_CONNECTIONS; runs alternate none / 10 rules / none /
// 10 rules so drift in the machine is shared. Prints req/s, p50/p99 and the drain time (how long the
// object takes to commit the spooled load, where the rules are evaluated) and the ratios. The rules'
// webhooks go to a local receiver (test/support/receiver.mjs). Needs wrk: `apt-get install wrk`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, ensureDefaults, startDev, stopDev } from "../scripts/local-server.mjs";
import { startReceiver } from "../test/support/receiver.mjs";
import { panicTemplates, waitForDrain } from "./ingest-check.mjs";
import { requireWrk, runWrk } from "./wrk.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const PORT = 18797;

const C = "sentry.rules.conditions.";
const F = "sentry.rules.filters.";
const WEBHOOKS = {
  id: "sentry.rules.actions.notify_event_service.NotifyEventServiceAction",
  service: "webhooks",
};
const EMAIL = {
  id: "sentry.mail.actions.NotifyEmailAction",
  targetType: "IssueOwners",
  fallthroughType: "ActiveMembers",
};
const RULES = [
  {
    name: "new issue",
    conditions: [{ id: `${C}first_seen_event.FirstSeenEventCondition` }],
    actions: [WEBHOOKS],
  },
  {
    name: "new issue mail",
    conditions: [{ id: `${C}first_seen_event.FirstSeenEventCondition` }],
    actions: [EMAIL],
  },
  {
    name: "regression",
    conditions: [{ id: `${C}regression_event.RegressionEventCondition` }],
    actions: [WEBHOOKS],
  },
  {
    name: "reappeared",
    conditions: [{ id: `${C}reappeared_event.ReappearedEventCondition` }],
    actions: [WEBHOOKS],
  },
  {
    name: "spike",
    conditions: [{ id: `${C}event_frequency.EventFrequencyCondition`, value: 100, interval: "5m" }],
    actions: [WEBHOOKS],
  },
  {
    name: "hourly",
    conditions: [{ id: `${C}event_frequency.EventFrequencyCondition`, value: 1000, interval: "1h" }],
    actions: [WEBHOOKS],
  },
  {
    name: "users",
    conditions: [{ id: `${C}event_frequency.EventUniqueUserFrequencyCondition`, value: 100, interval: "1h" }],
    actions: [WEBHOOKS],
  },
  {
    name: "fatal",
    conditions: [{ id: `${C}first_seen_event.FirstSeenEventCondition` }],
    filters: [{ id: `${F}level.LevelFilter`, match: "gte", level: "50" }],
    actions: [WEBHOOKS],
  },
  {
    name: "tagged",
    conditions: [{ id: `${C}event_frequency.EventFrequencyCondition`, value: 10, interval: "1m" }],
    filters: [{ id: `${F}tagged_event.TaggedEventFilter`, key: "server_name", match: "co", value: "web" }],
    actions: [WEBHOOKS],
  },
  {
    name: "prod",
    environment: "production",
    conditions: [{ id: `${C}event_frequency.EventFrequencyCondition`, value: 50, interval: "15m" }],
    actions: [WEBHOOKS],
  },
];

requireWrk();
const persistTo = mkdtempSync(join(tmpdir(), "faultline-bench-alerts-"));
applyMigrations(persistTo);
const defaults = ensureDefaults(persistTo, join(persistTo, "local.json"));
const receiver = await startReceiver();
const server = await startDev({ port: PORT, persistTo, inspectorPort: 0 });
const base = `http://127.0.0.1:${PORT}/api/0/projects/${defaults.orgSlug}/${defaults.projectSlug}`;
const api = async (method, path, body) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${defaults.token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 202 ? null : res.json();
};

const path = `/api/${defaults.projectId}/envelope/?sentry_key=${defaults.publicKey}&sentry_version=7`;
const envelopes = panicTemplates(20);

async function run(label) {
  const r = await runWrk({ port: PORT, path, connections: CONNECTIONS, seconds: SECONDS, envelopes });
  const drainMs = await waitForDrain(PORT, defaults.token);
  return { label, rps: r.rps, p50: r.p50, p99: r.p99, drainMs };
}

try {
  await api("PUT", "/alert-settings/", { allowPrivateTargets: true });
  await api("PUT", "/plugins/webhooks/", { urls: `${receiver.url}/ok/bench` });
  // Warm up: issues exist, caches are loaded, the isolate is compiled.
  await run("warm-up");
  const results = [];
  for (let round = 0; round < 2; round++) {
    results.push(await run("no rules"));
    const ids = [];
    for (const rule of RULES)
      ids.push((await api("POST", "/rules/", { frequency: 5, filters: [], ...rule })).id);
    results.push(await run("10 rules"));
    for (const id of ids) await api("DELETE", `/rules/${id}/`);
  }
  console.table(
    results.map((r) => ({
      run: r.label,
      "req/s": r.rps.toFixed(0),
      "p50 ms": r.p50.toFixed(1),
      "p99 ms": r.p99.toFixed(1),
      "drain ms": r.drainMs.toFixed(0),
    })),
  );
  const mean = (label, key) => {
    const rows = results.filter((r) => r.label === label);
    return rows.reduce((a, r) => a + r[key], 0) / rows.length;
  };
  const ratio = mean("10 rules", "rps") / mean("no rules", "rps");
  console.log(`req/s with 10 rules / without: ${(ratio * 100).toFixed(1)}%`);
  console.log(
    `drain with 10 rules / without: ${((mean("10 rules", "drainMs") / mean("no rules", "drainMs")) * 100).toFixed(1)}%`,
  );
  const deliveries = await api("GET", "/alert-deliveries/");
  console.log(`deliveries logged: ${deliveries.length}`);
} finally {
  stopDev(server);
  await receiver.close();
  rmSync(persistTo, { recursive: true, force: true });
}
