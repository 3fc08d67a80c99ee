// `npm run bench:profile`: where the ingest path spends its CPU. Starts `wrangler dev` on a fresh local
// state, warms it with the bench load (wrk, 30-frame sentry-rust panics), then samples the Worker's
// isolate (the ingest Worker and the project Durable Object share it under `wrangler dev`) through the
// inspector's Profiler while wrk loads it again, until the spool drained. Prints the functions with the
// most self time (share of samples) and writes the profile (open it in Chrome's DevTools) to
// BENCH_PROFILE_OUT. Needs wrk: `apt-get install wrk`.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, ensureDefaults, freePort, startDev, stopDev } from "../scripts/local-server.mjs";
import { panicTemplates, waitForDrain } from "./ingest-check.mjs";
import { requireWrk, runWrk } from "./wrk.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const TOP = Number(process.env.BENCH_PROFILE_TOP ?? 40);
const OUT = process.env.BENCH_PROFILE_OUT ?? join(tmpdir(), "faultline-ingest.cpuprofile");
// The inspector proxy of `wrangler dev` only takes connections that come from its DevTools origin.
const DEVTOOLS_ORIGIN = "https://devtools.devprod.cloudflare.dev";

/** A Chrome DevTools protocol session over the inspector's WebSocket. */
async function inspect(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl, { headers: { Origin: DEVTOOLS_ORIGIN } });
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve);
    ws.addEventListener("error", () => reject(new Error("the inspector refused the connection")));
  });
  let next = 0;
  const pending = new Map();
  ws.addEventListener("message", (m) => {
    const message = JSON.parse(String(m.data));
    pending.get(message.id)?.(message.result);
    pending.delete(message.id);
  });
  return {
    call: (method, params = {}) =>
      new Promise((resolve) => {
        next += 1;
        pending.set(next, resolve);
        ws.send(JSON.stringify({ id: next, method, params }));
      }),
    close: () => ws.close(),
  };
}

/** Self samples per function (name, file, line), largest first, as shares of all samples. */
function selfTimes(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const perFunction = new Map();
  for (const id of profile.samples) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const where = url ? `${url.split("/").pop()}:${lineNumber + 1}` : "";
    const name = `${functionName || "(anonymous)"} ${where}`.trim();
    perFunction.set(name, (perFunction.get(name) ?? 0) + 1);
  }
  return [...perFunction]
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => ({ "self %": ((100 * n) / profile.samples.length).toFixed(1), function: name }));
}

requireWrk();
const persistTo = mkdtempSync(join(tmpdir(), "faultline-bench-profile-"));
const port = await freePort(18795);
const inspectorPort = await freePort(19295);
applyMigrations(persistTo);
const defaults = ensureDefaults(persistTo, join(persistTo, "local.json"));
const server = await startDev({ port, persistTo, inspectorPort });
const path = `/api/${defaults.projectId}/envelope/?sentry_key=${defaults.publicKey}&sentry_version=7`;
const envelopes = panicTemplates(20);
try {
  await runWrk({ port, path, connections: CONNECTIONS, seconds: 3, envelopes });
  await waitForDrain(port, defaults.token);
  const inspector = await inspect(inspectorPort);
  await inspector.call("Profiler.enable");
  await inspector.call("Profiler.setSamplingInterval", { interval: 200 });
  await inspector.call("Profiler.start");
  const run = await runWrk({ port, path, connections: CONNECTIONS, seconds: SECONDS, envelopes });
  await waitForDrain(port, defaults.token);
  const { profile } = await inspector.call("Profiler.stop");
  inspector.close();
  writeFileSync(OUT, JSON.stringify(profile));
  console.log(
    `${run.rps.toFixed(0)} req/s, p50 ${run.p50.toFixed(1)} ms, p99 ${run.p99.toFixed(1)} ms at ${CONNECTIONS} connections; profile: ${OUT}`,
  );
  console.table(selfTimes(profile).slice(0, TOP));
} finally {
  await stopDev(server);
  rmSync(persistTo, { recursive: true, force: true });
}
