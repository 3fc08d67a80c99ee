// The Faultline Worker with D1 behind test/faults/faulty-d1.ts, for the integration tests and
// `npm run bench:faults`: the same handlers and Durable Object, with every D1 call of the edge and of
// the project objects going through the fault wrapper. `POST /__faults` (JSON D1Faults) sets the
// faults; `GET /__faults` answers what the wrapper did; `POST /__hot-project` measures one project's
// object (hot-project.ts); `POST /__retention` runs a project's alarm with its retention clock ahead
// (`npm run bench:retention`). Production (src/index.ts) never loads this.

import { shardDb, shardNames } from "../../src/db/shards.ts";
import type { Env } from "../../src/env.ts";
import app from "../../src/index.ts";
import type { IngestBatch, IngestResult } from "../../src/project/ingest-batch.ts";
import type { SegmentLimits, SegmentSetup } from "../../src/project/payload-segments.ts";
import { ProjectDO as RealProjectDO } from "../../src/project/project-do.ts";
import type { RetentionSeams } from "../../src/project/retention.ts";
import type { SpoolCaps } from "../../src/project/spool.ts";
import { type D1Faults, type D1Site, d1FaultCounts, faultyD1, setD1Faults } from "./faulty-d1.ts";
import { hotProjectRun } from "./hot-project.ts";

export class ProjectDO extends RealProjectDO {
  /** Caps set by a test for this object only (a small spool fills quickly). */
  private testCaps: SpoolCaps | null = null;
  /** A test's retention budget, and how far its retention clock runs ahead of the real one (ms). */
  private testRetention: { budgetPerHour?: number; aheadMs?: number } = {};

  protected override database(env: Env): D1Database {
    return faultyD1(env.DB, "object");
  }

  protected override shardDatabase(env: Env, name: string): D1Database {
    return faultyD1(shardDb(env, name), "object");
  }

  protected override spoolCaps(): SpoolCaps {
    return this.testCaps ?? super.spoolCaps();
  }

  async setSpoolCaps(caps: SpoolCaps | null): Promise<void> {
    this.testCaps = caps;
  }

  protected override retentionSeams(): RetentionSeams {
    const real = super.retentionSeams();
    return {
      budgetPerHour: this.testRetention.budgetPerHour ?? real.budgetPerHour,
      now: real.now + (this.testRetention.aheadMs ?? 0),
    };
  }

  /**
   * Lets time pass for the retention sweep (and sets its budget). The alarm is armed an hour out, so
   * it waits for the test's runDurableObjectAlarm instead of firing on its own.
   */
  async setRetention(seams: { budgetPerHour?: number; aheadMs?: number }): Promise<void> {
    this.testRetention = { ...this.testRetention, ...seams };
    await this.ctx.storage.setAlarm(Date.now() + 3600_000);
  }

  /** Runs the alarm now with the retention seams set; answers what the sweeps deleted so far. */
  async sweepRetentionNow(seams: { budgetPerHour?: number; aheadMs?: number }) {
    this.testRetention = { ...this.testRetention, ...seams };
    await this.alarm();
    return (await this.getStats()).retention;
  }

  /** Payload segment settings a test sets for this object (read when used, after construction). */
  private segmentTest: SegmentTest = {};

  protected override segmentSetup(bucket: R2Bucket): SegmentSetup {
    const real = super.segmentSetup(bucket);
    return {
      bucket: failingPuts(real.bucket, () => this.segmentTest?.failPuts === true),
      limits: () => this.segmentTest?.limits ?? real.limits(),
      now: () => real.now() + (this.segmentTest?.clockOffsetMs ?? 0),
    };
  }

  /** Small segments, failing R2 writes of sealed segments, or a clock moved ahead, for this object. */
  async setSegmentTest(settings: SegmentTest): Promise<void> {
    this.segmentTest = settings;
  }

  /** How many of the next envelopes are spooled and then answered with an error (see below). */
  private failAfterSpooling = 0;

  /**
   * The next `n` envelopes are spooled as usual, then the call fails as a dropped connection does after
   * the object received it: the Worker cannot tell whether the envelope is stored.
   */
  async failNextIngestsAfterSpooling(n: number): Promise<void> {
    this.failAfterSpooling = n;
  }

  override async ingest(batch: IngestBatch): Promise<IngestResult> {
    const result = await super.ingest(batch);
    if (this.failAfterSpooling > 0) {
      this.failAfterSpooling -= 1;
      throw new Error("Network connection lost (injected fault)");
    }
    return result;
  }

  /** Ends this object as a crash would: memory is gone, its storage stays; the next call starts anew. */
  async crash(): Promise<void> {
    this.ctx.abort("crash requested by a test");
  }

  /** Sets the faults in this object's isolate (the same module state as the Worker's when shared). */
  async setD1Faults(faults: D1Faults): Promise<void> {
    setD1Faults(faults);
  }
}

export interface SegmentTest {
  limits?: SegmentLimits;
  /** Every R2 put of a sealed segment fails (as an R2 outage would). */
  failPuts?: boolean;
  /** Milliseconds added to the segments' clock (an age limit reached without waiting). */
  clockOffsetMs?: number;
}

function failingPuts(bucket: R2Bucket, failing: () => boolean): R2Bucket {
  return new Proxy(bucket, {
    get(target, property) {
      if (property === "put" && failing())
        return async () => {
          throw new Error("R2 put failed (injected fault)");
        };
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** `env` with every D1 binding (the control plane and each event shard) behind the fault wrapper. */
function faultyShards(env: Env, site: D1Site): Env {
  const wrapped: Record<string, D1Database> = {};
  for (const name of shardNames(env)) wrapped[name] = faultyD1(shardDb(env, name), site);
  return { ...env, ...wrapped };
}

export default {
  async fetch(request, env, ctx): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/__faults") {
      if (request.method === "POST") setD1Faults((await request.json()) as D1Faults);
      return Response.json(d1FaultCounts());
    }
    if (url.pathname === "/__retention" && request.method === "POST") {
      const { projectId, ...seams } = (await request.json()) as {
        projectId: number;
        aheadMs?: number;
        budgetPerHour?: number;
      };
      const ns = env.PROJECTS as unknown as DurableObjectNamespace<ProjectDO>;
      return Response.json(await ns.get(ns.idFromName(String(projectId))).sweepRetentionNow(seams));
    }
    if (url.pathname === "/__hot-project" && request.method === "POST") {
      return Response.json(await hotProjectRun(request, faultyShards(env, "edge")));
    }
    return app.fetch(request, faultyShards(env, "edge"), ctx);
  },
  queue: (batch, env, ctx) => app.queue(batch, faultyShards(env, "edge"), ctx),
  scheduled: (controller, env, ctx) => app.scheduled(controller, faultyShards(env, "edge"), ctx),
} satisfies ExportedHandler<Env>;
