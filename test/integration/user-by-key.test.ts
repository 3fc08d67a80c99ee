// A user that is only an id is spelled by the row's user_key (`id:{id}`), so a shaped row does not keep
// it in its payload projection again; every read that works on rows (the event lists, discover's user
// columns and filters, issue search by user id, event detail) answers the same as from a row holding
// its whole payload, as rows written before do. A user with more than an id stays in the JSON.
import { describe, expect, it } from "vitest";
import { apiGet, discoverById, issueIdsFound } from "./api-reads.ts";
import {
  createTenant,
  drainSpool,
  envelope,
  newEventId,
  postEnvelope,
  projectDb,
  storedPayload,
  type Tenant,
} from "./helpers.ts";

type Json = Record<string, unknown>;

async function sendPanic(t: Tenant, user: Json, n: number): Promise<string> {
  const id = newEventId();
  const body = {
    event_id: id,
    level: "fatal",
    platform: "native",
    timestamp: Date.now() / 1000 - n,
    user,
    sdk: { name: "sentry.rust", version: "0.34.0" },
    contexts: { os: { type: "os", name: "Linux", version: "6.1.0" } },
    exception: { values: [{ type: "panic", value: "index out of bounds", mechanism: { type: "panic" } }] },
  };
  const res = await postEnvelope(t, envelope({ event_id: id }, [{ type: "event" }, JSON.stringify(body)]));
  expect(res.status).toBe(200);
  return id;
}

async function reads(t: Tenant, issueId: string, ids: string[]): Promise<unknown[]> {
  const project = `projects/${t.orgSlug}/${t.projectSlug}`;
  const fields = ["id", "user.id", "user.display", "user.email", "user"];
  const discover = (query: string) => discoverById(t, fields, query, [["statsPeriod", "24h"]]);
  const search = (query: string) => issueIdsFound(t, query);
  return [
    await apiGet(t, `${project}/events/`),
    await apiGet(t, `issues/${issueId}/events/`),
    await apiGet(t, `issues/${issueId}/tags/user/values/`),
    await discover(""),
    await discover("user.id:user-7"),
    await discover("has:user.id"),
    await search("user.id:user-7"),
    await search("user.id:user-8"),
    ...(await Promise.all(ids.map((id) => apiGet(t, `${project}/events/${id}/`)))),
  ];
}

describe("a user that is only an id", () => {
  it("is left to the row's user_key and every read answers as from the whole payload", async () => {
    const t = await createTenant();
    const idOnly = await sendPanic(t, { id: "user-7" }, 1);
    const withEmail = await sendPanic(t, { id: "user-8", email: "u8@example.com" }, 2);
    await drainSpool(t.projectId);
    const db = await projectDb(t.projectId);
    const row = (id: string) =>
      db
        .prepare("SELECT payload, user_key, shape_id FROM events WHERE project_id = ? AND event_id = ?")
        .bind(t.projectId, id)
        .first<{ payload: string; user_key: string; shape_id: number | null }>();
    const a = await row(idOnly);
    const b = await row(withEmail);
    expect(a?.shape_id).toEqual(expect.any(Number));
    expect(a?.user_key).toBe("id:user-7");
    expect(JSON.parse(String(a?.payload)).user).toBeUndefined();
    expect(JSON.parse(String(b?.payload)).user).toEqual({ id: "user-8", email: "u8@example.com" });

    const [item] = (await apiGet(t, `projects/${t.orgSlug}/${t.projectSlug}/events/`)) as Json[];
    const issueId = String(item?.groupID);
    const before = await reads(t, issueId, [idOnly, withEmail]);
    // The reads found the id-only user everywhere a user is read.
    const list = before[0] as Json[];
    expect(list.find((e) => e.eventID === idOnly)?.user).toMatchObject({ id: "user-7" });
    const rows = (before[3] as { data: Json[] }).data;
    expect(rows.find((r) => r.id === idOnly)).toMatchObject({
      "user.id": "user-7",
      "user.display": "user-7",
    });
    expect((before[4] as { data: Json[] }).data.map((r) => r.id)).toEqual([idOnly]);
    expect((before[5] as { data: Json[] }).data).toHaveLength(2);
    expect(before[6]).toEqual([issueId]);
    expect(before[7]).toEqual([issueId]);
    expect((before[8] as Json).user).toMatchObject({ id: "user-7" });

    // Rows written before hold the whole payload: every read answers the same.
    for (const id of [idOnly, withEmail]) {
      await db
        .prepare(
          `UPDATE events SET payload = ?, shape_id = NULL, span_id = NULL, error_value = NULL
           WHERE project_id = ? AND event_id = ?`,
        )
        .bind(await storedPayload(t.projectId, id), t.projectId, id)
        .run();
    }
    expect(await reads(t, issueId, [idOnly, withEmail])).toEqual(before);
  });
});
