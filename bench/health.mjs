// `npm run bench:health`: release health figures under one `wrangler dev`.
//  1. Ingest of session aggregates with the counters on: wrk posts `sessions` items of 100 buckets
//     (10 sessions each, 1000 per envelope) for BENCH_SECONDS at BENCH_CONNECTIONS; prints envelopes/s,
//     sessions/s accepted, and sessions/s committed (accepted over load + drain time).
//  2. D1 rows written per session for application-mode sessions (an `init` update and an `exited`
//     update, in separate envelopes, as SDKs send them): the project object's d1RowsWritten over the
//     sessions sent.
//  3. The releases list with health=1 for 200 releases over 90 days (counters and user rows seeded in
//     D1: each release active for 14 days, staggered over the 90, every hour, 3 users an hour):
//     p50/p99 of `GET …/releases/?health=1` pages of 100, and with healthStatsPeriod=14d.
// Needs wrk: `apt-get install wrk`. Numbers on a shared machine are noisy; compare runs on one machine.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, ensureDefaults, sqlLocal, startDev, stopDev } from "../scripts/local-server.mjs";
import { ingestStats, waitForDrain } from "./ingest-check.mjs";
import { PLAIN_PLACEHOLDER, requireWrk, runWrk } from "./wrk.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const APP_SESSIONS = Number(process.env.BENCH_APP_SESSIONS ?? 300);
const LIST_REQUESTS = Number(process.env.BENCH_LIST_REQUESTS ?? 40);
const PORT = 18799;
const HYPHENATED = "feedface-feed-face-feed-facefeedface";
const BUCKETS = 100;
const PER_BUCKET = 10;

const iso = (s) => new Date(s * 1000).toISOString();

/** A `sessions` envelope: 100 minute buckets of 10 sessions; the wrk placeholder is one bucket's did. */
function aggregateTemplate(seed) {
  const now = Math.floor(Date.now() / 1000);
  const aggregates = Array.from({ length: BUCKETS }, (_, i) => ({
    started: iso(now - 60 * (i % 50) - 30),
    did: i === 0 ? PLAIN_PLACEHOLDER : `user-${seed}-${i}`,
    exited: PER_BUCKET - 2,
    errored: 1,
    crashed: i % 10 === 0 ? 1 : 0,
    abnormal: i % 10 === 0 ? 0 : 1,
  }));
  const body = JSON.stringify({
    attrs: { release: `bench@${seed % 4}`, environment: "production" },
    aggregates,
  });
  const bytes = Buffer.byteLength(body);
  return Buffer.from(
    `${JSON.stringify({ event_id: HYPHENATED })}\n${JSON.stringify({ type: "sessions", length: bytes })}\n${body}\n`,
  );
}

function sessionEnvelope(sid, init, status, started) {
  const body = JSON.stringify({
    sid,
    did: `app-user-${sid.slice(0, 4)}`,
    init,
    started: iso(started),
    timestamp: iso(started + 30),
    status,
    errors: 0,
    duration: init ? undefined : 30,
    attrs: { release: "bench-app@1", environment: "production" },
  });
  return `${JSON.stringify({})}\n${JSON.stringify({ type: "session", length: Buffer.byteLength(body) })}\n${body}\n`;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

requireWrk();
const persistTo = mkdtempSync(join(tmpdir(), "faultline-bench-health-"));
applyMigrations(persistTo);
const defaults = ensureDefaults(persistTo, join(persistTo, "local.json"));
// 3 (seeded before the server starts, which then owns the local D1): 200 releases over 90 days.
const now = Math.floor(Date.now() / 3600) * 3600;
const p = defaults.projectId;
sqlLocal(
  persistTo,
  `INSERT INTO releases (organization_id, version, date_added)
   WITH RECURSIVE r(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM r WHERE n < 199)
   SELECT (SELECT organization_id FROM projects WHERE id = ${p}), 'list@' || n, ${now} - (199 - n) * 38880 FROM r;
   INSERT INTO release_projects (release_id, project_id) SELECT id, ${p} FROM releases WHERE version LIKE 'list@%';`,
);
// Release n is active for 14 days from day n × 90/200, every hour.
sqlLocal(
  persistTo,
  `INSERT INTO release_health_hours (project_id, hour, release, environment, healthy, errored, abnormal, unhandled, crashed)
   WITH RECURSIVE r(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM r WHERE n < 199),
     h(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM h WHERE k < 335)
   SELECT ${p}, ${now} - 90 * 86400 + n * 38880 / 3600 * 3600 + k * 3600 AS hour, 'list@' || n, 'production',
     20 + (k % 7), 2, 0, 0, (k % 5 = 0)
   FROM r, h WHERE hour <= ${now}`,
);
sqlLocal(
  persistTo,
  `INSERT INTO release_health_users (project_id, hour, release, environment, user_hash, status)
   WITH RECURSIVE u(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM u WHERE j < 2)
   SELECT project_id, hour, release, environment, printf('%016x', (hour / 3600) * 7 + j), CASE WHEN j = 0 AND crashed > 0 THEN 4 ELSE 0 END
   FROM release_health_hours, u WHERE release LIKE 'list@%'`,
);
const seeded = sqlLocal(
  persistTo,
  "SELECT (SELECT COUNT(*) FROM release_health_hours) AS hours, (SELECT COUNT(*) FROM release_health_users) AS users",
)[0];
const server = await startDev({ port: PORT, persistTo, inspectorPort: 0 });
const base = `http://127.0.0.1:${PORT}`;
const envelopePath = `/api/${defaults.projectId}/envelope/?sentry_key=${defaults.publicKey}&sentry_version=7`;

try {
  // 1. Aggregates under load.
  const templates = Array.from({ length: 8 }, (_, i) => aggregateTemplate(i));
  await runWrk({ port: PORT, path: envelopePath, connections: 4, seconds: 2, envelopes: templates });
  await waitForDrain(PORT, defaults.token);
  const load = await runWrk({
    port: PORT,
    path: envelopePath,
    connections: CONNECTIONS,
    seconds: SECONDS,
    envelopes: templates,
  });
  const drainMs = await waitForDrain(PORT, defaults.token);
  const accepted = load.accepted.length * BUCKETS * PER_BUCKET;
  console.log(
    `aggregates: ${load.rps.toFixed(0)} envelopes/s (p50 ${load.p50.toFixed(1)} ms, p99 ${load.p99.toFixed(1)} ms), ` +
      `${(accepted / SECONDS).toFixed(0)} sessions/s accepted, ` +
      `${(accepted / (SECONDS + drainMs / 1000)).toFixed(0)} sessions/s committed (drain ${drainMs.toFixed(0)} ms)`,
  );

  // 2. D1 rows written per application-mode session (init update + exited update).
  const before = await ingestStats(PORT, defaults.token);
  const started = Math.floor(Date.now() / 1000) - 120;
  const sids = Array.from({ length: APP_SESSIONS }, () => randomBytes(16).toString("hex"));
  const post = (body) =>
    fetch(`${base}${envelopePath}`, { method: "POST", body }).then((r) => r.arrayBuffer());
  for (let i = 0; i < sids.length; i += 16)
    await Promise.all(sids.slice(i, i + 16).map((sid) => post(sessionEnvelope(sid, true, "ok", started))));
  await waitForDrain(PORT, defaults.token);
  for (let i = 0; i < sids.length; i += 16)
    await Promise.all(
      sids.slice(i, i + 16).map((sid) => post(sessionEnvelope(sid, false, "exited", started))),
    );
  await waitForDrain(PORT, defaults.token);
  const after = await ingestStats(PORT, defaults.token);
  const rows = after.d1RowsWritten - before.d1RowsWritten;
  console.log(
    `application sessions: ${APP_SESSIONS} sessions × 2 updates → ${rows} D1 rows written, ${(rows / APP_SESSIONS).toFixed(2)} per session ` +
      `(${(rows / (2 * APP_SESSIONS)).toFixed(2)} per update, the raw session_updates rows included)`,
  );

  // 3. The releases list with health.
  const time = async (query) => {
    const ms = [];
    for (let i = 0; i < LIST_REQUESTS; i++) {
      const t = performance.now();
      const res = await fetch(`${base}/api/0/organizations/${defaults.orgSlug}/releases/?${query}`, {
        headers: { authorization: `Bearer ${defaults.token}` },
      });
      const body = await res.json();
      if (!res.ok || !Array.isArray(body) || body.length === 0) throw new Error(`${query}: ${res.status}`);
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    return `p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms`;
  };
  console.log(
    `seeded ${seeded.hours} counter rows and ${seeded.users} user rows (200 releases over 90 days)`,
  );
  console.log(`releases list, health=1, 100 per page, page 1: ${await time("health=1&per_page=100")}`);
  console.log(
    `releases list, health=1, 100 per page, page 2: ${await time("health=1&per_page=100&cursor=0:100:0")}`,
  );
  console.log(
    `releases list, health=1&healthStatsPeriod=14d: ${await time("health=1&per_page=100&healthStatsPeriod=14d")}`,
  );
  console.log(`releases list without health (hasHealthData only): ${await time("per_page=100")}`);
} finally {
  stopDev(server);
  rmSync(persistTo, { recursive: true, force: true });
}
