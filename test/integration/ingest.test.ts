// Ingest through the real Worker in workerd with local D1, R2 and the project Durable Object.

import { env } from "cloudflare:workers";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  authHeader,
  createTenant,
  envelope,
  eventRow,
  issuesOf,
  newEventId,
  postEnvelope,
  send,
  transactionWithOneSpan,
} from "./helpers.ts";

const hyphenate = (id: string) =>
  `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;

function rustPanic(eventId: string, value = "called `Option::unwrap()` on a `None` value", addrOffset = 0) {
  return {
    event_id: eventId,
    timestamp: Date.now() / 1000,
    platform: "native",
    release: "api@1.4.0",
    environment: "production",
    level: "fatal",
    exception: {
      values: [
        {
          type: "panic",
          value,
          mechanism: { type: "panic", handled: false },
          stacktrace: {
            frames: [
              {
                function: "api::main",
                filename: "main.rs",
                lineno: 12,
                in_app: true,
                instruction_addr: `0x${(0x55d0c0a1b2c3 + addrOffset).toString(16)}`,
              },
              {
                function: "api::handler::load",
                filename: "handler.rs",
                lineno: 40,
                in_app: true,
                instruction_addr: `0x${(0x55d0c0a1a010 + addrOffset).toString(16)}`,
              },
            ],
          },
        },
      ],
    },
  };
}

async function outcomes(projectId: number) {
  const rows = await env.DB.prepare(
    "SELECT category, outcome, reason, SUM(quantity) AS quantity FROM outcomes WHERE project_id = ? GROUP BY 1, 2, 3",
  )
    .bind(projectId)
    .all<{ category: string; outcome: string; reason: string; quantity: number }>();
  return rows.results;
}

describe("envelope endpoint", () => {
  it("stores a sentry-rust panic, groups it, and answers its id (header id wins, hyphenated)", async () => {
    const t = await createTenant();
    const id = newEventId();
    const payload = rustPanic(newEventId());
    const res = await postEnvelope(
      t,
      envelope({ event_id: hyphenate(id) }, [{ type: "event" }, JSON.stringify(payload)]),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id });
    const row = await eventRow(t.projectId, id);
    expect(row).toMatchObject({ level: "fatal", platform: "native", release: "api@1.4.0", type: "error" });
    const issues = await issuesOf(t.projectId);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ times_seen: 1, status: "unresolved", level: "fatal" });
    expect(String(issues[0]?.title)).toContain("panic");
    expect(row?.issue_id).toBe(issues[0]?.id);
  });

  it("accepts auth from the query string and the envelope dsn header (tunnel)", async () => {
    const t = await createTenant();
    const a = newEventId();
    const viaQuery = await send(`/api/${t.projectId}/envelope/?sentry_key=${t.publicKey}&sentry_version=7`, {
      method: "POST",
      body: envelope({ event_id: a }, [{ type: "event" }, JSON.stringify({ message: "hello" })]),
    });
    expect(viaQuery.status).toBe(200);
    const b = newEventId();
    const viaDsn = await send(`/api/${t.projectId}/envelope/`, {
      method: "POST",
      body: envelope({ event_id: b, dsn: `https://${t.publicKey}@example.com/${t.projectId}` }, [
        { type: "event" },
        JSON.stringify({ message: "tunneled" }),
      ]),
    });
    expect(viaDsn.status).toBe(200);
    expect(await eventRow(t.projectId, a)).not.toBeNull();
    expect(await eventRow(t.projectId, b)).not.toBeNull();
  });

  it("rejects bad credentials with Relay's status codes and a JSON detail", async () => {
    const t = await createTenant();
    const other = await createTenant();
    const body = envelope({}, [{ type: "event" }, "{}"]);
    const cases: [string, RequestInit, number][] = [
      [`/api/${t.projectId}/envelope/`, { method: "POST", body }, 401],
      [
        `/api/${t.projectId}/envelope/`,
        {
          method: "POST",
          body,
          headers: {
            "x-sentry-auth": "Sentry sentry_key=0123456789abcdef0123456789abcdef, sentry_version=7",
          },
        },
        403,
      ],
      [
        `/api/${t.projectId}/envelope/`,
        { method: "POST", body, headers: { "x-sentry-auth": authHeader(other) } },
        403,
      ],
      [
        `/api/${t.projectId}/envelope/?sentry_key=${t.publicKey}`,
        { method: "POST", body, headers: { "x-sentry-auth": authHeader(t) } },
        401,
      ],
      [
        `/api/${t.projectId}/envelope/`,
        { method: "POST", body, headers: { "x-sentry-auth": "Sentry sentry_key=short" } },
        400,
      ],
      [`/api/abc/envelope/`, { method: "POST", body, headers: { "x-sentry-auth": authHeader(t) } }, 400],
      [
        `/api/${t.projectId}/envelope/`,
        {
          method: "POST",
          body: envelope({ dsn: `https://${other.publicKey}@x/${other.projectId}` }, [
            { type: "event" },
            "{}",
          ]),
          headers: { "x-sentry-auth": authHeader(t) },
        },
        400,
      ],
    ];
    for (const [path, init, status] of cases) {
      const res = await send(path, init);
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(res.headers.get("content-type")).toBe("application/json");
      const json = (await res.json()) as { detail: string };
      expect(typeof json.detail).toBe("string");
      expect(json.detail.length).toBeGreaterThan(5);
    }
  });

  it("rejects a disabled key and a disabled project", async () => {
    const t = await createTenant();
    await env.DB.prepare("UPDATE project_keys SET is_active = 0 WHERE id = ?").bind(t.keyId).run();
    // The key cache lives 10 s per isolate; a new tenant's key is looked up fresh.
    const res = await postEnvelope(t, envelope({}, [{ type: "event" }, "{}"]));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      detail: "event submission rejected with_reason: ProjectId",
      causes: ["the DSN key is disabled"],
    });
  });

  it("answers malformed envelopes with 400 and stores nothing", async () => {
    const t = await createTenant();
    const id = newEventId();
    const bad = [
      `{"event_id":"${id}"}\n{"type":"event","length":500}\n{"message":"short"}`,
      `{"event_id":"${id}"}\n{"type":"event","length":2}\n{}x`,
      `not json\n`,
      `{"event_id":"${id}"}\n{"type":"event"}\n{"message": nope}\n`,
    ];
    for (const body of bad) {
      const res = await postEnvelope(t, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { detail: string }).detail).toBeTruthy();
    }
    const empty = await postEnvelope(t, "");
    expect(empty.status).toBe(400);
    expect(await eventRow(t.projectId, id)).toBeNull();
  });

  it("drops an event item that is not JSON as invalid, keeping the envelope's other items (as Relay)", async () => {
    const t = await createTenant();
    const id = newEventId();
    const session = JSON.stringify({
      sid: crypto.randomUUID(),
      init: true,
      started: new Date().toISOString(),
      status: "ok",
      attrs: { release: "a@1" },
    });
    const res = await postEnvelope(
      t,
      envelope({ event_id: id }, [{ type: "session" }, session], [{ type: "event" }, "{not json"]),
    );
    expect(res.status).toBe(200);
    const sessions = await send(
      `/api/0/organizations/${t.orgSlug}/sessions/?field=sum(session)&statsPeriod=1h&interval=1h`,
      { headers: { authorization: `Bearer ${t.token}` } },
    );
    const body = (await sessions.json()) as { groups: { totals: Record<string, number> }[] };
    expect(body.groups[0]?.totals["sum(session)"]).toBe(1);
    const receipt = await send(`/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${id}/receipt/`, {
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(await receipt.json()).toMatchObject({
      status: "dropped",
      outcome: "invalid",
      reason: "invalid_json",
    });
  });

  it("accepts an envelope with only a header, and skips unknown item types with an outcome", async () => {
    const t = await createTenant();
    const only = await postEnvelope(t, "{}");
    expect(only.status).toBe(200);
    expect(await only.json()).toEqual({});
    const id = newEventId();
    const res = await postEnvelope(
      t,
      envelope(
        { event_id: id },
        [{ type: "future_thing" }, "whatever"],
        [{ type: "event" }, JSON.stringify({ message: "kept" })],
      ),
    );
    expect(res.status).toBe(200);
    expect(await eventRow(t.projectId, id)).not.toBeNull();
    expect(await outcomes(t.projectId)).toContainEqual(
      expect.objectContaining({ outcome: "filtered", reason: expect.stringContaining("unknown_item_type") }),
    );
  });

  it("creates the release an event names, once, linked to the project", async () => {
    const t = await createTenant();
    for (let i = 0; i < 2; i++) {
      const res = await postEnvelope(
        t,
        envelope({}, [{ type: "event" }, JSON.stringify(rustPanic(newEventId()))]),
      );
      expect(res.status).toBe(200);
    }
    const rows = await env.DB.prepare(
      `SELECT r.version FROM releases r JOIN release_projects rp ON rp.release_id = r.id
       WHERE r.organization_id = ? AND rp.project_id = ?`,
    )
      .bind(t.orgId, t.projectId)
      .all<{ version: string }>();
    expect(rows.results).toEqual([{ version: "api@1.4.0" }]);
  });

  it("stores an event id once when the SDK retries", async () => {
    const t = await createTenant();
    const id = newEventId();
    const body = envelope({ event_id: id }, [{ type: "event" }, JSON.stringify(rustPanic(id))]);
    expect((await postEnvelope(t, body)).status).toBe(200);
    expect((await postEnvelope(t, body)).status).toBe(200);
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM events WHERE project_id = ?")
      .bind(t.projectId)
      .first<{ n: number }>();
    expect(count?.n).toBe(1);
    expect((await issuesOf(t.projectId))[0]?.times_seen).toBe(1);
  });

  it("keeps new events that share a group commit with a retried one, counting each once", async () => {
    const t = await createTenant();
    const first = newEventId();
    const retried = envelope({ event_id: first }, [{ type: "event" }, JSON.stringify(rustPanic(first))]);
    expect((await postEnvelope(t, retried)).status).toBe(200);
    // The issue's hashes are cached now, so commits take the one-round-trip path that a stored
    // duplicate aborts; the retry and the new events land in the same commits.
    const fresh = Array.from({ length: 20 }, () => newEventId());
    const responses = await Promise.all([
      postEnvelope(t, retried),
      ...fresh.map((id) =>
        postEnvelope(t, envelope({ event_id: id }, [{ type: "event" }, JSON.stringify(rustPanic(id))])),
      ),
      postEnvelope(t, retried),
    ]);
    expect(responses.map((r) => r.status)).toEqual(Array(22).fill(200));
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM events WHERE project_id = ?")
      .bind(t.projectId)
      .first<{ n: number }>();
    expect(count?.n).toBe(21);
    expect((await issuesOf(t.projectId))[0]?.times_seen).toBe(21);
  });

  it("stores a retried transaction once, with its spans once", async () => {
    const t = await createTenant();
    const id = newEventId();
    const traceId = newEventId();
    const now = Date.now() / 1000;
    const body = transactionWithOneSpan(id, traceId, now);
    for (let i = 0; i < 3; i++) expect((await postEnvelope(t, body)).status).toBe(200);
    const events = await env.DB.prepare("SELECT COUNT(*) AS n FROM events WHERE project_id = ?")
      .bind(t.projectId)
      .first<{ n: number }>();
    expect(events?.n).toBe(1);
    const spans = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM spans WHERE project_id = ? AND trace_id = ?",
    )
      .bind(t.projectId, traceId)
      .first<{ n: number }>();
    expect(spans?.n).toBe(2);
  });

  it("groups 200 concurrent events with one fingerprint into exactly one issue seen 200 times", async () => {
    const t = await createTenant();
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const id = newEventId();
        // Different addresses and users, same code path: one issue.
        const event = { ...rustPanic(id, "boom", i * 16), user: { id: `u${i % 7}` } };
        return postEnvelope(t, envelope({ event_id: id }, [{ type: "event" }, JSON.stringify(event)]));
      }),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(200));
    const issues = await issuesOf(t.projectId);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ times_seen: 200, user_count: 7 });
  });

  it("reopens a resolved issue as a regression", async () => {
    const t = await createTenant();
    const first = newEventId();
    await postEnvelope(
      t,
      envelope({ event_id: first }, [{ type: "event" }, JSON.stringify(rustPanic(first))]),
    );
    const [issue] = await issuesOf(t.projectId);
    const stub = env.PROJECTS.get(env.PROJECTS.idFromName(String(t.projectId)));
    await stub.setIssueStatus(Number(issue?.id), "resolved", { type: "resolved" });
    expect((await issuesOf(t.projectId))[0]?.status).toBe("resolved");
    const second = newEventId();
    await postEnvelope(
      t,
      envelope({ event_id: second }, [{ type: "event" }, JSON.stringify(rustPanic(second))]),
    );
    const [after] = await issuesOf(t.projectId);
    expect(after).toMatchObject({ status: "unresolved", substatus: "regressed", times_seen: 2 });
  });

  it("keeps attachments in R2 linked to their event", async () => {
    const t = await createTenant();
    const id = newEventId();
    const res = await postEnvelope(
      t,
      envelope(
        { event_id: id },
        [{ type: "event" }, JSON.stringify({ message: "with file" })],
        [{ type: "attachment", filename: "state.txt", content_type: "text/plain" }, "cart=3"],
      ),
    );
    expect(res.status).toBe(200);
    const att = await env.DB.prepare("SELECT * FROM attachments WHERE project_id = ? AND event_id = ?")
      .bind(t.projectId, id)
      .first<{ blob_key: string; name: string; size: number }>();
    expect(att).toMatchObject({ name: "state.txt", size: 6 });
    const blob = await env.BLOBS.get(att!.blob_key);
    expect(await blob?.text()).toBe("cart=3");
  });
});

describe("limits and rate limits", () => {
  it("refuses an oversized event with 413 but keeps the session that came with it", async () => {
    const t = await createTenant();
    const id = newEventId();
    const huge = JSON.stringify({ message: "x".repeat(1024 * 1024 + 10) });
    const session = JSON.stringify({
      sid: crypto.randomUUID(),
      started: new Date().toISOString(),
      status: "ok",
      attrs: { release: "a@1" },
    });
    const res = await postEnvelope(
      t,
      envelope({ event_id: id }, [{ type: "event" }, huge], [{ type: "session" }, session]),
    );
    expect(res.status).toBe(413);
    expect(await eventRow(t.projectId, id)).toBeNull();
    const sessions = await env.DB.prepare("SELECT COUNT(*) AS n FROM session_updates WHERE project_id = ?")
      .bind(t.projectId)
      .first<{ n: number }>();
    expect(sessions?.n).toBe(1);
    expect(await outcomes(t.projectId)).toContainEqual(
      expect.objectContaining({ category: "error", outcome: "too_large" }),
    );
    const dropped = await env.DB.prepare("SELECT * FROM dropped_events WHERE project_id = ? AND event_id = ?")
      .bind(t.projectId, id)
      .first();
    expect(dropped).toMatchObject({ outcome: "too_large" });
  });

  it("keeps at most 100 session updates of one envelope and counts the rest as invalid", async () => {
    const t = await createTenant();
    const started = new Date().toISOString();
    const items: [Record<string, unknown>, string][] = Array.from({ length: 105 }, () => [
      { type: "session" },
      JSON.stringify({ sid: crypto.randomUUID(), started, status: "ok", attrs: { release: "a@1" } }),
    ]);
    expect((await postEnvelope(t, envelope({}, ...items))).status).toBe(200);
    const sessions = await env.DB.prepare("SELECT COUNT(*) AS n FROM session_updates WHERE project_id = ?")
      .bind(t.projectId)
      .first<{ n: number }>();
    expect(sessions?.n).toBe(100);
    expect(await outcomes(t.projectId)).toContainEqual(
      expect.objectContaining({
        category: "session",
        outcome: "invalid",
        reason: "too_many_sessions",
        quantity: 5,
      }),
    );
  });

  it("answers 429 with headers every SDK parses once a key's limit is reached", async () => {
    const t = await createTenant({ keyLimit: [2, 60] });
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 4; i++) {
      const id = newEventId();
      const res = await postEnvelope(
        t,
        envelope({ event_id: id }, [{ type: "event" }, JSON.stringify({ message: `m${i}` })]),
      );
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
    const header = limited!.headers.get("x-sentry-rate-limits") ?? "";
    expect(header).toMatch(/^\d+:default;error;security:key:key_quota$/);
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThan(0);
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM events WHERE project_id = ?")
      .bind(t.projectId)
      .first<{ n: number }>();
    expect(count?.n).toBe(2);
    expect(await outcomes(t.projectId)).toContainEqual(
      expect.objectContaining({ category: "default", outcome: "rate_limited", quantity: 2 }),
    );
  });
});

describe("store endpoint and CORS", () => {
  it("accepts gzip-compressed JSON on /store/ like sentry-python", async () => {
    const t = await createTenant();
    const id = newEventId();
    const body = new Blob([JSON.stringify({ event_id: id, message: "from python", platform: "python" })])
      .stream()
      .pipeThrough(new CompressionStream("gzip"));
    const res = await send(`/api/${t.projectId}/store/`, {
      method: "POST",
      body: await new Response(body).arrayBuffer(),
      headers: {
        "x-sentry-auth": authHeader(t, "sentry.python/1.9.10"),
        "content-encoding": "gzip",
        "content-type": "application/json",
      },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id });
    expect(await eventRow(t.projectId, id)).toMatchObject({ platform: "python", title: "from python" });
  });

  it("answers undecodable legacy store bodies with a 4xx and a detail, never a 500", async () => {
    const t = await createTenant();
    const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString("base64");
    const zlibbed = (text: string) => zlib.deflateSync(new TextEncoder().encode(text));
    const bodies: [string, string | Uint8Array][] = [
      ["one base64 character", "A"],
      ["bad base64 padding", "AB="],
      ["not base64 at all", "%%% nope"],
      ["base64 of bytes that are not zlib", b64("not zlib data")],
      ["base64 of zlib of non-JSON", b64(zlibbed("not json {"))],
      ["base64 of zlib of a JSON array", b64(zlibbed("[1, 2]"))],
      ["base64 of a JSON array", b64("[1]")],
      ["a JSON array", "[1, 2]"],
      ["JSON null", "null"],
      ["a JSON string", '"event"'],
      ["truncated JSON", '{"message": "x"'],
      ["binary garbage", new Uint8Array([0xff, 0x00, 0x7b, 0x80])],
    ];
    for (const [what, body] of bodies) {
      const res = await send(`/api/${t.projectId}/store/`, {
        method: "POST",
        body,
        headers: { "x-sentry-auth": authHeader(t), "content-type": "application/json" },
      });
      const json = (await res.json()) as { detail?: unknown };
      expect({ what, client: res.status >= 400 && res.status < 500 }).toEqual({ what, client: true });
      expect(typeof json.detail).toBe("string");
    }
    for (const body of ["A", "AB="]) {
      const res = await send(`/api/${t.projectId}/store/`, {
        method: "POST",
        body,
        headers: { "x-sentry-auth": authHeader(t) },
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ detail: "invalid JSON data" });
    }
  });

  it("refuses on /api/store/ an envelope whose dsn names another project than the key's", async () => {
    const t = await createTenant();
    const other = await createTenant();
    const id = newEventId();
    const event = [{ type: "event" }, JSON.stringify({ message: "misfiled" })] as [object, string];
    const tunnel = await send("/api/store/", {
      method: "POST",
      body: envelope({ event_id: id, dsn: `https://${t.publicKey}@x/${other.projectId}` }, event),
      headers: { "content-type": "application/x-sentry-envelope" },
    });
    expect(tunnel.status).toBe(400);
    expect(await tunnel.json()).toMatchObject({
      detail: "project id header mismatch between envelope and request",
    });
    const withHeader = await send("/api/store/", {
      method: "POST",
      body: envelope({ event_id: id, dsn: `https://${t.publicKey}@x/${other.projectId}` }, event),
      headers: { "content-type": "application/x-sentry-envelope", "x-sentry-auth": authHeader(t) },
    });
    expect(withHeader.status).toBe(400);
    expect(await eventRow(t.projectId, id)).toBeNull();
    expect(await eventRow(other.projectId, id)).toBeNull();
    // The key's own project is accepted.
    const ok = await send("/api/store/", {
      method: "POST",
      body: envelope({ event_id: id, dsn: `https://${t.publicKey}@x/${t.projectId}` }, event),
      headers: { "content-type": "application/x-sentry-envelope" },
    });
    expect(ok.status).toBe(200);
    expect(await eventRow(t.projectId, id)).not.toBeNull();
  });

  it("answers CORS preflight and adds CORS headers to ingest responses", async () => {
    const t = await createTenant();
    const pre = await send(`/api/${t.projectId}/envelope/`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example" },
    });
    expect(pre.status).toBe(200);
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
    expect(pre.headers.get("access-control-allow-headers")).toContain("x-sentry-auth");
    const res = await postEnvelope(t, "{}");
    expect(res.headers.get("access-control-expose-headers")).toContain("x-sentry-rate-limits");
  });

  it("adds them to an envelope posted to a path with doubled slashes (a DSN host ending in /)", async () => {
    const t = await createTenant();
    const id = newEventId();
    const res = await send(`//api/${t.projectId}//envelope/`, {
      method: "POST",
      body: envelope({ event_id: id }, [
        { type: "event" },
        JSON.stringify({ event_id: id, message: "doubled slashes" }),
      ]),
      headers: { "x-sentry-auth": authHeader(t) },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(((await res.json()) as { id: string }).id).toBe(id);
  });
});
