// `node bench/payload-options.mjs`: what each place for event payloads costs per event, on the bench's
// realistic sentry-rust panics and anyhow errors (bench/envelopes.mjs), with the projection and segment
// format code of src/ (bundled with esbuild, run under Node): the payload as JSON (inline today), deflate-
// raw (compressed in the row, or in a segment), and the projection a row keeps beside a segment locator.
// D1's own growth per event is measured by `npm run bench:scale`; these are the payload bytes alone.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { anyhowEvent, panicEvent } from "./envelopes.mjs";

const ROOT = new URL("..", import.meta.url).pathname;
const N = Number(process.env.BENCH_PAYLOAD_EVENTS ?? 500);

async function bundle() {
  const { build } = await import("esbuild");
  const dir = mkdtempSync(join(tmpdir(), "faultline-bench-payloads-"));
  const entry = join(dir, "entry.ts");
  writeFileSync(
    entry,
    [
      `export { payloadProjection } from ${JSON.stringify(join(ROOT, "src/db/payload-projection.ts"))};`,
      `export * from ${JSON.stringify(join(ROOT, "src/blobs/segment-format.ts"))};`,
    ].join("\n"),
  );
  const out = join(dir, "core.mjs");
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: out,
    logLevel: "error",
  });
  const core = await import(out);
  rmSync(dir, { recursive: true, force: true });
  return core;
}

const core = await bundle();
const enc = new TextEncoder();
const sums = { json: 0, deflated: 0, projection: 0, locator: 0 };
for (let i = 0; i < N; i++) {
  const event = (i % 2 === 0 ? panicEvent(i) : anyhowEvent(i)).payload;
  const json = JSON.stringify(event);
  sums.json += enc.encode(json).byteLength;
  const bytes = core.compressPayload(json);
  sums.deflated += bytes.byteLength;
  sums.projection += enc.encode(core.payloadProjection(event)).byteLength;
  sums.locator += core.formatLocator({
    segment: core.newSegmentId(Date.now()),
    offset: 4_000_000,
    length: bytes.byteLength,
  }).length;
}
const avg = (n) => Math.round(n / N);
console.log(`${N} events (half panics with 30 frames, half anyhow chains), bytes per event:`);
console.table([
  { place: "payload JSON (inline in the row, before)", bytes: avg(sums.json) },
  { place: "payload deflate-raw (a segment's part)", bytes: avg(sums.deflated) },
  { place: "projection kept in the row", bytes: avg(sums.projection) },
  { place: "segment locator (payload_ref)", bytes: avg(sums.locator) },
]);
console.log(
  `compression ratio ${(sums.json / sums.deflated).toFixed(1)}×; a 1,000-event segment is ~${Math.round((avg(sums.deflated) * 1000) / 1024)} KiB`,
);
