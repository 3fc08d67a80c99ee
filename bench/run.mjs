// `npm run bench`: ingest throughput and cost of Faultline against a trivial Worker on the same runtime.
// Prints accepted events/s, p50/p99 latency, peak workerd RSS, the ratio to the trivial Worker, D1 rows
// written per error event (from D1 result metadata, via the project's Durable Object counters), and
// whether every accepted event was stored.
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, ensureDefaults, sqlLocal, startDev, stopDev } from "../scripts/local-server.mjs";
import { anyhowEvent, mixedEnvelope, panicEvent, toEnvelope } from "./envelopes.mjs";
import { samplePeakRss } from "./process-rss.mjs";
import { runUiBench } from "./ui.mjs";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1500);
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? "1,8,32").split(",").map(Number);
const FAULTLINE_PORT = 18787;
const TRIVIAL_PORT = 18788;

function post(agent, port, path, body) {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        agent,
        headers: { "content-length": body.byteLength },
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode,
            body: Buffer.concat(chunks).toString(),
            ms: performance.now() - started,
          }),
        );
      },
    );
    req.on("error", (e) => resolve({ status: 0, body: String(e), ms: performance.now() - started }));
    req.end(body);
  });
}

async function load({ port, path, concurrency, total, next }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  const accepted = [];
  let failed = 0;
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < total) {
        const i = issued++;
        const { body, eventId } = next(i);
        const res = await post(agent, port, path, body);
        latencies.push(res.ms);
        if (res.status === 200) accepted.push(eventId);
        else failed++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return {
    rps: total / seconds,
    acceptedPerSecond: accepted.length / seconds,
    p50: pct(50),
    p99: pct(99),
    accepted,
    failed,
  };
}

async function stats(token) {
  const res = await fetch(
    `http://127.0.0.1:${FAULTLINE_PORT}/api/0/projects/faultline/default/ingest-stats/`,
    {
      headers: { authorization: `Bearer ${token}` },
    },
  );
  return res.json();
}

const persistTo = mkdtempSync(join(tmpdir(), "faultline-bench-"));
let faultline;
let trivial;
try {
  applyMigrations(persistTo);
  const defaults = ensureDefaults(persistTo, join(persistTo, "local.json"));
  faultline = await startDev({ port: FAULTLINE_PORT, persistTo, inspectorPort: 0 });
  trivial = await startDev({ port: TRIVIAL_PORT, config: "bench/trivial/wrangler.toml", inspectorPort: 0 });
  const path = `/api/${defaults.projectId}/envelope/?sentry_key=${defaults.publicKey}&sentry_version=7`;
  const prebuilt = Array.from({ length: REQUESTS }, (_, i) => toEnvelope(mixedEnvelope(i)));

  // Warm both runtimes (module load, first D1/DO touch) before measuring.
  const warm = await load({
    port: FAULTLINE_PORT,
    path,
    concurrency: 4,
    total: 50,
    next: (i) => {
      const e = mixedEnvelope(i);
      return { body: toEnvelope(e), eventId: e.eventId };
    },
  });
  await load({
    port: TRIVIAL_PORT,
    path,
    concurrency: 4,
    total: 50,
    next: (i) => ({ body: prebuilt[i], eventId: "" }),
  });

  const rssFaultline = samplePeakRss(faultline.child.pid);
  let allAccepted = warm.accepted.length;
  const rows = [];
  for (const c of CONCURRENCIES) {
    const base = await load({
      port: TRIVIAL_PORT,
      path,
      concurrency: c,
      total: REQUESTS,
      next: (i) => ({ body: prebuilt[i], eventId: "" }),
    });
    const run = await load({
      port: FAULTLINE_PORT,
      path,
      concurrency: c,
      total: REQUESTS,
      next: (i) => {
        const e = mixedEnvelope(i + c * 100_000);
        return { body: toEnvelope(e), eventId: e.eventId };
      },
    });
    allAccepted += run.accepted.length;
    rows.push({
      concurrency: c,
      "accepted events/s": run.acceptedPerSecond.toFixed(0),
      "p50 ms": run.p50.toFixed(1),
      "p99 ms": run.p99.toFixed(1),
      "trivial req/s": base.rps.toFixed(0),
      ratio: (run.rps / base.rps).toFixed(2),
      "non-2xx": run.failed,
    });
  }

  // D1 cost of error events alone (no transactions/spans in this phase).
  const before = await stats(defaults.token);
  const errorsOnly = await load({
    port: FAULTLINE_PORT,
    path,
    concurrency: 8,
    total: 600,
    next: (i) => {
      const e = i % 2 ? panicEvent(i % 20) : anyhowEvent(i % 20);
      return { body: toEnvelope(e), eventId: e.eventId };
    },
  });
  allAccepted += errorsOnly.accepted.length;
  const after = await stats(defaults.token);
  const peakRss = rssFaultline.stop();
  const rowsPerEvent =
    (after.d1RowsWritten - before.d1RowsWritten) / (after.eventsStored - before.eventsStored);

  const [{ n: kept }] = sqlLocal(persistTo, "SELECT COUNT(*) AS n FROM events");
  console.log(
    "\nFaultline ingest benchmark (mixed Rust-like envelopes: 50% panics, 30% anyhow chains, 20% transactions)",
  );
  console.table(rows);
  console.log(`peak workerd RSS (Faultline): ${peakRss.toFixed(0)} MiB`);
  console.log(
    `D1 rows written per error event: ${rowsPerEvent.toFixed(2)} (commits: ${after.commits - before.commits} for ${errorsOnly.accepted.length} events)`,
  );
  console.log(
    `count in = count kept: ${allAccepted} accepted, ${kept} stored → ${Number(kept) === allAccepted ? "OK" : "MISMATCH"}`,
  );
  if (Number(kept) !== allAccepted) process.exitCode = 1;
} finally {
  stopDev(faultline);
  stopDev(trivial);
  rmSync(persistTo, { recursive: true, force: true });
}

// Web UI: server-side rendering of the issue stream with 10,000 issues (bench/ui.mjs).
if (!process.env.BENCH_SKIP_UI) await runUiBench();
