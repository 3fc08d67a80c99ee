// `npm run bench`: ingest throughput and cost of Faultline side by side with a trivial Worker under the
// same runtime (`wrangler dev`), load from wrk (bench/wrk.mjs): 30-frame sentry-rust panics, a fresh
// event id per request, 16 and 64 connections. Prints per run: requests/s, p50/p99, the ratio to the
// trivial Worker, workerd CPU per request (both, and their ratio: what the shared machine's other load
// changes least), D1 rows written per error event (the project object's D1 result metadata), 2xx
// answers, acknowledged events not in D1 after the spool drained (must be 0) and the drain time. Then
// the same with 30 ms added to every D1 call (the fault Worker, bench/faults/; runs +0, +30, +30, +0,
// each side their mean), visibility latency (2xx → found through the API), the same comparison without
// wrangler dev's proxy (bench/direct.mjs: both Workers in Miniflare, wrk straight to workerd), and the
// web UI bench. Needs wrk: `apt-get install wrk`, and the built test sink (`npm run bench` builds it).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, ensureDefaults, startDev, stopDev } from "../scripts/local-server.mjs";
import { runDirect } from "./direct.mjs";
import { ingestStats, missingFromD1, panicTemplates, storedOfRuns, waitForDrain } from "./ingest-check.mjs";
import { workerdCpuMs } from "./process-cpu.mjs";
import { samplePeakRss } from "./process-rss.mjs";
import { runUiBench } from "./ui.mjs";
import { measureVisibility } from "./visibility.mjs";
import { requireWrk, runWrk } from "./wrk.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? "16,64").split(",").map(Number);
const D1_LATENCY_MS = 30;
const PORTS = { faultline: 18787, trivial: 18788, faults: 18789 };

requireWrk();

/** A fresh local state (migrations, default tenant) and `wrangler dev` on it. */
async function faultlineServer(port, config) {
  const persistTo = mkdtempSync(join(tmpdir(), "faultline-bench-"));
  applyMigrations(persistTo);
  const defaults = ensureDefaults(persistTo, join(persistTo, "local.json"));
  const server = await startDev({ port, persistTo, config, inspectorPort: 0 });
  const path = `/api/${defaults.projectId}/envelope/?sentry_key=${defaults.publicKey}&sentry_version=7`;
  return { port, persistTo, defaults, server, path };
}

/** One wrk run against Faultline, then the spool drained and every acknowledged event looked up in D1. */
async function measuredRun(target, connections, envelopes) {
  const { port, path, defaults, persistTo } = target;
  const before = await ingestStats(port, defaults.token);
  const cpuBefore = workerdCpuMs(target.server.child.pid);
  const run = await runWrk({ port, path, connections, seconds: SECONDS, envelopes });
  const drainMs = await waitForDrain(port, defaults.token);
  // The Worker's and the object's CPU for the run's requests, the flush of what they spooled included.
  const cpuMsPerRequest = (workerdCpuMs(target.server.child.pid) - cpuBefore) / run.requests;
  const after = await ingestStats(port, defaults.token);
  const stored = after.eventsStored - before.eventsStored;
  return {
    ...run,
    drainMs,
    cpuMsPerRequest,
    rowsPerEvent: (after.d1RowsWritten - before.d1RowsWritten) / stored,
    eventsPerCommit: stored / (after.commits - before.commits),
    lost: missingFromD1(persistTo, run.accepted),
    // Requests cut off when wrk stopped: stored, though their answer never reached wrk.
    unanswered: storedOfRuns(persistTo, run.accepted) - run.accepted.length,
  };
}

function row(label, connections, run, trivial) {
  return {
    run: label,
    connections,
    "req/s": run.rps.toFixed(0),
    "p50 ms": run.p50.toFixed(1),
    "p99 ms": run.p99.toFixed(1),
    ...(trivial
      ? {
          "trivial req/s": trivial.rps.toFixed(0),
          ratio: (run.rps / trivial.rps).toFixed(2),
          // The trivial Worker's own tail on this machine: the floor any p99 target meets here.
          "trivial p99 ms": trivial.p99.toFixed(1),
        }
      : {}),
    "CPU ms/req": run.cpuMsPerRequest.toFixed(2),
    ...(trivial
      ? {
          "trivial CPU ms/req": trivial.cpuMsPerRequest.toFixed(2),
          "CPU ratio": (trivial.cpuMsPerRequest / run.cpuMsPerRequest).toFixed(2),
        }
      : {}),
    "2xx": run.ok,
    "non-2xx": run.requests - run.ok + run.socketErrors,
    lost: run.lost,
    "D1 rows/event": run.rowsPerEvent.toFixed(2),
    "events/commit": run.eventsPerCommit.toFixed(1),
    "drain ms": run.drainMs.toFixed(0),
  };
}

async function setLatency(target, latencyMs) {
  const res = await fetch(`http://127.0.0.1:${target.port}/__faults`, {
    method: "POST",
    body: JSON.stringify({ latencyMs }),
  });
  await res.arrayBuffer();
}

const envelopes = panicTemplates(20);
const servers = [];
let failed = false;
try {
  const faultline = await faultlineServer(PORTS.faultline, "wrangler.toml");
  servers.push(faultline);
  const trivial = { port: PORTS.trivial, path: faultline.path };
  trivial.server = await startDev({ port: PORTS.trivial, config: "bench/trivial/wrangler.toml" });
  servers.push(trivial);
  const faults = await faultlineServer(PORTS.faults, "bench/faults/wrangler.toml");
  servers.push(faults);

  // Warm every runtime (module load, first D1 and object touch) before measuring.
  for (const target of [faultline, trivial, faults]) {
    await runWrk({ port: target.port, path: target.path, connections: 4, seconds: 2, envelopes });
  }
  for (const target of [faultline, faults]) await waitForDrain(target.port, target.defaults.token);

  const rss = samplePeakRss(faultline.server.child.pid);
  const rows = [];
  const runs = [];
  for (const c of CONNECTIONS) {
    const trivialCpu = workerdCpuMs(trivial.server.child.pid);
    const base = await runWrk({
      port: trivial.port,
      path: trivial.path,
      connections: c,
      seconds: SECONDS,
      envelopes,
    });
    base.cpuMsPerRequest = (workerdCpuMs(trivial.server.child.pid) - trivialCpu) / base.requests;
    const run = await measuredRun(faultline, c, envelopes);
    runs.push(run);
    rows.push(row("faultline", c, run, base));
  }
  const peakRss = rss.stop();

  // The deployed shape: D1 is a network round trip away. No answer waits for D1, so p50/p99 must stay
  // within a few ms of the runs without latency (same fault Worker, latency 0). The runs go +0, +30,
  // +30, +0: a server's later runs drift (more stored, a longer-lived heap), and with the latency run
  // always second the drift read as latency. Each side is the mean of its two runs; the spread of the
  // two +0 runs is the noise a difference must clear.
  const latency = [];
  const mean = (a, b, key) => (a[key] + b[key]) / 2;
  for (const c of CONNECTIONS) {
    const measured = [];
    for (const latencyMs of [0, D1_LATENCY_MS, D1_LATENCY_MS, 0]) {
      await setLatency(faults, latencyMs);
      const run = await measuredRun(faults, c, envelopes);
      runs.push(run);
      rows.push(row(`fault Worker, D1 +${latencyMs} ms`, c, run));
      measured.push(run);
    }
    await setLatency(faults, 0);
    const [plainA, slowA, slowB, plainB] = measured;
    latency.push({
      connections: c,
      "Δp50 ms": (mean(slowA, slowB, "p50") - mean(plainA, plainB, "p50")).toFixed(1),
      "Δp99 ms": (mean(slowA, slowB, "p99") - mean(plainA, plainB, "p99")).toFixed(1),
      "+0 ms runs' p99 spread": Math.abs(plainA.p99 - plainB.p99).toFixed(1),
    });
  }

  // Visibility under the bench load (16 connections).
  const [load, visibility] = await Promise.all([
    measuredRun(faultline, 16, envelopes),
    measureVisibility({
      seconds: Math.max(2, SECONDS - 2),
      base: `http://127.0.0.1:${faultline.port}`,
      path: faultline.path,
      token: faultline.defaults.token,
      orgSlug: "faultline",
      projectSlug: "default",
    }),
  ]);
  runs.push(load);

  console.log(
    `\nFaultline ingest benchmark: wrk, ${SECONDS} s per run, 30-frame sentry-rust panics over 20 issues, a fresh event id per request`,
  );
  console.table(rows);
  console.log(`D1 latency injected (${D1_LATENCY_MS} ms per call) minus none, ingest answers:`);
  console.table(latency);
  console.log(
    `visibility under load (${visibility.probes} probes, 16 connections of load at ${load.rps.toFixed(0)} req/s): ` +
      `by id (…/events/{id}/) p50 ${visibility.byIdP50.toFixed(0)} ms, p99 ${visibility.byIdP99.toFixed(0)} ms; ` +
      `in the issue stream (issue search by event id) p50 ${visibility.inStreamP50.toFixed(0)} ms, p99 ${visibility.inStreamP99.toFixed(0)} ms`,
  );
  console.log(`peak workerd RSS (Faultline): ${peakRss.toFixed(0)} MiB`);
  const lost = runs.reduce((n, r) => n + r.lost, 0);
  const accepted = runs.reduce((n, r) => n + r.accepted.length, 0);
  console.log(
    `acknowledged ${accepted} events, ${lost} not in D1 after the spools drained → ${lost ? "LOSS" : "OK"}`,
  );
  failed = lost > 0;
} finally {
  for (const s of servers) stopDev(s.server);
  for (const s of servers) if (s.persistTo) rmSync(s.persistTo, { recursive: true, force: true });
}

// Without wrangler dev's proxy: the runtime's own figures for both Workers (bench/direct.mjs).
if (!failed) {
  const direct = await runDirect({ seconds: SECONDS, connections: CONNECTIONS, envelopes });
  console.log(
    "\nThe same without wrangler dev's proxy: both Workers in Miniflare, wrk straight to workerd (one row per run, trivial and Faultline alternating)",
  );
  console.table(direct.rows);
  console.log(
    `acknowledged ${direct.accepted} events, ${direct.lost} not in D1 after the spool drained → ${direct.lost ? "LOSS" : "OK"}`,
  );
  failed = direct.lost > 0;
}
if (failed) process.exitCode = 1;

// Web UI: server-side rendering of the issue stream with 10,000 issues (bench/ui.mjs).
if (!process.env.BENCH_SKIP_UI) await runUiBench();
