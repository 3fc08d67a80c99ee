// The hot-project measurement of `npm run bench` (docs/hot-project.md): how many envelopes per second
// one project's Durable Object takes when the Worker side is not the bottleneck. The envelope is
// prepared once (as the ingest Worker does), then sent `count` times with fresh event ids straight to
// the project's object, `concurrency` at a time; then the time until its spool is in D1.
import type { Env } from "../../src/env.ts";
import type { IngestBatch } from "../../src/project/index.ts";
import { prepareForKey } from "./prepare-for-key.ts";

export interface HotProjectRun {
  count: number;
  concurrency: number;
  acceptSeconds: number;
  acceptedPerSecond: number;
  drainSeconds: number;
  storedPerSecond: number;
  /** The object's answer to one call, from the call to its answer (ms; workerd's clock moves on I/O). */
  answerP50Ms: number;
  answerP99Ms: number;
  answerMaxMs: number;
}

const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

const hex32 = () =>
  [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");

function withEventId(batch: IngestBatch, id: string): IngestBatch {
  if (!batch.event) return batch;
  return { ...batch, event: { ...batch.event, row: { ...batch.event.row, eventId: id } } };
}

export async function hotProjectRun(request: Request, env: Env): Promise<HotProjectRun> {
  const url = new URL(request.url);
  const count = Number(url.searchParams.get("count") ?? 5000);
  const concurrency = Number(url.searchParams.get("concurrency") ?? 64);
  const projectId = Number(url.searchParams.get("project"));
  const prepared = await prepareForKey(
    env,
    url.searchParams.get("sentry_key") ?? "",
    projectId,
    new Uint8Array(await request.arrayBuffer()),
  );
  const stub = env.PROJECTS.get(env.PROJECTS.idFromName(String(projectId)));
  let next = 0;
  const answers: number[] = [];
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        const sent = Date.now();
        await stub.ingest(withEventId(prepared.batch, hex32()));
        answers.push(Date.now() - sent);
      }
    }),
  );
  const accepted = Date.now();
  await stub.drainSpool(600_000);
  const drained = Date.now();
  answers.sort((a, b) => a - b);
  const acceptSeconds = (accepted - started) / 1000;
  return {
    count,
    concurrency,
    acceptSeconds,
    acceptedPerSecond: count / acceptSeconds,
    drainSeconds: (drained - accepted) / 1000,
    storedPerSecond: count / ((drained - started) / 1000),
    answerP50Ms: quantile(answers, 0.5),
    answerP99Ms: quantile(answers, 0.99),
    answerMaxMs: answers.at(-1) ?? 0,
  };
}
