// The live tail through the API's WebSocket: a watcher sees an accepted error (title, level, id) and a
// rate-limited one with its reason, a burst is sampled past the per-second budget, a plain GET is a 426,
// and another organization's token is refused.
import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { TAIL_ITEMS_PER_SECOND, TAIL_SOCKET_SECONDS } from "../../src/limits.ts";
import { createTenant, envelope, newEventId, postEnvelope, type Tenant } from "./helpers.ts";
import { call, createUser } from "./tenant-helpers.ts";

interface Message {
  type: string;
  items?: {
    kind: string;
    status: string;
    outcome: string;
    reason?: string;
    eventId?: string;
    title?: string;
    level?: string;
  }[];
  skipped?: number;
}

async function openTail(
  t: Tenant,
  token = t.token,
): Promise<{ status: number; messages: Message[]; ws: WebSocket | null }> {
  const res = await exports.default.fetch(
    new Request(`http://faultline.test/api/0/projects/${t.orgSlug}/${t.projectSlug}/tail/`, {
      headers: { upgrade: "websocket", authorization: `Bearer ${token}` },
    }),
  );
  const ws = res.webSocket;
  const messages: Message[] = [];
  if (ws) {
    ws.accept();
    ws.addEventListener("message", (e) => messages.push(JSON.parse(String(e.data)) as Message));
  }
  return { status: res.status, messages, ws };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const items = (messages: Message[]) => messages.flatMap((m) => m.items ?? []);
const errorEnvelope = (id: string, message: string) =>
  envelope({ event_id: id }, [
    { type: "event" },
    JSON.stringify({ event_id: id, message, level: "warning" }),
  ]);

describe("live tail", () => {
  it("streams accepted and dropped items with their reason", async () => {
    const t = await createTenant({ keyLimit: [1, 60] });
    const tail = await openTail(t);
    expect(tail.status).toBe(101);
    await until(() => tail.messages.some((m) => m.type === "hello"), "hello");
    const ok = newEventId();
    const limited = newEventId();
    await postEnvelope(t, errorEnvelope(ok, "seen live"));
    expect((await postEnvelope(t, errorEnvelope(limited, "over the limit"))).status).toBe(429);
    await until(() => items(tail.messages).length >= 2, "two items");
    expect(items(tail.messages)).toEqual([
      expect.objectContaining({
        kind: "default",
        status: "accepted",
        outcome: "accepted",
        eventId: ok,
        title: "seen live",
        level: "warning",
      }),
      expect.objectContaining({
        status: "dropped",
        outcome: "rate_limited",
        reason: "key_quota",
        eventId: limited,
      }),
    ]);
    tail.ws?.close(1000);
  });

  it("samples a burst past the per-second budget", async () => {
    const t = await createTenant();
    const tail = await openTail(t);
    await until(() => tail.messages.some((m) => m.type === "hello"), "hello");
    // Three seconds' budget at once: however the burst falls across second boundaries, one second overflows.
    const burst = TAIL_ITEMS_PER_SECOND * 3;
    const sends = Array.from({ length: burst }, (_, i) =>
      postEnvelope(t, errorEnvelope(newEventId(), `burst ${i}`), {}, { drain: false }),
    );
    await Promise.all(sends);
    // The sampled note comes with the first item of a later second.
    await new Promise((r) => setTimeout(r, 1100));
    await postEnvelope(t, errorEnvelope(newEventId(), "after the burst"));
    await until(() => tail.messages.some((m) => m.type === "sampled"), "a sampled note");
    const shown = items(tail.messages).length;
    const skipped = tail.messages.reduce((n, m) => n + (m.skipped ?? 0), 0);
    expect(shown + skipped).toBe(burst + 1);
    expect(skipped).toBeGreaterThan(0);
    tail.ws?.close(1000);
  });

  it("is a 426 without an upgrade and refuses other organizations", async () => {
    const t = await createTenant();
    const other = await createTenant();
    const plain = await exports.default.fetch(
      new Request(`http://faultline.test/api/0/projects/${t.orgSlug}/${t.projectSlug}/tail/`, {
        headers: { authorization: `Bearer ${t.token}` },
      }),
    );
    expect(plain.status).toBe(426);
    expect(await plain.json()).toEqual({ detail: expect.stringContaining("WebSocket") });
    const foreign = await openTail(t, other.token);
    expect(foreign.status).toBe(404);
    expect(foreign.ws).toBeNull();
  });

  it("closes a socket past its term (4401) without sending it more, and a revoked token cannot reopen it", async () => {
    const t = await createTenant();
    const watcher = await createUser(t.orgId, "member", "event:read project:read org:read");
    const tail = await openTail(t, watcher.token);
    await until(() => tail.messages.some((m) => m.type === "hello"), "hello");
    const hello = tail.messages.find((m) => m.type === "hello") as Message & { until: number };
    expect(hello.until - Date.now()).toBeGreaterThan((TAIL_SOCKET_SECONDS - 5) * 1000);
    expect(hello.until - Date.now()).toBeLessThanOrEqual(TAIL_SOCKET_SECONDS * 1000);
    let closedWith = 0;
    tail.ws?.addEventListener("close", (e) => {
      closedWith = e.code;
    });
    // The token is revoked; then the socket's term passes (its attachment says so, as time would).
    const tokens = await call<{ id: string }[]>(watcher.token, "GET", "/api/0/api-tokens/");
    const tokenId = tokens.body[0]?.id;
    const revoked = await call(watcher.token, "DELETE", "/api/0/api-tokens/", { tokenId });
    expect(revoked.status).toBe(204);
    const object = env.PROJECTS.get(env.PROJECTS.idFromName(String(t.projectId)));
    await runInDurableObject(object, (_instance, state) => {
      for (const ws of state.getWebSockets()) ws.serializeAttachment({ until: Date.now() - 1 });
    });
    await postEnvelope(t, errorEnvelope(newEventId(), "after the term"));
    await until(() => closedWith !== 0, "the socket closed");
    expect(closedWith).toBe(4401);
    expect(items(tail.messages)).toEqual([]);
    expect((await openTail(t, watcher.token)).status).toBe(401);
  });
});
