// Event shapes (migration 0034) under retention and the storage quota (0035), and the exception value a
// shaped row leaves to its title: a shape no unexpired event names goes with the sweep, one an
// unexpired event names stays (each commit marks its shapes used that day), the organization's stored
// bytes count a shape once, from its creation to its deletion, and every read answers the same from a
// row whose value is rebuilt from its title as from a row holding its whole payload. Through the
// ingest endpoint, the REST API and the project object's alarm.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DERIVED_ERROR_VALUE } from "../../src/db/payload-shape.ts";
import { writeRegroup } from "../../src/db/regroup.ts";
import { UNUSED_SHAPES_SQL } from "../../src/db/retention-shapes.ts";
import { EVENT_BYTES_SQL } from "../../src/db/storage-usage.ts";
import { apiGet, discoverById } from "./api-reads.ts";
import { stubOf } from "./fault-helpers.ts";
import {
  createTenant,
  drainSpool,
  envelope,
  eventRow,
  newEventId,
  postEnvelope,
  storedPayload,
  type Tenant,
} from "./helpers.ts";
import { call, createUser } from "./tenant-helpers.ts";

type Json = Record<string, unknown>;

const DAY = 86_400;
const HOUR_MS = 3600 * 1000;
const today = () => Math.floor(Date.now() / 1000 / DAY);

/** Sends an error event whose shape is its exception type `type` (and the SDK); answers its id. */
async function sendError(
  t: Tenant,
  type: string,
  value: string,
  timestamp = Date.now() / 1000,
): Promise<string> {
  const id = newEventId();
  const body = {
    event_id: id,
    level: "error",
    platform: "python",
    timestamp,
    sdk: { name: "sentry.python", version: "2.19.0" },
    exception: {
      values: [
        {
          type,
          value,
          mechanism: { type: "generic", handled: true },
          stacktrace: { frames: [{ function: "handle", filename: "app.py", lineno: 12, in_app: true }] },
        },
      ],
    },
  };
  const res = await postEnvelope(t, envelope({ event_id: id }, [{ type: "event" }, JSON.stringify(body)]));
  expect(res.status).toBe(200);
  await drainSpool(t.projectId);
  return id;
}

async function shapes(t: Tenant): Promise<{ id: number; last_used: number; bytes: number }[]> {
  const { results } = await env.DB.prepare(
    "SELECT id, last_used, length(CAST(shape AS BLOB)) AS bytes FROM event_shapes WHERE project_id = ? ORDER BY id",
  )
    .bind(t.projectId)
    .all<{ id: number; last_used: number; bytes: number }>();
  return results;
}

/** The bytes the project's rows hold, as the counter measures them: events and shapes. */
async function heldBytes(t: Tenant): Promise<number> {
  const row = await env.DB.prepare(
    `SELECT (SELECT COALESCE(SUM(${EVENT_BYTES_SQL}), 0) FROM events WHERE project_id = ?1)
          + (SELECT COALESCE(SUM(length(CAST(shape AS BLOB))), 0) FROM event_shapes WHERE project_id = ?1) AS n`,
  )
    .bind(t.projectId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

async function usedBytes(t: Tenant, token: string): Promise<number> {
  const res = await call<{ storage: { usedBytes: number } }>(
    token,
    "GET",
    `/api/0/organizations/${t.orgSlug}/usage/`,
  );
  expect(res.status).toBe(200);
  return res.body.storage.usedBytes;
}

/** Marks a shape last used `days` ago: what a shape no event has named since then looks like. */
async function lastUsedDaysAgo(shapeId: number, days: number): Promise<void> {
  await env.DB.prepare("UPDATE event_shapes SET last_used = ? WHERE id = ?")
    .bind(today() - days, shapeId)
    .run();
}

const shapeOf = async (t: Tenant, eventId: string) => (await eventRow(t.projectId, eventId))?.shape_id;

async function sweep(t: Tenant, aheadMs: number): Promise<void> {
  await stubOf(t).setRetention({ aheadMs });
  expect(await runDurableObjectAlarm(stubOf(t))).toBe(true);
}

async function discover(t: Tenant, query: string): Promise<Json[]> {
  const fields = ["id", "title", "error.type", "error.value", "message"];
  const body = (await discoverById(t, fields, query)) as { data: Json[] };
  return body.data;
}

describe("event shapes under retention", () => {
  it("deletes a shape no unexpired event names, keeps one an unexpired event names, and counts both in the stored bytes", async () => {
    const t = await createTenant();
    const owner = await createUser(t.orgId, "owner");
    const project = `projects/${t.orgSlug}/${t.projectSlug}`;
    expect((await call(t.token, "PUT", `/api/0/${project}/`, { retentionDays: 1 })).status).toBe(200);
    const now = Date.now() / 1000;
    const expired = await sendError(t, "ExpiredError", "gone", now - 5 * DAY);
    const kept = [await sendError(t, "KeptError", "first"), await sendError(t, "KeptError", "second")];
    const goneShape = await shapeOf(t, expired);
    const keptShape = await shapeOf(t, kept[0] as string);
    expect(await shapeOf(t, kept[1] as string)).toBe(keptShape);
    // Each commit marked its shapes used today; a shape is stored, and counted, once.
    expect((await shapes(t)).map((s) => [s.id, s.last_used])).toEqual([
      [goneShape, today()],
      [keptShape, today()],
    ]);
    expect(await usedBytes(t, owner.token)).toBe(await heldBytes(t));
    const shapeBytes = (await shapes(t)).reduce((n, s) => n + s.bytes, 0);
    expect(shapeBytes).toBeGreaterThan(0);

    // The expired event's shape has not been named since its event was stored, five days ago.
    await lastUsedDaysAgo(goneShape as number, 5);
    // The kept shape too, until an event names it again: its commit marks it used today.
    await lastUsedDaysAgo(keptShape as number, 5);
    const again = await sendError(t, "KeptError", "third");
    expect(await shapeOf(t, again)).toBe(keptShape);
    expect((await shapes(t)).map((s) => [s.id, s.last_used])).toEqual([
      [goneShape, today() - 5],
      [keptShape, today()],
    ]);
    const before = await usedBytes(t, owner.token);

    await sweep(t, 2 * HOUR_MS);

    const left = await shapes(t);
    expect(left.map((s) => s.id)).toEqual([keptShape]);
    expect((await call(t.token, "GET", `/api/0/${project}/events/${expired}/`)).status).toBe(404);
    // The stored bytes lost the expired event and its shape, and count what is left exactly.
    const after = await usedBytes(t, owner.token);
    expect(after).toBe(await heldBytes(t));
    expect(before - after).toBeGreaterThan(shapeBytes - (left[0]?.bytes ?? 0));
    // The kept events still read whole: their shape's type, frames and SDK, their own values.
    const rows = await discover(t, "error.type:KeptError");
    expect(rows.map((r) => r["error.value"]).sort()).toEqual(["first", "second", "third"]);
    const detail = (await apiGet(t, `${project}/events/${kept[1]}/`)) as Json;
    expect(detail.title).toBe("KeptError: second");
    expect(JSON.stringify(detail.entries)).toContain("app.py");
    // A second sweep finds nothing more: the kept shape stays while its events may still be read.
    await sweep(t, 3 * HOUR_MS);
    expect((await shapes(t)).map((s) => s.id)).toEqual([keptShape]);
  });

  it("finds the unused shapes of a project by its (project_id, last_used) index", async () => {
    const t = await createTenant();
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${UNUSED_SHAPES_SQL}`)
      .bind(t.projectId, today(), 10)
      .all<{ detail: string }>();
    expect(results.map((r) => r.detail).join("\n")).toMatch(
      /SEARCH event_shapes USING (COVERING )?INDEX event_shapes_project_last_used \(project_id=\? AND last_used<\?\)/,
    );
    expect(results.map((r) => r.detail).join("\n")).not.toMatch(/TEMP B-TREE/);
  });
});

describe("an exception value the title spells", () => {
  it("is left to the title and read back exactly by every list, column, filter and search", async () => {
    const t = await createTenant();
    const project = `projects/${t.orgSlug}/${t.projectSlug}`;
    // Non-ASCII in the type and the value: the title is cut by characters, as it was spelled.
    const derived = await sendError(t, "ÉchecError", "ça 💥 casse (id 42)");
    const row = await eventRow(t.projectId, derived);
    expect(row?.title).toBe("ÉchecError: ça 💥 casse (id 42)");
    expect(row?.error_value).toBe(DERIVED_ERROR_VALUE);
    const [listed] = (await apiGet(t, `${project}/events/`)) as Json[];
    const issueId = String(listed?.groupID);
    const reads = async () => [
      await discover(t, ""),
      await discover(t, 'error.value:"ça 💥 casse (id 42)"'),
      await discover(t, "error.value:*casse*"),
      await apiGet(t, `${project}/events/`),
      await apiGet(t, `issues/${issueId}/events/`),
      await apiGet(t, `${project}/events/${derived}/`),
      ((await apiGet(t, `${project}/issues/`, [["query", "casse"]])) as Json[]).map((i) => i.id),
    ];
    const before = await reads();
    expect(before[0]).toEqual([expect.objectContaining({ "error.value": "ça 💥 casse (id 42)" })]);
    expect(before[1]).toHaveLength(1);
    expect(before[2]).toHaveLength(1);
    expect(before[6]).toEqual([issueId]);

    // The same row written before shapes holds its whole payload: every read answers the same.
    await env.DB.prepare(
      `UPDATE events SET payload = ?, shape_id = NULL, span_id = NULL, error_value = NULL
       WHERE project_id = ? AND event_id = ?`,
    )
      .bind(await storedPayload(t.projectId, derived), t.projectId, derived)
      .run();
    expect(await reads()).toEqual(before);
  });

  it("is written out when a regroup changes the title, and stays left to it when the title stays", async () => {
    const t = await createTenant();
    const id = await sendError(t, "RenamedError", "bad id 7");
    const regroup = async (title: string) => {
      const row = await eventRow(t.projectId, id);
      await writeRegroup(env.DB, t.projectId, {
        newIssues: [],
        hashMappings: [],
        assignments: [
          {
            move: {
              eventId: id,
              payload: row?.payload as string,
              payloadKey: null,
              payloadRef: row?.payload_ref as string,
              grouping: { title },
            },
            event: { issueId: row?.issue_id as number, timestamp: row?.timestamp as number, userKey: null },
            target: { id: row?.issue_id as number },
            changed: false,
          },
        ],
      });
      return eventRow(t.projectId, id);
    };
    expect((await regroup("RenamedError: bad id 7"))?.error_value).toBe(DERIVED_ERROR_VALUE);
    const renamed = await regroup("a title that spells no value");
    expect([renamed?.title, renamed?.error_value]).toEqual(["a title that spells no value", "bad id 7"]);
    expect((await discover(t, "")).map((r) => r["error.value"])).toEqual(["bad id 7"]);
  });

  it("is stored when the title does not spell it, and an empty one is none", async () => {
    const t = await createTenant();
    const empty = await sendError(t, "EmptyError", "");
    const id = newEventId();
    const titled = {
      event_id: id,
      level: "error",
      timestamp: Date.now() / 1000,
      sdk: { name: "sentry.python", version: "2.19.0" },
      // A value too long for the title: the title is cut, the value is kept whole in its column.
      exception: { values: [{ type: "LongError", value: "x".repeat(2000) }] },
    };
    const res = await postEnvelope(
      t,
      envelope({ event_id: id }, [{ type: "event" }, JSON.stringify(titled)]),
    );
    expect(res.status).toBe(200);
    await drainSpool(t.projectId);
    const long = await eventRow(t.projectId, id);
    expect(long?.title).not.toBe(`LongError: ${"x".repeat(2000)}`);
    expect(long?.error_value).toBe("x".repeat(2000));
    expect((await eventRow(t.projectId, empty))?.error_value).toBeNull();
    const values = (await discover(t, "")).map((r) => [r["error.type"], r["error.value"]]);
    expect(values.sort()).toEqual([
      // Ingest drops an empty value: there is none to rebuild.
      ["EmptyError", null],
      ["LongError", "x".repeat(2000)],
    ]);
  });
});
