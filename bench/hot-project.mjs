// `npm run bench:hot-project`: how many envelopes per second one project's Durable Object takes when
// the Worker side is not the bottleneck (docs/hot-project.md). The fault Worker (bench/faults/, no
// fault set) prepares one 30-frame sentry-rust panic once and sends it to the project's object with
// fresh event ids, `concurrency` calls at a time (test/faults/hot-project.ts); "stored" counts until the
// spool is in D1. Prints accepted/s (spooled and answered), stored/s (in D1, end to end) and the
// object's answer time per call (p50, p99, max) per run.
import { panicEvent, toEnvelope } from "./envelopes.mjs";
import { startFaultWorker } from "./fault-worker.mjs";

const PORT = 18792;
const RUNS = [
  { count: 500, concurrency: 16 },
  { count: 5000, concurrency: 16 },
  { count: 5000, concurrency: 64 },
];

const { defaults, stop } = await startFaultWorker(PORT, "hot");
let failed = false;
try {
  const body = toEnvelope(panicEvent(0));
  const rows = [];
  for (const run of RUNS) {
    const query = new URLSearchParams({
      count: String(run.count),
      concurrency: String(run.concurrency),
      project: String(defaults.projectId),
      sentry_key: defaults.publicKey,
    });
    const res = await fetch(`http://127.0.0.1:${PORT}/__hot-project?${query}`, { method: "POST", body });
    if (!res.ok) throw new Error(`the hot-project run answered ${res.status}: ${await res.text()}`);
    const r = await res.json();
    rows.push({
      envelopes: r.count,
      concurrency: r.concurrency,
      "accepted/s": r.acceptedPerSecond.toFixed(0),
      "stored/s": r.storedPerSecond.toFixed(0),
      "drain s": r.drainSeconds.toFixed(2),
      "answer p50 ms": r.answerP50Ms,
      "answer p99 ms": r.answerP99Ms,
      "answer max ms": r.answerMaxMs,
    });
  }
  console.log("One project's Durable Object, one prepared 30-frame panic sent with fresh event ids:");
  console.table(rows);
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  stop();
}
if (failed) process.exit(1);
