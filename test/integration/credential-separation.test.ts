// A DSN's key is an ingest credential only, and an API token an API credential only: neither opens the
// other door. Through the REST API and the envelope endpoint, with every form a client could try
// (a DSN in `Authorization: DSN …`, the public or secret key as a bearer token, the token as a
// sentry_key or in X-Sentry-Auth), each refused (400, 401 or 403) with a detail and nothing stored.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTenant, envelope, newEventId, send, type Tenant } from "./helpers.ts";

async function secretKeyOf(t: Tenant): Promise<string> {
  const row = await env.DB.prepare("SELECT secret_key FROM project_keys WHERE public_key = ?")
    .bind(t.publicKey)
    .first<{ secret_key: string }>();
  return row?.secret_key ?? "";
}

async function detailOf(res: Response): Promise<string> {
  const body = (await res.json()) as { detail?: unknown };
  return typeof body.detail === "string" ? body.detail : "";
}

describe("credential separation", () => {
  it("no form of a DSN or its keys reads the API", async () => {
    const t = await createTenant();
    const secret = await secretKeyOf(t);
    const dsn = `http://${t.publicKey}@localhost/${t.projectId}`;
    const path = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/`;
    for (const authorization of [
      `DSN ${dsn}`,
      `Bearer ${t.publicKey}`,
      `Bearer ${secret}`,
      `Sentry sentry_key=${t.publicKey}, sentry_version=7`,
    ]) {
      const res = await send(path, { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
      expect(await detailOf(res)).not.toBe("");
    }
    const viaQuery = await send(`${path}?sentry_key=${t.publicKey}`);
    expect(viaQuery.status).toBe(401);
    // The token itself reads it.
    expect((await send(path, { headers: { authorization: `Bearer ${t.token}` } })).status).toBe(200);
  });

  it("an API token is no ingest credential, in any of the places SDKs put one", async () => {
    const t = await createTenant();
    const id = newEventId();
    const body = envelope({ event_id: id }, [{ type: "event" }, JSON.stringify({ message: "token as key" })]);
    const attempts: [string, RequestInit][] = [
      [`/api/${t.projectId}/envelope/`, { headers: { authorization: `Bearer ${t.token}` } }],
      [`/api/${t.projectId}/envelope/?sentry_key=${t.token}`, {}],
      [
        `/api/${t.projectId}/envelope/`,
        { headers: { "x-sentry-auth": `Sentry sentry_key=${t.token}, sentry_version=7` } },
      ],
    ];
    for (const [path, init] of attempts) {
      const res = await send(path, { method: "POST", body, ...init });
      // A bearer token is no ingest credential (401); as a key it is no key at all (400, Relay's
      // "bad sentry DSN public key").
      expect([400, 401, 403], `${path} ${JSON.stringify(init.headers ?? {})}`).toContain(res.status);
      expect(await detailOf(res)).not.toBe("");
    }
    const lookup = await send(`/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${id}/`, {
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(lookup.status).toBe(404);
  });
});
