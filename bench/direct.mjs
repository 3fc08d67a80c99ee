// The ingest comparison of bench/run.mjs without `wrangler dev`'s proxy: Faultline (the built test sink,
// faultline/testing: the same Worker and object, state persisted in a temporary directory) and the
// trivial Worker each run in a Miniflare of this process, so wrk talks to workerd directly. Under
// `wrangler dev` every request also crosses a second workerd process, which costs the trivial Worker
// most of what it spends and sets its ceiling; here the trivial Worker's figures are the runtime's own.
// Runs alternate trivial, Faultline, trivial, Faultline at each connection count; a row is one run.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { ingestStats, missingFromD1, waitForDrain } from "./ingest-check.mjs";
import { processesCpuMs } from "./process-cpu.mjs";
import { workerdPids } from "./process-rss.mjs";
import { runWrk } from "./wrk.mjs";

const TRIVIAL = join(dirname(fileURLToPath(import.meta.url)), "trivial", "index.js");

/** The workerd processes `start` spawned under this process. */
async function spawned(start) {
  const before = new Set(workerdPids(process.pid));
  const value = await start();
  return { value, pids: workerdPids(process.pid).filter((pid) => !before.has(pid)) };
}

export async function runDirect({ seconds, connections, envelopes }) {
  let startFaultline;
  try {
    ({ startFaultline } = await import("faultline/testing"));
  } catch (error) {
    throw new Error(`the direct runs use the built test sink: run \`npm run build\` first (${error})`);
  }
  const dir = mkdtempSync(join(tmpdir(), "faultline-direct-"));
  const persistTo = join(dir, "state");
  const trivial = await spawned(async () => {
    const mf = new Miniflare(
      convertV4MiniflareOptions({
        modules: true,
        script: readFileSync(TRIVIAL, "utf8"),
        compatibilityDate: "2026-04-20",
        port: 0,
      }),
    );
    return { mf, port: Number(new URL((await mf.ready).href).port) };
  });
  const faultline = await spawned(async () => {
    const sink = await startFaultline({ persist: dir });
    return { sink, port: Number(new URL(sink.connection.url).port) };
  }).catch(async (error) => {
    await trivial.value.mf.dispose();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const { sink } = faultline.value;
  const token = sink.connection.authToken;
  const key = sink.connection.dsn.split("//")[1].split("@")[0];
  const path = `/api/${sink.projectId}/envelope/?sentry_key=${key}&sentry_version=7`;
  // CPU from the start of the run to the end of the spool's drain: the flush of what it spooled counts.
  const measure = async (target, c) => {
    const cpu = processesCpuMs(target.pids);
    const run = await runWrk({ port: target.value.port, path, connections: c, seconds, envelopes });
    if (target === faultline) await waitForDrain(target.value.port, token);
    return { ...run, cpuMs: processesCpuMs(target.pids) - cpu };
  };
  const rows = [];
  let accepted = 0;
  let lost = 0;
  try {
    for (const target of [trivial, faultline]) await measure(target, 4);
    for (const c of connections) {
      for (let round = 0; round < 2; round++) {
        const base = await measure(trivial, c);
        const before = await ingestStats(faultline.value.port, token);
        const run = await measure(faultline, c);
        const after = await ingestStats(faultline.value.port, token);
        const missing = missingFromD1(persistTo, run.accepted);
        accepted += run.accepted.length;
        lost += missing;
        rows.push({
          connections: c,
          "req/s": run.rps.toFixed(0),
          "trivial req/s": base.rps.toFixed(0),
          ratio: (run.rps / base.rps).toFixed(2),
          "p50 ms": run.p50.toFixed(1),
          "p99 ms": run.p99.toFixed(1),
          "trivial p50 ms": base.p50.toFixed(1),
          "trivial p99 ms": base.p99.toFixed(1),
          "CPU ms/req": (run.cpuMs / run.requests).toFixed(2),
          "trivial CPU ms/req": (base.cpuMs / base.requests).toFixed(2),
          "non-2xx": run.requests - run.ok + run.socketErrors,
          lost: missing,
          "D1 rows/event": (
            (after.d1RowsWritten - before.d1RowsWritten) /
            (after.eventsStored - before.eventsStored)
          ).toFixed(2),
        });
      }
    }
  } finally {
    await sink.close();
    await trivial.value.mf.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows, accepted, lost };
}
