// Test tenants and request helpers for the workerd integration tests. Each test makes its own
// organization/project/key so tests never share grouping state.
import { env, exports } from "cloudflare:workers";
import { sha256Hex } from "../../src/api/tokens.ts";
import { eventPayloadText, type PayloadPlace } from "../../src/blobs/event-blobs.ts";
import { projectShard, shardDb } from "../../src/db/shards.ts";
import type { PreparedEnvelope } from "../../src/ingest/prepare.ts";
import { payloadReader } from "../../src/project/index.ts";
import { prepareForKey } from "../faults/prepare-for-key.ts";

export interface Tenant {
  orgId: number;
  orgSlug: string;
  projectId: number;
  projectSlug: string;
  keyId: number;
  publicKey: string;
  token: string;
}

let counter = 0;
const hex = (bytes: number) =>
  [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");

export async function createTenant(
  options: { keyLimit?: [number, number]; projectLimit?: [number, number] } = {},
): Promise<Tenant> {
  counter += 1;
  const suffix = `${Date.now().toString(36)}${counter}${hex(2)}`;
  const now = Date.now() / 1000;
  const org = await env.DB.prepare(
    "INSERT INTO organizations (slug, name, created_at) VALUES (?, ?, ?) RETURNING id",
  )
    .bind(`org-${suffix}`, `Org ${suffix}`, now)
    .first<{ id: number }>();
  const project = await env.DB.prepare(
    "INSERT INTO projects (organization_id, slug, name, rate_limit_count, rate_limit_window, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
  )
    .bind(
      org!.id,
      `proj-${suffix}`,
      `Project ${suffix}`,
      options.projectLimit?.[0] ?? null,
      options.projectLimit?.[1] ?? null,
      now,
    )
    .first<{ id: number }>();
  const publicKey = hex(16);
  const key = await env.DB.prepare(
    "INSERT INTO project_keys (project_id, public_key, secret_key, label, rate_limit_count, rate_limit_window, created_at) VALUES (?, ?, ?, 'Default', ?, ?, ?) RETURNING id",
  )
    .bind(project!.id, publicKey, hex(16), options.keyLimit?.[0] ?? null, options.keyLimit?.[1] ?? null, now)
    .first<{ id: number }>();
  const token = `sntryu_${hex(32)}`;
  await env.DB.prepare(
    "INSERT INTO api_tokens (token_hash, token_last_characters, name, organization_id, scopes, created_at) VALUES (?, ?, 'test', ?, ?, ?)",
  )
    .bind(
      await sha256Hex(token),
      token.slice(-4),
      org!.id,
      "org:read project:read project:write event:read event:write",
      now,
    )
    .run();
  return {
    orgId: org!.id,
    orgSlug: `org-${suffix}`,
    projectId: project!.id,
    projectSlug: `proj-${suffix}`,
    keyId: key!.id,
    publicKey,
    token,
  };
}

export const authHeader = (t: Tenant, client = "sentry.rust/0.34.0") =>
  `Sentry sentry_key=${t.publicKey}, sentry_version=7, sentry_client=${client}`;

/**
 * Sends a request to the Worker under test (the real fetch handler, in this workerd). Ingest answers
 * once an envelope is spooled in its project's Durable Object; for tests that read D1 or the API next,
 * this waits until the spool reached D1 too (`{ drain: false }` to see the spooled state).
 */
export async function send(
  path: string,
  init: RequestInit = {},
  options: { drain?: boolean } = {},
): Promise<Response> {
  const response = await exports.default.fetch(new Request(`http://faultline.test${path}`, init));
  if (options.drain !== false) {
    const projectId = await ingestProjectOf(path, init);
    if (projectId !== null) await drainSpool(projectId);
  }
  return response;
}

/** The project an ingest request is for: the path's, else its DSN key's (for `/api/store/`). */
async function ingestProjectOf(path: string, init: RequestInit): Promise<number | null> {
  const inPath = /^\/api\/(\d+)\/(envelope|store|security|minidump|unreal|otlp|integration)\b/.exec(path);
  if (inPath) return Number(inPath[1]);
  if (!path.startsWith("/api/store")) return null;
  const auth = new Headers(init.headers).get("x-sentry-auth") ?? path;
  const body = init.body;
  const text =
    typeof body === "string" ? body : body instanceof Uint8Array ? new TextDecoder().decode(body) : "";
  // The tunnel pattern: the key is in the envelope header's dsn.
  const key = /sentry_key=([0-9a-f]+)/.exec(auth)?.[1] ?? /"dsn":"[a-z]+:\/\/([0-9a-f]+)@/.exec(text)?.[1];
  if (!key) return null;
  const row = await env.DB.prepare("SELECT project_id FROM project_keys WHERE public_key = ?")
    .bind(key)
    .first<{ project_id: number }>();
  return row?.project_id ?? null;
}

/** Waits until the project's spool is written to D1 (fails the test after 10 s). */
export async function drainSpool(projectId: number, timeoutMs = 10_000): Promise<void> {
  const stub = env.PROJECTS.get(env.PROJECTS.idFromName(String(projectId)));
  if (!(await stub.drainSpool(timeoutMs))) throw new Error(`spool of project ${projectId} did not drain`);
}

/**
 * The Worker half of ingest for the tenant's key, as the ingest route runs it: what the project's object
 * then receives, for tests that hand it over themselves (later, or changed).
 */
export function prepareForTenant(t: Tenant, body: Uint8Array): Promise<PreparedEnvelope> {
  return prepareForKey(env, t.publicKey, t.projectId, body);
}

export function envelope(headers: object, ...items: [object, string | Uint8Array][]): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [enc.encode(`${JSON.stringify(headers)}\n`)];
  for (const [itemHeaders, payload] of items) {
    const bytes = typeof payload === "string" ? enc.encode(payload) : payload;
    parts.push(
      enc.encode(`${JSON.stringify({ ...itemHeaders, length: bytes.byteLength })}\n`),
      bytes,
      enc.encode("\n"),
    );
  }
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

export const newEventId = () => hex(16);

export function postEnvelope(
  t: Tenant,
  body: Uint8Array | string,
  headers: Record<string, string> = {},
  options: { drain?: boolean } = {},
): Promise<Response> {
  return send(
    `/api/${t.projectId}/envelope/`,
    { method: "POST", body, headers: { "x-sentry-auth": authHeader(t), ...headers } },
    options,
  );
}

/** The event shard of the project's organization (src/db/shards.ts), where its events and issues are. */
export async function projectDb(projectId: number): Promise<D1Database> {
  return shardDb(env, (await projectShard(env.DB, projectId)) ?? "DB");
}

export async function eventRow(projectId: number, eventId: string) {
  return (await projectDb(projectId))
    .prepare("SELECT * FROM events WHERE project_id = ? AND event_id = ?")
    .bind(projectId, eventId)
    .first<Record<string, unknown>>();
}

/**
 * An event's whole stored payload text (from its payload segment, its R2 object or the row), as the API
 * reads it: the row's own `payload` column holds only the projection queries read once it has a segment.
 */
export async function storedPayload(projectId: number, eventId: string): Promise<string | null> {
  const row = await (await projectDb(projectId))
    .prepare(
      "SELECT project_id, payload, payload_key, payload_ref FROM events WHERE project_id = ? AND event_id = ?",
    )
    .bind(projectId, eventId)
    .first<PayloadPlace>();
  return row ? eventPayloadText(payloadReader(env), row) : null;
}

export async function issuesOf(projectId: number) {
  const rows = await (await projectDb(projectId))
    .prepare("SELECT * FROM issues WHERE project_id = ? ORDER BY id")
    .bind(projectId)
    .all<Record<string, unknown>>();
  return rows.results;
}

/**
 * A transaction envelope (root span `a…`, one child span `b…` "SELECT orders") of trace `traceId`, with its
 * event id, ending `now`.
 */
export function transactionWithOneSpan(id: string, traceId: string, now: number): Uint8Array {
  const tx = {
    type: "transaction",
    event_id: id,
    transaction: "GET /orders",
    start_timestamp: now - 1,
    timestamp: now,
    contexts: { trace: { trace_id: traceId, span_id: "a".repeat(16), op: "http.server" } },
    spans: [
      {
        span_id: "b".repeat(16),
        parent_span_id: "a".repeat(16),
        trace_id: traceId,
        op: "db",
        description: "SELECT orders",
        start_timestamp: now - 0.5,
        timestamp: now - 0.2,
      },
    ],
  };
  return envelope({ event_id: id }, [{ type: "transaction" }, JSON.stringify(tx)]);
}
