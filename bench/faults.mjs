// `npm run bench:faults`: a D1 outage under load, then recovery. The fault Worker (bench/faults/) runs
// Faultline with every D1 call behind test/faults/faulty-d1.ts; wrk sends the bench load (30-frame
// sentry-rust panics, fresh event ids, 16 connections) for the whole run while D1 is down for
// BENCH_OUTAGE_SECONDS in the middle. Prints what was accepted, answered 5xx (must be 0) or otherwise,
// stored, lost (acknowledged but not in D1 after the drain: must be 0), the spool's backlog when D1
// came back, and how long the spool took to catch up and to drain. Needs wrk: `apt-get install wrk`.
// The integration tests run the same scenario in a short form (test/integration/spool.test.ts).
import { startFaultWorker } from "./fault-worker.mjs";
import { ingestStats, missingFromD1, panicTemplates, storedOfRuns, waitForDrain } from "./ingest-check.mjs";
import { requireWrk, runWrk } from "./wrk.mjs";

const OUTAGE_SECONDS = Number(process.env.BENCH_OUTAGE_SECONDS ?? 30);
const BEFORE_SECONDS = 5;
const AFTER_SECONDS = Number(process.env.BENCH_AFTER_SECONDS ?? 15);
const CONNECTIONS = 16;
const PORT = 18789;
/** The spool has caught up once it holds less than two group commits while the load goes on. */
const CAUGHT_UP_BELOW = 256;

requireWrk();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function setFaults(faults) {
  const res = await fetch(`http://127.0.0.1:${PORT}/__faults`, {
    method: "POST",
    body: JSON.stringify(faults),
  });
  return res.json();
}

/** The spool's size every 250 ms (null while the API itself cannot read D1 to authenticate). */
function watchSpool(token) {
  const samples = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const at = performance.now();
      const stats = await ingestStats(PORT, token).catch(() => null);
      samples.push({ at, spooled: stats?.spooled ?? null, flushFailures: stats?.flushFailures ?? null });
      await sleep(250);
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

const { persistTo, defaults, stop } = await startFaultWorker(PORT, "faults");
let failed = false;
try {
  const path = `/api/${defaults.projectId}/envelope/?sentry_key=${defaults.publicKey}&sentry_version=7`;
  const envelopes = panicTemplates(20);
  await runWrk({ port: PORT, path, connections: 4, seconds: 2, envelopes });
  await waitForDrain(PORT, defaults.token);
  await setFaults({});

  const seconds = BEFORE_SECONDS + OUTAGE_SECONDS + AFTER_SECONDS;
  const watch = watchSpool(defaults.token);
  const started = performance.now();
  const load = runWrk({ port: PORT, path, connections: CONNECTIONS, seconds, envelopes });
  await sleep(BEFORE_SECONDS * 1000);
  await setFaults({ downUntil: Date.now() + OUTAGE_SECONDS * 1000 });
  const recoveredAt = performance.now() + OUTAGE_SECONDS * 1000;
  const run = await load;
  const loadEnded = performance.now();
  await watch.stop();
  const drainMs = await waitForDrain(PORT, defaults.token);
  const faultCounts = await setFaults({});

  const after = watch.samples.filter((s) => s.at >= recoveredAt && s.spooled !== null);
  const backlog = after[0]?.spooled ?? 0;
  const caughtUp = after.find((s) => s.spooled < CAUGHT_UP_BELOW);
  const peak = Math.max(0, ...watch.samples.map((s) => s.spooled ?? 0));
  const lost = missingFromD1(persistTo, run.accepted);
  const stored = storedOfRuns(persistTo, run.accepted);
  const other = run.requests - run.ok - run.serverErrors;

  console.log(
    `\nD1 outage under load: ${CONNECTIONS} connections for ${seconds} s (${((loadEnded - started) / 1000).toFixed(0)} s measured), D1 down ${OUTAGE_SECONDS} s from second ${BEFORE_SECONDS}`,
  );
  console.table([
    {
      requests: run.requests,
      "req/s": run.rps.toFixed(0),
      accepted: run.ok,
      "5xx": run.serverErrors,
      "other non-2xx": other,
      "socket errors": run.socketErrors,
      stored,
      lost,
      "p50 ms": run.p50.toFixed(1),
      "p99 ms": run.p99.toFixed(1),
    },
  ]);
  console.log(
    `D1 calls ${faultCounts.calls}, failed by the fault ${faultCounts.failed}; spool peak ${peak} envelopes, ` +
      `${backlog} when D1 came back; caught up (< ${CAUGHT_UP_BELOW} spooled, load still running) ` +
      `${caughtUp ? `${((caughtUp.at - recoveredAt) / 1000).toFixed(1)} s` : "not before the load ended"} after recovery; ` +
      `drained ${drainMs.toFixed(0)} ms after the load stopped`,
  );
  console.log(`statuses: ${JSON.stringify(run.statuses)}`);
  failed = lost > 0 || run.serverErrors > 0;
  console.log(failed ? "FAILED: acknowledged events lost or 5xx answered" : "OK: nothing lost, no 5xx");
} finally {
  stop();
}
if (failed) process.exitCode = 1;
