// `node bench/prepare-stages.mjs`: CPU per stage of the ingest Worker's pure work on the bench's event
// (a 30-frame sentry-rust panic, bench/envelopes.mjs), run under Node on the same src/ bundled as the
// Worker runs it (bench/bundle-src.mjs). Each stage runs on the output of the one before, many times,
// and reports CPU µs per event (median of BENCH_ROUNDS rounds): a figure that load from other
// processes on the machine changes far less than it changes the HTTP benches. Symbolication is the path of a
// native event whose project has no debug files (every image looked up, none found).
import { rmSync } from "node:fs";
import { bundleSource } from "./bundle-src.mjs";
import { panicEvent, toEnvelope } from "./envelopes.mjs";

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

const { dir, core } = await bundleSource("prepare-stages", [
  ["{ parseEnvelope }", "src/protocol/envelope.ts"],
  ["{ normalizeEvent, searchableTagValues }", "src/protocol/normalize/index.ts"],
  ["{ scrubEvent, DEFAULT_SCRUBBING }", "src/protocol/scrub/index.ts"],
  ["{ inboundFilterReason, NO_FILTERS }", "src/protocol/filters/index.ts"],
  ["{ symbolicateEvent }", "src/symbolication/symbolicate.ts"],
  ["{ issueGroupingOf }", "src/project/ingest-batch.ts"],
]);

const envelopes = Array.from({ length: 20 }, (_, seed) => {
  const event = panicEvent(seed);
  return toEnvelope(event);
});
const decoder = new TextDecoder("utf-8", { fatal: true });
const noDebugFiles = async () => undefined;

/** One stage: `run(input)` on each of the 20 inputs in turn; answers µs per call (median round). */
async function stage(inputs, run) {
  const rounds = [];
  const outputs = [];
  for (let r = 0; r < ROUNDS; r++) {
    // CPU time of this process, not wall time: other load on the machine preempts it without counting.
    const started = process.cpuUsage();
    for (let i = 0; i < ITERATIONS; i++) {
      const out = await run(inputs[i % inputs.length]);
      if (r === 0 && i < inputs.length) outputs.push(out);
    }
    const used = process.cpuUsage(started);
    rounds.push((used.user + used.system) / ITERATIONS);
  }
  rounds.sort((a, b) => a - b);
  return { us: rounds[Math.floor(rounds.length / 2)], outputs };
}

const ctx = (envelope) => ({
  receivedAt: Date.now() / 1000,
  itemType: "event",
  sentAt: envelope.headers.sent_at,
});
const rows = [];
const framed = await stage(envelopes, (bytes) => core.parseEnvelope(bytes));
rows.push(["envelope framing", framed.us]);
const items = framed.outputs.map((e) => ({ envelope: e, item: e.items[0] }));
const parsed = await stage(items, ({ item }) => JSON.parse(decoder.decode(item.payload)));
rows.push(["UTF-8 decode + JSON parse", parsed.us]);
const raws = parsed.outputs.map((raw, i) => ({ raw, envelope: items[i].envelope }));
const normalized = await stage(raws, ({ raw, envelope }) => core.normalizeEvent(raw, ctx(envelope)));
rows.push(["normalization", normalized.us]);
const filtered = await stage(normalized.outputs, (e) =>
  core.inboundFilterReason(e, core.NO_FILTERS, undefined),
);
rows.push(["inbound filters (none set)", filtered.us]);
const scrubbed = await stage(normalized.outputs, (e) => core.scrubEvent(e, core.DEFAULT_SCRUBBING));
rows.push(["data scrubbing (defaults)", scrubbed.us]);
const symbolicated = await stage(scrubbed.outputs, (e) => core.symbolicateEvent(e, noDebugFiles));
rows.push(["symbolication, no debug files", symbolicated.us]);
const grouped = await stage(symbolicated.outputs, (e) => core.issueGroupingOf(e));
rows.push(["grouping (hashes, title, culprit)", grouped.us]);
const tags = await stage(symbolicated.outputs, (e) => core.searchableTagValues(e));
rows.push(["searchable tag values", tags.us]);
const payload = await stage(symbolicated.outputs, (e) => JSON.stringify(e));
rows.push(["payload JSON (event row)", payload.us]);
rmSync(dir, { recursive: true, force: true });

const total = rows.reduce((n, [, us]) => n + us, 0);
console.log(
  `ingest Worker stages on a 30-frame sentry-rust panic (${ITERATIONS} × ${ROUNDS} rounds, median):`,
);
console.table(
  rows.map(([name, us]) => ({
    stage: name,
    "CPU µs/event": us.toFixed(1),
    share: `${((100 * us) / total).toFixed(0)}%`,
  })),
);
console.log(`total ${total.toFixed(1)} µs per event`);
