// An issue's notes and activity through the API (Sentry's group notes and activity endpoints): a
// user leaves a note, the issue is resolved and assigned, and the activity lists them newest first,
// with who did what, ending with the issue's first_seen. Only the author removes a note.
import { describe, expect, it } from "vitest";
import { createTenant, envelope, newEventId, postEnvelope } from "./helpers.ts";
import { call, createUser } from "./tenant-helpers.ts";

type Json = Record<string, unknown>;

describe("issue notes and activity", () => {
  it("records a regression found at ingest as set_regression, naming the event and its release", async () => {
    const t = await createTenant();
    const send = async (release: string) => {
      const id = newEventId();
      const body = JSON.stringify({ event_id: id, message: "comes back", level: "error", release });
      expect((await postEnvelope(t, envelope({ event_id: id }, [{ type: "event" }, body]))).status).toBe(200);
      return id;
    };
    await send("app@1");
    const owner = await createUser(t.orgId, "owner");
    const issues = await call<Json[]>(owner.token, "GET", `/api/0/organizations/${t.orgSlug}/issues/?query=`);
    const issueId = String(issues.body[0]?.id);
    expect((await call(owner.token, "PUT", `/api/0/issues/${issueId}/`, { status: "resolved" })).status).toBe(
      200,
    );
    const again = await send("app@2");
    // A further event of the unresolved issue is no regression.
    await send("app@2");
    const activity = await call<{ activity: Json[] }>(
      owner.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/issues/${issueId}/activities/`,
    );
    expect(activity.body.activity.map((a) => a.type)).toEqual([
      "set_regression",
      "set_resolved",
      "first_seen",
    ]);
    expect(activity.body.activity[0]).toMatchObject({
      user: null,
      data: { event_id: again, version: "app@2" },
    });
  });

  it("lists notes and the API's changes with their users, newest first, ending with first_seen", async () => {
    const t = await createTenant();
    const id = newEventId();
    const sent = envelope({ event_id: id }, [
      { type: "event" },
      JSON.stringify({ event_id: id, message: "needs a note", level: "error" }),
    ]);
    expect((await postEnvelope(t, sent)).status).toBe(200);
    const owner = await createUser(t.orgId, "owner");
    const other = await createUser(t.orgId, "owner");
    const issues = await call<Json[]>(owner.token, "GET", `/api/0/organizations/${t.orgSlug}/issues/?query=`);
    const issueId = String(issues.body[0]?.id);
    const base = `/api/0/organizations/${t.orgSlug}/issues/${issueId}`;

    const note = await call<Json>(owner.token, "POST", `${base}/notes/`, { text: "looking into it" });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({
      type: "note",
      data: { text: "looking into it" },
      user: { id: String(owner.userId), email: owner.email },
      dateCreated: expect.any(String),
    });
    expect((await call(owner.token, "POST", `${base}/notes/`, { text: " " })).status).toBe(400);
    expect((await call(owner.token, "PUT", `/api/0/issues/${issueId}/`, { status: "resolved" })).status).toBe(
      200,
    );
    const assigned = await call(owner.token, "PUT", `/api/0/issues/${issueId}/`, {
      assignedTo: `user:${owner.userId}`,
    });
    expect(assigned.status).toBe(200);

    const activity = await call<{ activity: Json[] }>(owner.token, "GET", `${base}/activities/`);
    expect(activity.status).toBe(200);
    expect(activity.body.activity.map((a) => a.type)).toEqual([
      "assigned",
      "set_resolved",
      "note",
      "first_seen",
    ]);
    expect(activity.body.activity[0]).toMatchObject({
      user: { id: String(owner.userId) },
      data: { assignee: String(owner.userId), assigneeType: "user" },
    });
    const notes = await call<Json[]>(owner.token, "GET", `/api/0/issues/${issueId}/notes/`);
    expect(notes.body.map((n) => (n.data as Json).text)).toEqual(["looking into it"]);

    // Another user cannot remove it; its author can.
    expect((await call(other.token, "DELETE", `${base}/notes/${note.body.id}/`)).status).toBe(404);
    expect((await call(owner.token, "DELETE", `${base}/notes/${note.body.id}/`)).status).toBe(204);
    expect((await call<Json[]>(owner.token, "GET", `${base}/notes/`)).body).toEqual([]);
  });
});
