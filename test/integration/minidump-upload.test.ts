// The minidump endpoint's forms of upload beyond Breakpad's and Crashpad's multipart (those are in
// test/e2e/minidump.test.ts, with real dumps): a raw body, Electron's JSON fields, and a rate-limited
// upload, which crash reporters retry whatever the answer. The dump here is a header and no streams:
// kept with a processing error, which is enough for what is tested.
import { zstdCompressSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createTenant, send, type Tenant } from "./helpers.ts";
import { call } from "./tenant-helpers.ts";

const DUMP = new Uint8Array([0x4d, 0x44, 0x4d, 0x50, 0x93, 0xa7, 0, 0, ...new Array(24).fill(0)]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const upload = (t: Tenant, body: BodyInit, headers: Record<string, string> = {}) =>
  send(`/api/${t.projectId}/minidump/?sentry_key=${t.publicKey}`, { method: "POST", body, headers });

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  data.append("upload_file_minidump", new Blob([DUMP]), "crash.dmp");
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

async function storedEvent(t: Tenant, uuid: string) {
  const id = uuid.replace(/-/g, "");
  const res = await call<{
    tags: { key: string; value: string }[];
    user: { id?: string } | null;
    release?: unknown;
  }>(t.token, "GET", `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${id}/`);
  expect(res.status).toBe(200);
  return { ...res.body, tag: (key: string) => res.body.tags.find((x) => x.key === key)?.value };
}

describe("minidump uploads", () => {
  it("takes a raw body (application/octet-stream) as the dump", async () => {
    const t = await createTenant();
    const res = await upload(t, DUMP, { "content-type": "application/octet-stream" });
    expect(res.status).toBe(200);
    const uuid = await res.text();
    expect(uuid).toMatch(UUID);
    await storedEvent(t, uuid);
  });

  it("decompresses a zstd-compressed dump file and names the compressions it does not take", async () => {
    const t = await createTenant();
    const data = new FormData();
    data.append("upload_file_minidump", new Blob([zstdCompressSync(DUMP)]), "crash.dmp.zst");
    const res = await upload(t, data);
    expect(res.status).toBe(200);
    const uuid = await res.text();
    await storedEvent(t, uuid);
    // The event keeps the dump itself, decompressed.
    const attachments = await call<{ id: string; name: string; size: number }[]>(
      t.token,
      "GET",
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${uuid.replace(/-/g, "")}/attachments/`,
    );
    expect(attachments.body.map((a) => a.size)).toEqual([DUMP.byteLength]);
    const bzip2 = new Uint8Array([0x42, 0x5a, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26]);
    const refused = await upload(t, bzip2, { "content-type": "application/octet-stream" });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { detail: string }).detail).toContain("bzip2");
  });

  it("merges Electron's sentry___ JSON fields and its sentry__N event chunks", async () => {
    const t = await createTenant();
    const scope = { release: "app@1.0", environment: "production", user: { id: "u1" } };
    const event = JSON.stringify({ release: "app@2.0", tags: { window: "main" } });
    const half = Math.floor(event.length / 2);
    const res = await upload(
      t,
      form({
        sentry___initialScope: JSON.stringify(scope),
        sentry__1: event.slice(0, half),
        sentry__2: event.slice(half),
      }),
    );
    expect(res.status).toBe(200);
    const stored = await storedEvent(t, await res.text());
    expect(stored.tag("release")).toBe("app@2.0");
    expect(stored.tag("environment")).toBe("production");
    expect(stored.tag("window")).toBe("main");
    expect(stored.user?.id).toBe("u1");
  });

  it("answers a rate-limited upload 200 with its id, as Relay does, and counts the drop", async () => {
    const t = await createTenant({ keyLimit: [1, 60] });
    const first = await upload(t, form({}));
    expect(first.status).toBe(200);
    const second = await upload(t, form({}));
    expect(second.status).toBe(200);
    const uuid = await second.text();
    expect(uuid).toMatch(UUID);
    const receipt = await call<{ status: string; outcome: string }>(
      t.token,
      "GET",
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${uuid.replace(/-/g, "")}/receipt/`,
    );
    expect(receipt.body).toMatchObject({ status: "dropped", outcome: "rate_limited" });
  });
});
