// `npm run bench:tail`: what a live tail costs ingest. The same wrk load (bench/wrk.mjs, 16 connections)
// with nobody watching, then with one watcher on the project's tail WebSocket: requests/s and p50/p99
// side by side, and how many records the watcher got or was told were sampled. Needs wrk.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, ensureDefaults, startDev, stopDev } from "../scripts/local-server.mjs";
import { panicTemplates, waitForDrain } from "./ingest-check.mjs";
import { requireWrk, runWrk } from "./wrk.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PORT = 18790;

requireWrk();
const persistTo = mkdtempSync(join(tmpdir(), "faultline-bench-tail-"));
applyMigrations(persistTo);
const defaults = ensureDefaults(persistTo, join(persistTo, "local.json"));
const server = await startDev({ port: PORT, persistTo, inspectorPort: 0 });
const path = `/api/${defaults.projectId}/envelope/?sentry_key=${defaults.publicKey}&sentry_version=7`;
const envelopes = panicTemplates(20);

try {
  await runWrk({ port: PORT, path, connections: 4, seconds: 2, envelopes });
  await waitForDrain(PORT, defaults.token);
  const quiet = await runWrk({ port: PORT, path, connections: 16, seconds: SECONDS, envelopes });
  await waitForDrain(PORT, defaults.token);

  const seen = { items: 0, sampled: 0 };
  const ws = new WebSocket(
    `ws://127.0.0.1:${PORT}/api/0/projects/${defaults.orgSlug}/${defaults.projectSlug}/tail/`,
    {
      headers: { authorization: `Bearer ${defaults.token}` },
    },
  );
  await new Promise((resolve, reject) => {
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data));
      if (m.type === "hello") resolve();
      if (m.type === "items") seen.items += m.items.length;
      if (m.type === "sampled") seen.sampled += m.skipped;
    };
    ws.onerror = reject;
  });
  const watched = await runWrk({ port: PORT, path, connections: 16, seconds: SECONDS, envelopes });
  await waitForDrain(PORT, defaults.token);
  ws.close();
  const row = (label, r) => ({
    run: label,
    "req/s": r.rps.toFixed(0),
    "p50 ms": r.p50.toFixed(1),
    "p99 ms": r.p99.toFixed(1),
  });
  console.table([row("no watcher", quiet), row("one watcher", watched)]);
  console.log(
    `watched/quiet throughput: ${(watched.rps / quiet.rps).toFixed(3)}; the watcher got ${seen.items} records and ${seen.sampled} were sampled out`,
  );
} finally {
  stopDev(server);
}
