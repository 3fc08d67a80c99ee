// `node bench/payload-options.mjs`: what each place for event payloads costs per event, on the bench's
// realistic sentry-rust panics and anyhow errors (bench/envelopes.mjs), with the projection and segment
// format code of src/ (bundled with esbuild, run under Node): the payload as JSON (inline today), deflate-
// raw (compressed in the row, or in a segment), and the projection a row keeps beside a segment locator.
// D1's own growth per event is measured by `npm run bench:scale`; these are the payload bytes alone.
import { rmSync } from "node:fs";
import { bundleSource } from "./bundle-src.mjs";
import { anyhowEvent, panicEvent } from "./envelopes.mjs";

const N = Number(process.env.BENCH_PAYLOAD_EVENTS ?? 500);

const bundled = await bundleSource("payloads", [
  ["{ payloadProjection }", "src/db/payload-projection.ts"],
  ["*", "src/blobs/segment-format.ts"],
]);
rmSync(bundled.dir, { recursive: true, force: true });
const { core } = bundled;
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
