// `npm run bench:sink` (also the last part of `npm run bench`): what faultline/testing costs a test suite,
// measured on the built package (`npm run build` first):
//   - cold start: `startFaultline()` until it resolves (Miniflare up, migrations applied, defaults made),
//     in a fresh Node process each time, with and without the module import, median of RUNS;
//   - `waitForEvent`: @sentry/node captureException → the helper resolves with the stored event, by id
//     (answered from the spool) and by message text (the stored list), median and p90 of CAPTURES,
//     against one warm sink; and `events()` right after `Sentry.flush()`.
import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const RUNS = Number(process.env.BENCH_SINK_RUNS ?? 7);
const CAPTURES = Number(process.env.BENCH_SINK_CAPTURES ?? 30);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];
const ms = (x) => `${x.toFixed(0)} ms`;

/** One fresh process: import, start, close; answers the timings it printed. */
function coldStart() {
  const script = `
    const t0 = performance.now();
    const { startFaultline } = await import("faultline/testing");
    const t1 = performance.now();
    const sink = await startFaultline();
    const t2 = performance.now();
    await sink.close();
    console.log(JSON.stringify({ importMs: t1 - t0, startMs: t2 - t1, closeMs: performance.now() - t2 }));`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`cold start run failed:\n${result.stdout}\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").pop());
}

async function waitLatency() {
  const Sentry = await import("@sentry/node");
  const { startFaultline } = await import("faultline/testing");
  const sink = await startFaultline();
  Sentry.init({
    dsn: sink.dsn,
    release: "bench@1",
    integrations: (all) => all.filter((i) => i.name !== "Dedupe"),
  });
  const waits = [];
  const byMessage = [];
  const lists = [];
  const flushes = [];
  try {
    // One capture first: the Worker's and the SDK's first request pay for their warm-up.
    await sink.waitForEvent({ id: Sentry.captureException(new Error("warm-up")) });
    for (let i = 0; i < CAPTURES; i++) {
      const t0 = performance.now();
      const id = Sentry.captureException(new TypeError(`bench failure ${i}`));
      await sink.waitForEvent({ id });
      waits.push(performance.now() - t0);
    }
    for (let i = 0; i < CAPTURES; i++) {
      const t0 = performance.now();
      Sentry.captureException(new SyntaxError(`matched by text ${i}`));
      await sink.waitForEvent({ message: `matched by text ${i}` });
      byMessage.push(performance.now() - t0);
    }
    for (let i = 0; i < Math.min(CAPTURES, 10); i++) {
      const t0 = performance.now();
      Sentry.captureException(new RangeError(`listed ${i}`));
      await Sentry.flush(2000);
      flushes.push(performance.now() - t0);
      const events = await sink.events({ message: `listed ${i}` });
      if (events.length !== 1) throw new Error(`events() found ${events.length} for capture ${i}`);
      lists.push(performance.now() - t0);
    }
  } finally {
    await Sentry.close(2000);
    await sink.close();
  }
  return { waits, byMessage, lists, flushes };
}

console.log(`faultline/testing (cores: ${(await import("node:os")).cpus().length})`);
const starts = [];
for (let i = 0; i < RUNS; i++) starts.push(coldStart());
const startMs = starts.map((s) => s.startMs);
const totalMs = starts.map((s) => s.importMs + s.startMs);
console.log(
  `cold start (${RUNS} fresh processes): startFaultline() median ${ms(median(startMs))} (min ${ms(Math.min(...startMs))}, max ${ms(Math.max(...startMs))}); with the import ${ms(median(totalMs))}; close ${ms(median(starts.map((s) => s.closeMs)))}`,
);
const { waits, byMessage, lists, flushes } = await waitLatency();
const line = (what, xs) =>
  console.log(
    `${what} (${xs.length} captures): median ${ms(median(xs))}, p90 ${ms(p90(xs))}, max ${ms(Math.max(...xs))}`,
  );
line("captureException → waitForEvent({ id }) resolves", waits);
line("captureException → waitForEvent({ message }) resolves", byMessage);
line("captureException → Sentry.flush() → events() resolves", lists);
line("  of which Sentry.flush()", flushes);
