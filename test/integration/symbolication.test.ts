// Native symbolication through the real Worker (workerd, local D1 + R2 + the project Durable Object):
// a debug file uploaded with sentry-cli's protocol gets its lookup built at assembly; a sentry-rust
// panic with stripped frames is symbolicated before grouping; and a debug file uploaded after the
// events re-symbolicates them in the background and merges their issue into the right one.
// Fixture: test/fixtures/debug-files/app (Rust release build, debug = true), addresses from
// `addr2line -f -i -C -e app`.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { lookupUpload } from "../../src/blobs/lookup-upload.ts";
import { createAssembly } from "../../src/db/assemblies.ts";
import { PAYLOAD_SEGMENT_MAX_AGE_SECONDS } from "../../src/limits.ts";
import { issueGroupingOf } from "../../src/project/ingest-batch.ts";
import { RETENTION_STATE_KEY } from "../../src/project/retention.ts";
import type { RetentionState } from "../../src/project/retention-plan.ts";
import type { Frame, NormalizedEvent } from "../../src/protocol/types.ts";
import { runAssembly } from "../../src/symbol-service/assembler.ts";
import {
  LATE_BATCH_EVENTS,
  LATE_SETTLE_MS,
  type LateDeps,
  runLateSymbolication,
} from "../../src/symbol-service/late-jobs.ts";
import { hex, IMAGE_ADDR, rustPanicEvent, strippedFrames } from "../fixtures/rust-panic.ts";
import { APP, sha1, uploadChunk, uploadDebugFile } from "./debug-file-helpers.ts";
import {
  createTenant,
  envelope,
  eventRow,
  newEventId,
  postEnvelope,
  prepareForTenant,
  storedPayload,
  type Tenant,
} from "./helpers.ts";
import { call } from "./tenant-helpers.ts";

/** Deps of a late-file run outside the project's object: it regroups through the object, as the alarm does. */
function lateDepsFor(e: typeof env): LateDeps {
  return {
    db: e.DB,
    control: e.DB,
    bucket: e.BLOBS,
    openSegment: (projectId, locator) =>
      e.PROJECTS.get(e.PROJECTS.idFromName(String(projectId))).payloadSegmentBytes(locator),
    regroup: (projectId, events) =>
      e.PROJECTS.get(e.PROJECTS.idFromName(String(projectId))).regroupEvents(
        projectId,
        events.map(({ event, ...rest }) => ({ ...rest, grouping: issueGroupingOf(event) })),
      ),
  };
}

const DEBUG_ID = "4ea1b71e-9c1a-eadc-a675-8918563690cd";
const CODE_ID = "1eb7a14e1a9cdceaa6758918563690cd5f2c8023";

// --- a sentry-rust panic: stripped frames, legacy image keys ---

const panicEvent = (eventId: string, options: { user?: string; message?: string } = {}) =>
  rustPanicEvent(eventId, { debugId: DEBUG_ID, codeId: CODE_ID, ...options });

async function sendPanic(
  t: Tenant,
  eventId: string,
  {
    tags,
    contexts,
    ...options
  }: {
    user?: string;
    message?: string;
    tags?: Record<string, string>;
    contexts?: Record<string, unknown>;
  } = {},
) {
  const event = {
    ...panicEvent(eventId, options),
    ...(tags ? { tags } : {}),
    ...(contexts ? { contexts } : {}),
  };
  const res = await postEnvelope(
    t,
    envelope({ event_id: eventId }, [{ type: "event" }, JSON.stringify(event)]),
  );
  expect(res.status).toBe(200);
}

async function storedEvent(t: Tenant, eventId: string) {
  const row = await eventRow(t.projectId, eventId);
  if (!row) throw new Error(`event ${eventId} was not stored`);
  const payload = JSON.parse(String(await storedPayload(t.projectId, eventId))) as NormalizedEvent;
  const value = payload.exception?.values[0];
  return {
    issueId: Number(row.issue_id),
    frames: value?.stacktrace?.frames ?? [],
    raw: value?.raw_stacktrace?.frames,
  };
}

function expectSymbolicated(frames: Frame[]) {
  const first = frames[0];
  expect(first).toMatchObject({
    function: "main::main",
    filename: "main.rs",
    lineno: 15,
    symbolicator_status: "symbolicated",
    instruction_addr: hex(IMAGE_ADDR + 0x14aa5n),
    package: "/srv/app/app",
  });
  // The crash address expands into its inline chain: main::outer first, the innermost inlinee last.
  const crash = frames.slice(1);
  expect(crash.length).toBeGreaterThan(3);
  expect(crash[0]).toMatchObject({ function: "main::outer", filename: "main.rs", lineno: 10 });
  expect(crash[0]?.symbol_addr).toBe(hex(IMAGE_ADDR + 0x14e20n));
  expect(crash.at(-1)).toMatchObject({ function: "alloc::vec::Vec<T,A>::as_slice", filename: "mod.rs" });
  expect(crash.every((f) => f.instruction_addr === hex(IMAGE_ADDR + 0x14e80n))).toBe(true);
  for (const frame of frames) expect(frame.abs_path).toEqual(expect.any(String));
}

const issueIds = async (t: Tenant) =>
  (
    await env.DB.prepare("SELECT id, times_seen, user_count FROM issues WHERE project_id = ? ORDER BY id")
      .bind(t.projectId)
      .all<{ id: number; times_seen: number; user_count: number }>()
  ).results;

async function waitFor<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Uploads the app binary's single chunk and queues its assembly (run by the caller); its checksum. */
async function queueAppAssembly(t: Tenant): Promise<string> {
  await uploadChunk(t, APP);
  const checksum = sha1(APP);
  await createAssembly(
    env.DB,
    t.projectId,
    { checksum, name: "app", debugId: null, chunks: [checksum] },
    Date.now(),
  );
  return checksum;
}

describe("symbolication at ingest", () => {
  it("builds the lookup when the file is assembled and symbolicates a stripped panic before grouping", async () => {
    const t = await createTenant();
    await uploadDebugFile(t);
    const lookup = await env.DB.prepare(
      "SELECT state, blob_key, size, file_size FROM debug_file_lookups WHERE project_id = ?",
    )
      .bind(t.projectId)
      .first<{ state: string; blob_key: string; size: number; file_size: number }>();
    expect(lookup).toMatchObject({ state: "ok", file_size: APP.byteLength });
    expect((await env.BLOBS.head(lookup?.blob_key ?? ""))?.size).toBe(lookup?.size);

    const eventId = newEventId();
    await sendPanic(t, eventId);
    const stored = await storedEvent(t, eventId);
    expectSymbolicated(stored.frames);
    // The frames as sent survive in raw_stacktrace.
    expect(stored.raw).toEqual(strippedFrames());
    // Grouping saw the names: the issue is titled by the exception and its culprit is a real function.
    const issue = await env.DB.prepare("SELECT culprit FROM issues WHERE id = ?")
      .bind(stored.issueId)
      .first<{ culprit: string }>();
    expect(issue?.culprit).not.toContain("<unknown>");
    const refs = await env.DB.prepare(
      "SELECT debug_id, missing FROM event_debug_images WHERE project_id = ? AND event_id = ?",
    )
      .bind(t.projectId, eventId)
      .all();
    // Only images that lacked a debug file are recorded: this one resolved, so no row costs D1 anything.
    expect(refs.results).toEqual([]);
  });

  it("marks frames of an image without a debug file `missing` and of no image `unknown_image`", async () => {
    const t = await createTenant();
    const eventId = newEventId();
    const event = panicEvent(eventId);
    event.exception.values[0]?.stacktrace.frames.unshift({
      function: "<unknown>",
      in_app: true,
      instruction_addr: "0x1000",
    });
    const res = await postEnvelope(
      t,
      envelope({ event_id: eventId }, [{ type: "event" }, JSON.stringify(event)]),
    );
    expect(res.status).toBe(200);
    const stored = await storedEvent(t, eventId);
    expect(stored.frames.map((f) => f.symbolicator_status)).toEqual(["unknown_image", "missing", "missing"]);
    const refs = await env.DB.prepare(
      "SELECT missing FROM event_debug_images WHERE project_id = ? AND event_id = ?",
    )
      .bind(t.projectId, eventId)
      .all();
    expect(refs.results).toEqual([{ missing: 1 }]);
  });
});

describe("lookup uploads", () => {
  const MiB = 1024 * 1024;
  const pattern = (size: number, seed: number) => {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * seed) & 0xff;
    return bytes;
  };

  it("streams a lookup larger than a part as equal multipart parts and reads back the same bytes", async () => {
    const key = `test/lookup-upload/${crypto.randomUUID()}`;
    const upload = lookupUpload(env.BLOBS, key, 5 * MiB);
    const pieces = [pattern(3 * MiB, 7), pattern(4 * MiB + 17, 13), pattern(5 * MiB, 3), pattern(123, 5)];
    for (const piece of pieces) await upload.write(piece);
    const size = await upload.finish();
    const expected = new Uint8Array(pieces.reduce((sum, p) => sum + p.byteLength, 0));
    let at = 0;
    for (const piece of pieces) {
      expected.set(piece, at);
      at += piece.byteLength;
    }
    expect(size).toBe(expected.byteLength);
    const stored = new Uint8Array((await (await env.BLOBS.get(key))?.arrayBuffer()) ?? new ArrayBuffer(0));
    expect(stored.byteLength).toBe(expected.byteLength);
    expect(sha1(stored)).toBe(sha1(expected));
  });

  it("puts a lookup smaller than a part in one request", async () => {
    const key = `test/lookup-upload/${crypto.randomUUID()}`;
    const upload = lookupUpload(env.BLOBS, key, 5 * MiB);
    await upload.write(pattern(1000, 3));
    expect(await upload.finish()).toBe(1000);
    expect((await env.BLOBS.head(key))?.size).toBe(1000);
  });
});

describe("late debug files", () => {
  it("re-symbolicates stored events in the background and merges their issue into the twin's", async () => {
    const t = await createTenant();
    const early = newEventId();
    const contexts = { os: { name: "Linux", version: "6.1.0" } };
    await sendPanic(t, early, { user: "u1", contexts });
    const before = await storedEvent(t, early);
    // The tags derived from its os context are its shape's, not its row's.
    expect(JSON.parse(String((await eventRow(t.projectId, early))?.payload)).tags).toBeUndefined();
    expect(
      before.frames.every((f) => f.function === "<unknown>" && f.symbolicator_status === "missing"),
    ).toBe(true);
    const unsymbolicatedIssue = before.issueId;

    await uploadDebugFile(t);
    // The project's alarm runs the job's first pass; its last pass waits for in-flight commits.
    await waitFor("the late-symbolication job's first pass", async () => {
      const job = await env.DB.prepare(
        "SELECT state, done, lease_until, recheck_at FROM symbolication_jobs WHERE project_id = ? AND debug_id = ?",
      )
        .bind(t.projectId, DEBUG_ID)
        .first<{ state: string; done: number; lease_until: number | null; recheck_at: number | null }>();
      return job?.done === 1 && job.lease_until !== null && job.lease_until === job.recheck_at
        ? job
        : undefined;
    });
    const after = await storedEvent(t, early);
    expectSymbolicated(after.frames);
    expect(after.raw?.[0]?.function).toBe("<unknown>");
    expect(after.issueId).not.toBe(unsymbolicatedIssue);
    // The rewritten payload left its segment for an object of its own; the row keeps the projection.
    const row = await eventRow(t.projectId, early);
    expect(row?.payload_ref).toBeNull();
    expect(String(row?.payload_key)).toMatch(new RegExp(`^projects/${t.projectId}/events/${early}/`));
    expect(JSON.parse(String(row?.payload)).debug_meta).toBeUndefined();
    // The event detail shows the symbolicated frames.
    const detail = await call<{
      entries: { type: string; data: { values: { stacktrace: { frames: Frame[] } }[] } }[];
    }>(t.token, "GET", `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${early}/`);
    const frames =
      detail.body.entries.find((e) => e.type === "exception")?.data.values[0]?.stacktrace.frames ?? [];
    expect(frames.some((f) => f.function === "main::main")).toBe(true);
    // Lists and discover read the new frames: the row keeps no shape of the unsymbolicated ones (nor
    // the columns beside a shape: its projection is whole again).
    expect([row?.shape_id, row?.span_id, row?.error_value]).toEqual([null, null, null]);
    // Its tags too: those derived from its contexts are back in the row.
    expect(JSON.parse(String(row?.payload)).tags).toEqual([
      ["os", "Linux 6.1.0"],
      ["os.name", "Linux"],
    ]);
    const found = await call<{ data: { "stack.filename": string[] | null }[] }>(
      t.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/events/?field=stack.filename&query=id:${early}&statsPeriod=14d`,
    );
    const files = [
      ...new Set(frames.map((f) => f.filename).filter((f): f is string => typeof f === "string")),
    ];
    expect(found.body.data.map((r) => r["stack.filename"])).toEqual([files.length > 0 ? files : null]);

    const twin = newEventId();
    await sendPanic(t, twin, { user: "u2", contexts });
    expect((await storedEvent(t, twin)).issueId).toBe(after.issueId);
    expect(await issueIds(t)).toEqual([{ id: after.issueId, times_seen: 2, user_count: 2 }]);
  });

  it("moves events into an issue a directly symbolicated twin created, and the empty issue merges into it", async () => {
    const t = await createTenant();
    const early = [newEventId(), newEventId()];
    await sendPanic(t, early[0] ?? "", { user: "u1", tags: { batch: "early" } });
    await sendPanic(t, early[1] ?? "", { user: "u1" });
    const unsymbolicatedIssue = (await storedEvent(t, early[0] ?? "")).issueId;
    const primaryHash = await env.DB.prepare("SELECT primary_hash FROM issues WHERE id = ?")
      .bind(unsymbolicatedIssue)
      .first<string>("primary_hash");

    // Assemble without the HTTP trigger, so the twin arrives before the job runs.
    const checksum = await queueAppAssembly(t);
    const ctx = {
      db: env.DB,
      events: env.DB,
      bucket: env.BLOBS,
      organizationId: t.orgId,
      projectId: t.projectId,
    };
    expect((await runAssembly(ctx, checksum)).state).toBe("ok");

    const twin = newEventId();
    await sendPanic(t, twin, { user: "u2" });
    const twinIssue = (await storedEvent(t, twin)).issueId;
    expect(twinIssue).not.toBe(unsymbolicatedIssue);

    const report = await runLateSymbolication(lateDepsFor(env), t.projectId);
    // Both events moved; the jobs (debug id, code id) stay pending for their last pass, after
    // in-flight commits landed.
    expect(report).toMatchObject({ events: 2, moved: 2, failed: 0, pending: 2 });
    for (const id of early) {
      const stored = await storedEvent(t, id);
      expect(stored.issueId).toBe(twinIssue);
      expectSymbolicated(stored.frames);
    }
    expect(await issueIds(t)).toEqual([{ id: twinIssue, times_seen: 3, user_count: 2 }]);
    // The moved events' tags came with them: the issue search finds the twin's issue by them.
    const found = await call<{ id: string }[]>(
      t.token,
      "GET",
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/?query=${encodeURIComponent("batch:early")}`,
    );
    expect(found.body.map((i) => Number(i.id))).toEqual([twinIssue]);
    // The merged issue's hash now leads to the twin's issue.
    const owner = await env.DB.prepare("SELECT issue_id FROM issue_hashes WHERE project_id = ? AND hash = ?")
      .bind(t.projectId, primaryHash)
      .first<number>("issue_id");
    expect(owner).toBe(twinIssue);
    const missing = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM event_debug_images WHERE project_id = ? AND missing = 1",
    )
      .bind(t.projectId)
      .first<number>("n");
    expect(missing).toBe(0);

    // A later event with the old (unsymbolicated) grouping finds the merged issue through its hash,
    // and the Durable Object's cache did not keep the deleted issue.
    const other = newEventId();
    const event = panicEvent(other);
    event.debug_meta.images = [];
    const res = await postEnvelope(
      t,
      envelope({ event_id: other }, [{ type: "event" }, JSON.stringify(event)]),
    );
    expect(res.status).toBe(200);
    expect((await storedEvent(t, other)).issueId).toBe(twinIssue);
  });
});

describe("late debug files from the project's alarm", () => {
  const projectObject = (t: Tenant) => env.PROJECTS.get(env.PROJECTS.idFromName(String(t.projectId)));

  interface JobRow {
    state: string;
    cursor: string;
    done: number;
    lease_token: string | null;
    lease_until: number | null;
    recheck_at: number | null;
  }
  const job = async (t: Tenant) => {
    const row = await env.DB.prepare(
      "SELECT state, cursor, done, lease_token, lease_until, recheck_at FROM symbolication_jobs WHERE project_id = ? AND debug_id = ?",
    )
      .bind(t.projectId, DEBUG_ID)
      .first<JobRow>();
    if (!row) throw new Error("no late-symbolication job");
    return row;
  };
  const alarmAt = (t: Tenant) =>
    runInDurableObject(projectObject(t), (_instance, state) => state.storage.getAlarm());
  /** When the project's retention sweep next looks for expired data (src/project/retention.ts). */
  const retentionDueAt = (t: Tenant) =>
    runInDurableObject(projectObject(t), async (_instance, state) => {
      const due = (await state.storage.get<RetentionState>(RETENTION_STATE_KEY))?.nextAt;
      expect(due).toBeGreaterThan(Date.now() + 30 * 60 * 1000);
      return due;
    });
  /** The alarm the open payload segment keeps for its age limit (null when none is open). */
  const segmentAlarm = (t: Tenant) =>
    runInDurableObject(projectObject(t), (_instance, state) => {
      const row = state.storage.sql
        .exec<{ opened: number | null }>("SELECT MIN(opened_at) AS opened FROM payload_segments")
        .one();
      return row.opened === null ? null : (row.opened + PAYLOAD_SEGMENT_MAX_AGE_SECONDS) * 1000;
    });
  /** What the alarm is armed for once nothing else is due: the segment's age limit or the retention check. */
  const idleAlarm = async (t: Tenant) => {
    const segment = await segmentAlarm(t);
    const retention = (await retentionDueAt(t)) as number;
    return segment === null ? retention : Math.min(segment, retention);
  };

  /**
   * Assembles the file as the assemble route does, except that the project's alarm is armed a minute
   * later than asked, so the test decides when it runs (runDurableObjectAlarm) instead of workerd.
   */
  async function assembleWithDelayedAlarm(t: Tenant): Promise<void> {
    const checksum = await queueAppAssembly(t);
    const stub = projectObject(t);
    const ctx = {
      db: env.DB,
      events: env.DB,
      bucket: env.BLOBS,
      organizationId: t.orgId,
      projectId: t.projectId,
      scheduleLate: (delayMs: number) => stub.scheduleLateSymbolication(t.projectId, delayMs + 60_000),
    };
    expect((await runAssembly(ctx, checksum)).state).toBe("ok");
  }

  /** Lets the time before the jobs' last pass go by (their wait and hold move into the past). */
  const skipSettleTime = (t: Tenant) =>
    env.DB.prepare(
      `UPDATE symbolication_jobs SET recheck_at = recheck_at - ?, lease_until = lease_until - ?
       WHERE project_id = ?`,
    )
      .bind(LATE_SETTLE_MS / 1000, LATE_SETTLE_MS / 1000, t.projectId)
      .run();

  it("resumes a job its budget cut off from the alarm, without another assemble call", async () => {
    const t = await createTenant();
    const ids = Array.from({ length: LATE_BATCH_EVENTS + 5 }, () => newEventId());
    for (const id of ids) await sendPanic(t, id);
    await assembleWithDelayedAlarm(t);
    // Queueing the job armed the project's alarm.
    expect(await alarmAt(t)).not.toBeNull();

    // A run whose budget ends after its first step (the clock jumps past the deadline).
    let skew = 0;
    const base = lateDepsFor(env);
    const report = await runLateSymbolication(
      {
        ...base,
        budgetMs: 10_000,
        now: () => Date.now() + skew,
        regroup: async (projectId, moves) => {
          const result = await base.regroup(projectId, moves);
          skew = 10_000;
          return result;
        },
      },
      t.projectId,
    );
    // Pending: this job and the code id's (which the run did not reach).
    expect(report).toMatchObject({ events: LATE_BATCH_EVENTS, failed: 0, pending: 2 });
    expect(await job(t)).toMatchObject({ state: "pending", done: LATE_BATCH_EVENTS, lease_token: null });
    expect((await job(t)).cursor).not.toBe("");

    // The alarm alone finishes the first pass from the cursor, then waits for the last pass.
    expect(await runDurableObjectAlarm(projectObject(t))).toBe(true);
    const waiting = await job(t);
    expect(waiting).toMatchObject({ state: "pending", cursor: "", done: ids.length, lease_token: null });
    expect(waiting.lease_until).toBe(waiting.recheck_at);
    expect(await alarmAt(t)).toBe((waiting.recheck_at ?? 0) * 1000);
    for (const id of ids) expectSymbolicated((await storedEvent(t, id)).frames);
    expect((await issueIds(t)).length).toBe(1);

    // The last pass finds nothing left, ends the job and the alarm is not armed again for it.
    await skipSettleTime(t);
    expect(await runDurableObjectAlarm(projectObject(t))).toBe(true);
    expect(await job(t)).toMatchObject({ state: "done", done: ids.length, recheck_at: null });
    // Nothing left but the open payload segment's age limit and the retention sweep's next check.
    expect(await alarmAt(t)).toBe(await idleAlarm(t));
  });

  it("symbolicates an event whose ingest commit lands after the job's first pass", async () => {
    const t = await createTenant();
    // The Worker half of ingest runs before the debug file exists: the event misses it.
    const eventId = newEventId();
    const prepared = await prepareForTenant(
      t,
      envelope({ event_id: eventId }, [{ type: "event" }, JSON.stringify(panicEvent(eventId))]),
    );
    expect(prepared.batch.event?.missingImages).toEqual([DEBUG_ID]);

    // The file arrives and the job's first pass runs while that event is still on its way.
    await assembleWithDelayedAlarm(t);
    expect(await runDurableObjectAlarm(projectObject(t))).toBe(true);
    const first = await job(t);
    expect(first).toMatchObject({ state: "pending", cursor: "", done: 0 });
    expect(first.lease_until).toBe(first.recheck_at);

    // The project's object commits the event (with its missing-image row) after the scan passed.
    const result = await projectObject(t).ingest(prepared.batch);
    expect(result.eventStored).toBe(true);
    expect(await projectObject(t).drainSpool()).toBe(true);
    const before = await storedEvent(t, eventId);
    expect(before.frames.every((f) => f.symbolicator_status === "missing")).toBe(true);

    // The job's last pass, once in-flight commits had time to land, finds it.
    await skipSettleTime(t);
    expect(await runDurableObjectAlarm(projectObject(t))).toBe(true);
    expect(await job(t)).toMatchObject({ state: "done", done: 1 });
    const after = await storedEvent(t, eventId);
    expectSymbolicated(after.frames);
    expect(after.issueId).not.toBe(before.issueId);
    expect(await issueIds(t)).toEqual([{ id: after.issueId, times_seen: 1, user_count: 0 }]);
    // Nothing left but the open payload segment's age limit and the retention sweep's next check.
    expect(await alarmAt(t)).toBe(await idleAlarm(t));
  });
});
