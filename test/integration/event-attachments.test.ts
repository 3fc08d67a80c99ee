// Sentry's event-attachment API over attachments that arrived in an envelope: list, detail, download
// and delete, in Sentry's shapes and scopes, read back as API clients read them.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTenant, envelope, newEventId, postEnvelope, send, type Tenant } from "./helpers.ts";
import { call, createUser } from "./tenant-helpers.ts";

interface ApiAttachment {
  id: string;
  event_id: string;
  type: string;
  name: string;
  mimetype: string;
  dateCreated: string;
  size: number;
  headers: Record<string, string>;
  sha1: string | null;
}

const LOG = "line one\nline two\n";
const DUMP = new Uint8Array([0x4d, 0x44, 0x4d, 0x50, 0x93, 0xa7, 0, 0, 1, 2, 3]);

async function sha1Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** An error event with a text log and a binary attachment; waits until the event is stored. */
async function eventWithAttachments(t: Tenant): Promise<string> {
  const eventId = newEventId();
  const res = await postEnvelope(
    t,
    envelope(
      { event_id: eventId },
      [{ type: "event" }, JSON.stringify({ event_id: eventId, message: "with files", level: "error" })],
      [{ type: "attachment", filename: "app.log", content_type: "text/plain" }, LOG],
      [{ type: "attachment", filename: "crash data.bin", attachment_type: "event.attachment" }, DUMP],
    ),
  );
  expect(res.status).toBe(200);
  for (let i = 0; i < 100; i++) {
    const found = await call(
      t.token,
      "GET",
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${eventId}/`,
    );
    if (found.status === 200) return eventId;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("event not stored");
}

const base = (t: Tenant, eventId: string) =>
  `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${eventId}/attachments/`;

describe("event attachments API", () => {
  it("lists an event's attachments in Sentry's shape, with the bytes' SHA-1", async () => {
    const t = await createTenant();
    const eventId = await eventWithAttachments(t);
    const list = await call<ApiAttachment[]>(t.token, "GET", base(t, eventId));
    expect(list.status).toBe(200);
    expect(list.res.headers.get("link")).toContain('rel="next"; results="false"');
    expect(list.body).toEqual([
      {
        id: expect.stringMatching(/^\d+$/),
        event_id: eventId,
        type: "event.attachment",
        name: "app.log",
        mimetype: "text/plain",
        dateCreated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        size: LOG.length,
        headers: { "Content-Type": "text/plain" },
        sha1: await sha1Hex(new TextEncoder().encode(LOG)),
      },
      expect.objectContaining({
        name: "crash data.bin",
        mimetype: "application/octet-stream",
        size: DUMP.byteLength,
        sha1: await sha1Hex(DUMP),
      }),
    ]);
    const one = await call<ApiAttachment>(t.token, "GET", `${base(t, eventId)}${list.body[1]!.id}/`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(list.body[1]);
  });

  it("downloads the exact bytes as an attachment, never inline", async () => {
    const t = await createTenant();
    const eventId = await eventWithAttachments(t);
    const list = await call<ApiAttachment[]>(t.token, "GET", base(t, eventId));
    const bin = list.body.find((a) => a.name === "crash data.bin")!;
    const res = await send(`${base(t, eventId)}${bin.id}/?download=1`, {
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="crash_data.bin"; filename*=UTF-8''crash%20data.bin`,
    );
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(DUMP);
  });

  it("deletes an attachment and its bytes with event:admin; event:write is refused", async () => {
    const t = await createTenant();
    const eventId = await eventWithAttachments(t);
    const list = await call<ApiAttachment[]>(t.token, "GET", base(t, eventId));
    const log = list.body.find((a) => a.name === "app.log")!;
    const key = await env.DB.prepare("SELECT blob_key FROM attachments WHERE id = ?")
      .bind(Number(log.id))
      .first<{ blob_key: string }>();

    const writer = await createUser(t.orgId, "member", "event:read event:write");
    expect((await call(writer.token, "DELETE", `${base(t, eventId)}${log.id}/`)).status).toBe(403);

    const admin = await createUser(t.orgId, "owner", "event:admin event:read");
    const deleted = await call(admin.token, "DELETE", `${base(t, eventId)}${log.id}/`);
    expect(deleted.status).toBe(204);
    const after = await call<ApiAttachment[]>(t.token, "GET", base(t, eventId));
    expect(after.body.map((a) => a.name)).toEqual(["crash data.bin"]);
    expect((await call(t.token, "GET", `${base(t, eventId)}${log.id}/`)).status).toBe(404);
    expect(await env.BLOBS.head(key!.blob_key)).toBeNull();
    // Deleting it again is a 404, not a second success.
    expect((await call(admin.token, "DELETE", `${base(t, eventId)}${log.id}/`)).status).toBe(404);
  });

  it("answers 404 for an unknown event, another project's event and a malformed attachment id", async () => {
    const t = await createTenant();
    const other = await createTenant();
    const eventId = await eventWithAttachments(t);
    const list = await call<ApiAttachment[]>(t.token, "GET", base(t, eventId));
    expect((await call(t.token, "GET", base(t, newEventId()))).status).toBe(404);
    const foreign = await call(other.token, "GET", `${base(t, eventId)}${list.body[0]!.id}/?download=1`);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ detail: expect.any(String) });
    // Another tenant's event id under one's own project finds nothing either.
    expect((await call(other.token, "GET", base(other, eventId))).status).toBe(404);
    expect((await call(t.token, "GET", `${base(t, eventId)}1e3/`)).status).toBe(404);
  });
});
