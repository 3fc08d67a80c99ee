// `npm run bench:otlp` (part of `npm run bench`): OTLP/HTTP ingest and the logs explorer. Spans/s and log
// records/s through `POST /api/{id}/integration/otlp/v1/{traces,logs}` (protobuf, 100 per request, made
// by the OpenTelemetry JS SDK, see bench/otlp-load.mjs) side by side with the trivial Worker under the
// same runtime, D1 rows written per span and per log record (the project object's D1 result metadata),
// acknowledged records missing from D1 after the spool drained (must be 0); then the logs explorer's
// p50/p99 (full page render, loopback) with 1,000,000 log records seeded directly into local D1.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  applyMigrations,
  ensureDefaults,
  freePort,
  sqlLocal,
  startDev,
  stopDev,
} from "../scripts/local-server.mjs";
import { ingestStats, waitForDrain } from "./ingest-check.mjs";
import { logBodies, postAll, traceBodies } from "./otlp-load.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_OTLP_CONNECTIONS ?? 16);
const REQUESTS = Number(process.env.BENCH_OTLP_REQUESTS ?? 1500);
const LOGS = Number(process.env.BENCH_OTLP_LOGS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_OTLP_RUNS ?? 40);

async function faultlineServer(port) {
  const persistTo = mkdtempSync(join(tmpdir(), "faultline-bench-otlp-"));
  applyMigrations(persistTo);
  const defaults = ensureDefaults(persistTo, join(persistTo, "local.json"));
  const server = await startDev({ port, persistTo, inspectorPort: 0 });
  return { port, persistTo, defaults, server };
}

const count = (persistTo, table) =>
  Number(sqlLocal(persistTo, `SELECT COUNT(*) AS n FROM ${table}`)[0]?.n ?? 0);

async function ingestRun(target, trivialPort, signal, bodies) {
  const path = `/api/${target.defaults.projectId}/integration/otlp/v1/${signal}`;
  const headers = {
    "content-type": "application/x-protobuf",
    "x-sentry-auth": `sentry sentry_key=${target.defaults.publicKey}`,
  };
  const half = Math.floor(bodies.length / 2);
  const base = await postAll({
    url: `http://127.0.0.1:${trivialPort}${path}`,
    headers,
    bodies: bodies.slice(0, half),
    connections: CONNECTIONS,
    seconds: SECONDS,
  });
  const table = signal === "traces" ? "spans" : "logs";
  const before = await ingestStats(target.port, target.defaults.token);
  const rowsBefore = count(target.persistTo, table);
  const run = await postAll({
    url: `http://127.0.0.1:${target.port}${path}`,
    headers,
    bodies: bodies.slice(half),
    connections: CONNECTIONS,
    seconds: SECONDS,
  });
  const drainMs = await waitForDrain(target.port, target.defaults.token);
  const after = await ingestStats(target.port, target.defaults.token);
  const stored = count(target.persistTo, table) - rowsBefore;
  const acknowledged = run.ok * 100;
  return {
    signal: `${signal} (${table})`,
    connections: CONNECTIONS,
    "req/s": run.rps.toFixed(0),
    "spans or records/s": (run.rps * 100).toFixed(0),
    "p50 ms": run.p50.toFixed(1),
    "p99 ms": run.p99.toFixed(1),
    "trivial req/s": base.rps.toFixed(0),
    ratio: (run.rps / base.rps).toFixed(2),
    "2xx": run.ok,
    "non-2xx": run.failed,
    "socket errors": run.socketErrors,
    "D1 rows/record": ((after.d1RowsWritten - before.d1RowsWritten) / Math.max(1, stored)).toFixed(2),
    lost: Math.max(0, acknowledged - stored),
    "drain ms": drainMs.toFixed(0),
  };
}

/** LOGS log records over the last 24 h, levels and bodies varied, 1 in 1,000 with a trace id. */
function seedLogs(persistTo, projectId, now) {
  const before = Number(sqlLocal(persistTo, "SELECT COALESCE(MAX(id), 0) AS id FROM logs")[0]?.id ?? 0);
  const chunk = 250_000;
  for (let offset = 0; offset < LOGS; offset += chunk) {
    const n = Math.min(chunk, LOGS - offset);
    sqlLocal(
      persistTo,
      `WITH RECURSIVE n(i) AS (SELECT ${offset + 1} UNION ALL SELECT i + 1 FROM n WHERE i < ${offset + n})
       INSERT INTO logs (project_id, timestamp, trace_id, span_id, level, severity_number, body, release, environment, attributes)
       SELECT ${projectId}, ${now} - (i * 0.0864) % 86400,
         CASE WHEN i % 1000 = 0 THEN printf('%032x', i / 1000) END, NULL,
         CASE i % 20 WHEN 0 THEN 'error' WHEN 1 THEN 'warn' WHEN 2 THEN 'debug' ELSE 'info' END,
         CASE i % 20 WHEN 0 THEN 17 WHEN 1 THEN 13 WHEN 2 THEN 5 ELSE 9 END,
         printf('request %d handled by worker %d in %d ms', i, i % 64, i % 997),
         printf('svc@1.%d.0', i % 5), CASE WHEN i % 3 = 0 THEN 'staging' ELSE 'production' END,
         printf('{"worker":%d,"route":"/r/%d"}', i % 64, i % 50)
       FROM n`,
    );
  }
  // The histogram's counters, as the group commits that store records keep them.
  sqlLocal(
    persistTo,
    `INSERT INTO log_volume (project_id, slot, level, n)
     SELECT project_id, CAST(timestamp / 600 AS INTEGER) * 600, level, COUNT(*) FROM logs WHERE id > ${before}
     GROUP BY 1, 2, 3 ON CONFLICT (project_id, slot, level) DO UPDATE SET n = n + excluded.n`,
  );
}

/**
 * A request whose kept-alive connection the dev server closed is sent again on a new one (up to 3
 * tries); resolves once the whole body is read, so the timing includes it.
 */
async function fetchRetried(url, init = {}) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const res = await fetch(url, init);
      const text = await res.text();
      return { status: res.status, headers: res.headers, text };
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

async function signIn(url, email, password) {
  const form = await fetchRetried(`${url}/auth/login/`);
  const csrf = /fl_login_csrf=([0-9a-f]+)/.exec(form.headers.get("set-cookie") ?? "")?.[1];
  const res = await fetchRetried(`${url}/auth/login/`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: `fl_login_csrf=${csrf}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: csrf ?? "", email, password, next: "/" }),
  });
  const session = /fl_session=([0-9a-f]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  if (!session) throw new Error(`sign-in failed: ${res.status}`);
  return `fl_session=${session}`;
}

async function time(url, cookie) {
  const latencies = [];
  for (let i = 0; i < RUNS + 5; i++) {
    const started = performance.now();
    const res = await fetchRetried(url, { headers: { cookie } });
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    if (i >= 5) latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return { p50: pct(50), p99: pct(99) };
}

async function explorerRun(target) {
  const { persistTo, defaults, port } = target;
  const now = Math.floor(Date.now() / 1000);
  const seedStarted = performance.now();
  seedLogs(persistTo, defaults.projectId, now);
  const seeded = count(persistTo, "logs");
  console.log(
    `seeded ${seeded.toLocaleString("en")} log records in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s`,
  );
  const url = `http://127.0.0.1:${port}`;
  const cookie = await signIn(url, defaults.userEmail, defaults.password);
  const base = `${url}/organizations/${defaults.orgSlug}/explore/logs/`;
  const cases = [
    ["newest first, last 24 h (histogram + 50 rows)", `${base}`],
    ["level error", `${base}?level=error`],
    ["trace id", `${base}?trace=${(7).toString(16).padStart(32, "0")}&period=30d`],
    ["attribute worker:7", `${base}?query=worker%3A7`],
    ["environment + release", `${base}?environment=staging&release=svc%401.3.0`],
    ["free text (body substring)", `${base}?query=${encodeURIComponent("worker 63 in 996")}`],
    ["older page (cursor)", `${base}?cursor=${now - 3600}:500000`],
  ];
  const rows = [];
  for (const [name, target] of cases) {
    const r = await time(target, cookie);
    rows.push({ "logs explorer SSR": name, "p50 ms": r.p50.toFixed(1), "p99 ms": r.p99.toFixed(1) });
  }
  return { seeded, rows };
}

const servers = [];
try {
  // Free ports, picked now: fixed ones may be taken by another bench on the same machine.
  const ports = { faultline: await freePort(0), trivial: await freePort(0) };
  const faultline = await faultlineServer(ports.faultline);
  servers.push(faultline);
  const trivial = { server: await startDev({ port: ports.trivial, config: "bench/trivial/wrangler.toml" }) };
  servers.push(trivial);
  console.log(`building ${REQUESTS} trace and ${REQUESTS} log export requests (100 each)…`);
  const traces = traceBodies(REQUESTS);
  const logs = logBodies(REQUESTS);
  // Warm both runtimes (module load, first D1 and object touch).
  await ingestRun(faultline, ports.trivial, "traces", traceBodies(40));
  const ingest = [
    await ingestRun(faultline, ports.trivial, "traces", traces),
    await ingestRun(faultline, ports.trivial, "logs", logs),
  ];
  console.log(
    `\nOTLP/HTTP ingest: protobuf, 100 spans / log records per request, ${CONNECTIONS} concurrent requests from node's fetch, at most ${SECONDS} s per run`,
  );
  console.table(ingest);
  const explorer = await explorerRun(faultline);
  console.log(
    `\nLogs explorer with ${explorer.seeded.toLocaleString("en")} log records in the project (24 h), full page (wall per request on loopback, local D1, ${RUNS} runs after 5 warm-up):`,
  );
  console.table(explorer.rows);
  if (ingest.some((r) => r.lost > 0)) process.exitCode = 1;
} finally {
  for (const s of servers) stopDev(s.server);
  for (const s of servers) if (s.persistTo) rmSync(s.persistTo, { recursive: true, force: true });
}
