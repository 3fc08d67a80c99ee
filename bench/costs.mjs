// `npm run bench:costs`: what the cost meter says a load costs, next to what the benchmark measures from
// D1's result metadata. BENCH_EVENTS (default 3000) 30-frame sentry-rust panics over 20 fingerprints,
// fresh event ids, BENCH_CONNECTIONS (default 16) at a time through `wrangler dev` (plain fetch, no wrk),
// then the spool drained. Prints per 1,000 stored events: D1 rows written and read by the project's
// object according to its commit counters (ingest-stats, the source of `npm run bench`'s D1 rows/event)
// and according to the meter (usage API, source project_object), the Worker side's rows and R2
// operations, DO requests, and dollars at the list prices (src/limits/prices.ts).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, ensureDefaults, startDev, stopDev } from "../scripts/local-server.mjs";
import { panicEvent, toEnvelope } from "./envelopes.mjs";
import { ingestStats, waitForDrain } from "./ingest-check.mjs";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 3000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const PORT = 18798;

const persistTo = mkdtempSync(join(tmpdir(), "faultline-bench-costs-"));
applyMigrations(persistTo);
const defaults = ensureDefaults(persistTo, join(persistTo, "local.json"));
const server = await startDev({ port: PORT, persistTo, inspectorPort: 0 });
const path = `/api/${defaults.projectId}/envelope/?sentry_key=${defaults.publicKey}&sentry_version=7`;

async function usage() {
  const res = await fetch(
    `http://127.0.0.1:${PORT}/api/0/projects/${defaults.orgSlug}/${defaults.projectSlug}/usage/`,
    { headers: { authorization: `Bearer ${defaults.token}` } },
  );
  if (!res.ok) throw new Error(`usage answered ${res.status}: ${await res.text()}`);
  return (await res.json()).monthToDate;
}

async function load(n) {
  let next = 0;
  let ok = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const event = panicEvent(i % 20);
      const eventId = randomBytes(16).toString("hex");
      const body = toEnvelope({ ...event, eventId, payload: { ...event.payload, event_id: eventId } });
      const res = await fetch(`http://127.0.0.1:${PORT}${path}`, { method: "POST", body });
      await res.arrayBuffer();
      if (res.ok) ok++;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return ok;
}

const diff = (a, b) => Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - (a[k] ?? 0)]));

try {
  await load(200); // warm-up: issues exist, caches loaded, the object's first reads done
  await waitForDrain(PORT, defaults.token);
  const [s0, u0] = [await ingestStats(PORT, defaults.token), await usage()];
  const started = performance.now();
  const accepted = await load(EVENTS);
  const seconds = (performance.now() - started) / 1000;
  await waitForDrain(PORT, defaults.token);
  const [s1, u1] = [await ingestStats(PORT, defaults.token), await usage()];
  const stored = s1.eventsStored - s0.eventsStored;
  const per = 1000 / stored;
  const object = diff(u0.bySource.project_object.usage, u1.bySource.project_object.usage);
  const worker = diff(u0.bySource.worker.usage, u1.bySource.worker.usage);
  const total = diff(u0.usage, u1.usage);
  const dollars = u1.cost.totalUsd - u0.cost.totalUsd;
  const f = (n) => (n * per).toFixed(1);
  console.log(
    `\nCost meter: ${accepted} of ${EVENTS} envelopes accepted in ${seconds.toFixed(1)} s, ${stored} events stored, per 1,000 events:`,
  );
  console.table([
    {
      figure: "D1 rows written, project object",
      "D1 metadata (ingest-stats)": f(s1.d1RowsWritten - s0.d1RowsWritten),
      meter: f(object.d1RowsWritten),
    },
    {
      figure: "D1 rows read, project object",
      "D1 metadata (ingest-stats)": f(s1.d1RowsRead - s0.d1RowsRead),
      meter: f(object.d1RowsRead),
    },
    { figure: "D1 rows written, Worker", "D1 metadata (ingest-stats)": "—", meter: f(worker.d1RowsWritten) },
    { figure: "D1 rows read, Worker", "D1 metadata (ingest-stats)": "—", meter: f(worker.d1RowsRead) },
    {
      figure: "R2 Class A / Class B",
      "D1 metadata (ingest-stats)": "—",
      meter: `${f(total.r2ClassA)} / ${f(total.r2ClassB)}`,
    },
    { figure: "DO requests", "D1 metadata (ingest-stats)": "—", meter: f(total.doRequests) },
    { figure: "Worker requests", "D1 metadata (ingest-stats)": "—", meter: f(total.workerRequests) },
    {
      figure: "dollars (list prices)",
      "D1 metadata (ingest-stats)": "—",
      meter: `$${(dollars * per).toFixed(6)}`,
    },
  ]);
  console.log(
    `group commits: ${s1.commits - s0.commits} (${(stored / (s1.commits - s0.commits)).toFixed(1)} events each)`,
  );
} finally {
  stopDev(server);
  rmSync(persistTo, { recursive: true, force: true });
}
