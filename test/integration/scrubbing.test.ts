// Server-side data scrubbing through the real ingest path: events, transactions and logs with secrets in
// every place, read back through the event API (values "[Filtered]", Sentry's `_meta`), the discover API
// and the stored D1 rows (no secret anywhere); the project's settings through `PUT /projects/…/`.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTenant, envelope, newEventId, postEnvelope, send, type Tenant } from "./helpers.ts";

const VISA = "4111 1111 1111 1111";
const SECRETS = [
  "hunter2",
  "eyJhbGciOiJIUzI1NiJ9",
  "abc123session",
  "t0k3n",
  "s3cr3t-db",
  VISA,
  "sk_live_42",
];

async function api<T>(t: Tenant, method: string, path: string, body?: unknown) {
  const res = await send(`/api/0${path}`, {
    method,
    headers: { authorization: `Bearer ${t.token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

function secretEvent(id: string) {
  return {
    event_id: id,
    platform: "python",
    message: `charge failed for card ${VISA}`,
    extra: { password: "hunter2", order: 17, nested: { api_key: "sk_live_42" } },
    tags: { session_key: "abc123session", region: "eu" },
    user: { id: "u-1", ip_address: "203.0.113.9" },
    request: {
      url: "https://shop.example/checkout?token=t0k3n&page=2",
      method: "POST",
      headers: {
        Authorization: "Bearer eyJhbGciOiJIUzI1NiJ9",
        Cookie: "sessionid=abc123session",
        Accept: "*/*",
      },
      cookies: { sessionid: "abc123session", theme: "dark" },
      data: { card_number: VISA, qty: 2 },
      env: { REMOTE_ADDR: "203.0.113.9" },
    },
    breadcrumbs: [{ category: "db", message: "connect postgres://app:s3cr3t-db@db.internal/shop" }],
    exception: {
      values: [
        {
          type: "PaymentError",
          value: "card declined",
          stacktrace: {
            frames: [{ function: "charge", filename: "pay.py", lineno: 3, vars: { password: "hunter2" } }],
          },
        },
      ],
    },
  };
}

async function sendEvent(t: Tenant, payload: object): Promise<string> {
  const id = (payload as { event_id: string }).event_id;
  const res = await postEnvelope(t, envelope({ event_id: id }, [{ type: "event" }, JSON.stringify(payload)]));
  expect(res.status).toBe(200);
  return id;
}

interface ApiEvent {
  context: Record<string, unknown>;
  tags: { key: string; value: string }[];
  user: { ip_address: string | null } | null;
  entries: { type: string; data: Record<string, unknown> }[];
  _meta: Record<string, Record<string, unknown>>;
}

const entry = (e: ApiEvent, type: string) => e.entries.find((x) => x.type === type)?.data ?? {};
const entryIndex = (e: ApiEvent, type: string) => String(e.entries.findIndex((x) => x.type === type));

async function storedText(projectId: number, eventId: string): Promise<string> {
  const row = await env.DB.prepare("SELECT * FROM events WHERE project_id = ? AND event_id = ?")
    .bind(projectId, eventId)
    .first();
  expect(row).not.toBeNull();
  return JSON.stringify(row);
}

describe("data scrubbing at ingest", () => {
  it("filters secrets everywhere by default, annotates _meta and stores none of them", async () => {
    const t = await createTenant();
    const id = await sendEvent(t, secretEvent(newEventId()));
    const { status, body: event } = await api<ApiEvent>(
      t,
      "GET",
      `/projects/${t.orgSlug}/${t.projectSlug}/events/${id}/`,
    );
    expect(status).toBe(200);
    expect(event.context).toEqual({ password: "[Filtered]", order: 17, nested: { api_key: "[Filtered]" } });
    expect(event.tags).toContainEqual({ key: "session_key", value: "[Filtered]" });
    expect(event.tags).toContainEqual({ key: "region", value: "eu" });
    const request = entry(event, "request");
    expect(request.headers).toEqual([
      ["Authorization", "[Filtered]"],
      ["Cookie", "[Filtered]"],
      ["Accept", "*/*"],
    ]);
    expect(request.cookies).toEqual([
      ["sessionid", "[Filtered]"],
      ["theme", "dark"],
    ]);
    expect(request.data).toEqual({ card_number: "[Filtered]", qty: 2 });
    expect(request.url).toBe("https://shop.example/checkout?token=[Filtered]&page=2");
    expect(entry(event, "message").formatted).toBe("charge failed for card [Filtered]");
    expect(JSON.stringify(entry(event, "breadcrumbs"))).toContain(
      "postgres://app:[Filtered]@db.internal/shop",
    );
    const frames = (entry(event, "exception").values as { stacktrace: { frames: { vars: unknown }[] } }[])[0]
      ?.stacktrace.frames;
    expect(frames?.[0]?.vars).toEqual({ password: "[Filtered]" });
    // IP addresses stay unless the project asks.
    expect(event.user?.ip_address).toBe("203.0.113.9");

    // Sentry's _meta: where the API shows each value, the rule that removed it and the original length.
    expect(event._meta.context).toEqual({
      password: { "": { rem: [["@password:filter", "s", 0, 10]], len: 7 } },
      nested: { api_key: { "": { rem: [["@password:filter", "s", 0, 10]], len: 10 } } },
    });
    const entriesMeta = (event._meta.entries ?? {}) as Record<string, { data: Record<string, unknown> }>;
    const requestMeta = entriesMeta[entryIndex(event, "request")]?.data ?? {};
    expect(requestMeta.headers).toEqual({
      "0": { "1": { "": { rem: [["@anything:filter", "s", 0, 10]], len: 27 } } },
      "1": { "1": { "": { rem: [["@anything:filter", "s", 0, 10]], len: 23 } } },
    });
    expect(requestMeta.data).toEqual({
      card_number: { "": { rem: [["@creditcard:filter", "s", 0, 10]], len: VISA.length } },
    });
    const tagIndex = String(event.tags.findIndex((tag) => tag.key === "session_key"));
    expect(event._meta.tags?.[tagIndex]).toEqual({
      value: { "": { rem: [["@password:filter", "s", 0, 10]], len: 13 } },
    });

    const stored = await storedText(t.projectId, id);
    for (const secret of SECRETS) expect(stored).not.toContain(secret);
  });

  it("applies the project's settings from PUT /projects/{org}/{project}/", async () => {
    const t = await createTenant();
    const path = `/projects/${t.orgSlug}/${t.projectSlug}/`;
    const before = await api<Record<string, unknown>>(t, "GET", path);
    expect(before.body).toMatchObject({
      dataScrubber: true,
      dataScrubberDefaults: true,
      scrubIPAddresses: false,
      sensitiveFields: [],
      safeFields: [],
    });
    const put = await api<Record<string, unknown>>(t, "PUT", path, {
      scrubIPAddresses: true,
      sensitiveFields: ["order"],
      safeFields: ["password"],
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      scrubIPAddresses: true,
      sensitiveFields: ["order"],
      safeFields: ["password"],
    });

    const id = await sendEvent(t, secretEvent(newEventId()));
    const { body: event } = await api<ApiEvent>(t, "GET", `${path}events/${id}/`);
    expect(event.context).toEqual({
      password: "hunter2",
      order: "[Filtered]",
      nested: { api_key: "[Filtered]" },
    });
    expect(event.user?.ip_address ?? null).toBeNull();
    expect(entry(event, "request").env).toEqual({});
    expect(event._meta.user).toEqual({ ip_address: { "": { rem: [["@anything:remove", "x"]] } } });
    const stored = await storedText(t.projectId, id);
    expect(stored).not.toContain("203.0.113.9");

    // Turned off: what the SDK sent is what is stored.
    await api(t, "PUT", path, { dataScrubber: false, scrubIPAddresses: false });
    const raw = await sendEvent(t, secretEvent(newEventId()));
    const { body: kept } = await api<ApiEvent>(t, "GET", `${path}events/${raw}/`);
    expect(kept.context).toMatchObject({ nested: { api_key: "sk_live_42" } });
    expect(kept._meta).toEqual({});
  });

  it("refuses malformed settings with a detail", async () => {
    const t = await createTenant();
    const path = `/projects/${t.orgSlug}/${t.projectSlug}/`;
    for (const body of [{ dataScrubber: "yes" }, { sensitiveFields: [1] }, { safeFields: {} }]) {
      const res = await api<{ detail: string }>(t, "PUT", path, body);
      expect(res.status).toBe(400);
      expect(res.body.detail).toEqual(expect.any(String));
    }
    expect((await api(t, "PUT", path, { sensitiveFields: "a\nb\n" })).body).toMatchObject({
      sensitiveFields: ["a", "b"],
    });
  });

  it("scrubs transaction span data and log attributes and bodies", async () => {
    const t = await createTenant();
    const now = Date.now() / 1000;
    const traceId = newEventId();
    const txId = newEventId();
    const tx = {
      event_id: txId,
      type: "transaction",
      transaction: "POST /checkout",
      start_timestamp: now - 1,
      timestamp: now,
      contexts: { trace: { trace_id: traceId, span_id: "a".repeat(16), op: "http.server" } },
      spans: [
        {
          span_id: "b".repeat(16),
          parent_span_id: "a".repeat(16),
          trace_id: traceId,
          op: "db.query",
          description: `UPDATE cards SET number = '${VISA}'`,
          start_timestamp: now - 0.5,
          timestamp: now - 0.4,
          data: { "db.password": "hunter2", "db.system": "postgresql" },
        },
      ],
    };
    await postEnvelope(t, envelope({ event_id: txId }, [{ type: "transaction" }, JSON.stringify(tx)]));
    const logs = {
      items: [
        {
          timestamp: now,
          trace_id: traceId,
          level: "info",
          body: `token refreshed with Bearer eyJhbGciOiJIUzI1NiJ9`,
          attributes: {
            "auth.token": { type: "string", value: "t0k3n" },
            "order.id": { type: "string", value: "o-1" },
          },
        },
      ],
    };
    await postEnvelope(
      t,
      envelope({}, [
        { type: "log", item_count: 1, content_type: "application/vnd.sentry.items.log+json" },
        JSON.stringify(logs),
      ]),
    );
    const { body: event } = await api<ApiEvent>(
      t,
      "GET",
      `/projects/${t.orgSlug}/${t.projectSlug}/events/${txId}/`,
    );
    const [span] = entry(event, "spans") as unknown as {
      description: string;
      data: Record<string, unknown>;
    }[];
    expect(span?.description).toBe("UPDATE cards SET number = '[Filtered]'");
    expect(span?.data).toMatchObject({ "db.password": "[Filtered]", "db.system": "postgresql" });

    const q = new URLSearchParams({ dataset: "logs", project: String(t.projectId) });
    for (const f of ["message", "auth.token", "order.id"]) q.append("field", f);
    const found = await api<{ data: Record<string, unknown>[] }>(
      t,
      "GET",
      `/organizations/${t.orgSlug}/events/?${q}`,
    );
    expect(found.body.data).toEqual([
      { message: "token refreshed with Bearer [Filtered]", "auth.token": "[Filtered]", "order.id": "o-1" },
    ]);
    const rows = await env.DB.prepare(
      "SELECT (SELECT json_group_array(json_object('a', attributes, 'd', description)) FROM spans WHERE project_id = ?1) AS spans, (SELECT json_group_array(json_object('b', body, 'a', attributes)) FROM logs WHERE project_id = ?1) AS logs",
    )
      .bind(t.projectId)
      .first<{ spans: string; logs: string }>();
    for (const secret of ["hunter2", VISA, "t0k3n", "eyJhbGciOiJIUzI1NiJ9"]) {
      expect(rows?.spans).not.toContain(secret);
      expect(rows?.logs).not.toContain(secret);
    }
  });
});
