// `npm run bench:profile`: where the ingest path spends its CPU. Starts `wrangler dev` on a fresh local
// state, warms it with the bench load (wrk, 30-frame sentry-rust panics), measures workerd's CPU per
// request over one unprofiled run (bench/process-cpu.mjs), then samples the Worker's isolate (the
// ingest Worker and the project Durable Object share it under `wrangler dev`) through the inspector's
// Profiler while wrk loads it again, until the spool drained. Prints each ingest stage's inclusive
// share of the busy samples (named by the function that does it; work after an `await` is its own
// root, so the stages of one request do not add up to the handler), the functions with the most self
// time, and writes the profile (open it in Chrome's DevTools) to BENCH_PROFILE_OUT. The sampler counts
// wall time, so on a loaded machine shares are what to compare. Needs wrk: `apt-get install wrk`.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, ensureDefaults, freePort, startDev, stopDev } from "../scripts/local-server.mjs";
import { panicTemplates, waitForDrain } from "./ingest-check.mjs";
import { workerdCpuMs } from "./process-cpu.mjs";
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

/**
 * The ingest path's stages, each named by the function that does it: its inclusive samples (the
 * function and what it calls, counted once per sample) as a share of the samples the isolate was busy.
 */
const STAGES = [
  ["fetch handler (whole Worker request)", "fetch"],
  ["auth: credentials + key lookup (cached)", "authenticateRequest"],
  ["body read", "readBodyCapped"],
  ["decompression", "decodeBody"],
  ["envelope framing", "parseEnvelope"],
  ["prepare (all items, up to the event's first await)", "prepareEnvelope"],
  ["event item (both sides of its symbolication await)", "prepareEventItem"],
  ["JSON parse of the event", "parseJsonPayload"],
  ["normalization", "normalizeEvent"],
  ["inbound filters", "inboundFilterReason"],
  ["data scrubbing", "scrubEvent"],
  ["native symbolication (no debug files)", "symbolicateNativeEvent"],
  ["grouping hash + title", "issueGroupingOf"],
  ["event row (payload JSON)", "eventRow"],
  ["batch size accounting", "addPreparedUnits"],
  ["searchable tags", "searchableTagValues"],
  ["answer (JSON response)", "json"],
  ["object: ingest RPC method", "ingest"],
  ["object: spool append", "append"],
  ["object: flush to D1", "flushOnce"],
];

function stageTimes(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const names = new Map(STAGES.map(([label, fn]) => [fn, label]));
  const counts = new Map();
  let busy = 0;
  for (const id of profile.samples) {
    const name = nodes.get(id).callFrame.functionName;
    if (name === "(idle)" || name === "(program)") continue;
    busy += 1;
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const label = names.get(nodes.get(at).callFrame.functionName);
      if (label && !seen.has(label)) {
        seen.add(label);
        counts.set(label, (counts.get(label) ?? 0) + 1);
      }
    }
  }
  return STAGES.map(([label, fn]) => ({
    stage: label,
    function: fn,
    "inclusive % of busy": ((100 * (counts.get(label) ?? 0)) / Math.max(1, busy)).toFixed(1),
  }));
}

/** Shares of all samples the isolate was idle, in the runtime (program) and collecting garbage. */
function overhead(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const by = new Map();
  for (const id of profile.samples) {
    const name = nodes.get(id).callFrame.functionName;
    by.set(name, (by.get(name) ?? 0) + 1);
  }
  const share = (name) => ((100 * (by.get(name) ?? 0)) / profile.samples.length).toFixed(1);
  return { idle: share("(idle)"), program: share("(program)"), gc: share("(garbage collector)") };
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
  // CPU per request without the profiler: a wrk run and the drain of what it sent.
  const cpuBefore = workerdCpuMs(server.child.pid);
  const plain = await runWrk({ port, path, connections: CONNECTIONS, seconds: SECONDS, envelopes });
  await waitForDrain(port, defaults.token);
  const cpuMs = (workerdCpuMs(server.child.pid) - cpuBefore) / plain.requests;
  console.log(
    `unprofiled: ${plain.rps.toFixed(0)} req/s, p50 ${plain.p50.toFixed(1)} ms, p99 ${plain.p99.toFixed(1)} ms; ` +
      `workerd CPU ${cpuMs.toFixed(2)} ms per request (ingest and flush)`,
  );
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
  const o = overhead(profile);
  console.log(`samples: ${o.idle}% idle, ${o.program}% runtime (program), ${o.gc}% garbage collection`);
  console.table(stageTimes(profile));
  console.table(selfTimes(profile).slice(0, TOP));
} finally {
  await stopDev(server);
  rmSync(persistTo, { recursive: true, force: true });
}
