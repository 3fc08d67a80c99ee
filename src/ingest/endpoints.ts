// The ingest HTTP endpoints: `/api/{project_id}/envelope/` and the legacy `/api/{project_id}/store/`.
// Thin: authenticate (before decompressing anything), read and decode the body, hand the envelope to prepare + the project's Durable
// Object, and answer the way SDKs expect (ids, 413, 429 with rate-limit headers).
import { deleteUnreferencedBlobs } from "../blobs/cleanup.ts";
import { shardDb } from "../db/shards.ts";
import { attributeUsage } from "../db/worker-usage.ts";
import type { Env } from "../env.ts";
import { FaultlineError } from "../errors.ts";
import { json } from "../http/responses.ts";
import {
  MAX_ENVELOPE_BYTES,
  MAX_HEADER_LINE_BYTES,
  MAX_REQUEST_BODY_BYTES,
  MAX_STORE_BODY_BYTES,
} from "../limits.ts";
import { emptyBatch, type IngestResult, type KeyContext, type OutcomeDelta } from "../project/index.ts";
import {
  checkDsnAgreement,
  extractIngestAuth,
  type IngestAuth,
  parseProjectIdPath,
} from "../protocol/auth.ts";
import { decodeBody, decodeFirstLine, decodeLegacyStoreBody, readRequestBody } from "../protocol/decode.ts";
import { parseEnvelope, parseEnvelopeHeader } from "../protocol/envelope.ts";
import type { InboundFilters } from "../protocol/filters/index.ts";
import { formatRateLimitHeader } from "../protocol/rate-limits.ts";
import type { ScrubbingSettings } from "../protocol/scrub/index.ts";
import type { Envelope } from "../protocol/types.ts";
import { ingestPrepared } from "./object-ingest.ts";
import { prepareEnvelope } from "./prepare.ts";
import { type Background, type ProjectKey, resolveProjectKey } from "./project-keys.ts";

function authFrom(request: Request, envelopeDsn: string | undefined): IngestAuth {
  const url = new URL(request.url);
  return extractIngestAuth({
    xSentryAuth: request.headers.get("x-sentry-auth"),
    authorization: request.headers.get("authorization"),
    query: url.searchParams,
    envelopeDsn,
  });
}

function hasRequestAuth(request: Request): boolean {
  return (
    request.headers.has("x-sentry-auth") ||
    request.headers.has("authorization") ||
    new URL(request.url).searchParams.has("sentry_key")
  );
}

export interface Authenticated {
  auth: IngestAuth;
  /** The key's context, with the organization's event shard always known. */
  key: KeyContext & { shard: string };
  /** How the project's events are scrubbed before anything is stored. */
  scrubbing: ScrubbingSettings;
  /** Which of the project's events are dropped before anything is stored. */
  filters: InboundFilters;
}

/** The key's context for the Durable Object apart from the scrubbing settings only the Worker needs. */
function authenticated(auth: IngestAuth, resolved: ProjectKey): Authenticated {
  const { scrubbing, filters, ...key } = resolved;
  return { auth, key, scrubbing, filters };
}

/** Credentials from headers or query, resolved to an active key before any body byte is read or decoded. */
export async function authenticateRequest(
  request: Request,
  env: Env,
  projectId: number | null,
  background: Background,
): Promise<Authenticated> {
  const auth = authFrom(request, undefined);
  return authenticated(auth, await resolveProjectKey(env.DB, auth.publicKey, projectId, background));
}

/**
 * Tunnel pattern: the only credential is the `dsn` of the envelope header, so the first line alone is
 * decoded (bounded) to read it; the rest of the body stays compressed until the key is known to be good.
 */
async function authenticateTunnel(
  request: Request,
  env: Env,
  raw: Uint8Array,
  projectId: number | null,
  background: Background,
): Promise<Authenticated> {
  let headers: Envelope["headers"];
  try {
    const line = await decodeFirstLine(raw, request.headers.get("content-encoding"), MAX_HEADER_LINE_BYTES);
    headers = parseEnvelopeHeader(line);
  } catch (error) {
    if (error instanceof FaultlineError && error.status === 400)
      throw new FaultlineError(401, "bad envelope authentication header", { causes: [error.detail] });
    throw error;
  }
  const dsn = typeof headers.dsn === "string" ? headers.dsn : undefined;
  const auth = authFrom(request, dsn);
  checkDsnAgreement(auth, dsn, projectId === null ? null : String(projectId));
  return authenticated(auth, await resolveProjectKey(env.DB, auth.publicKey, projectId, background));
}

/**
 * Reads an envelope request: credentials first (401/403 without decompressing anything), then the body
 * decoded up to MAX_ENVELOPE_BYTES. The wire bytes go out of scope when this returns.
 */
async function readEnvelopeRequest(
  request: Request,
  env: Env,
  projectId: number | null,
  background: Background,
): Promise<Authenticated & { body: Uint8Array }> {
  const fromRequest = hasRequestAuth(request);
  const early = fromRequest ? await authenticateRequest(request, env, projectId, background) : null;
  const raw = await readRequestBody(request, MAX_REQUEST_BODY_BYTES);
  if (raw.byteLength === 0) throw new FaultlineError(400, "empty request body");
  const who = early ?? (await authenticateTunnel(request, env, raw, projectId, background));
  // The cost meter: from here on the request works for the key's project.
  attributeUsage(env, who.key);
  const body = decodeBody(raw, request.headers.get("content-encoding"), MAX_ENVELOPE_BYTES);
  if (body.byteLength === 0) throw new FaultlineError(400, "empty request body");
  return { ...who, body };
}

export async function handleEnvelope(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
  pathProject: string,
): Promise<Response> {
  return ingestEnvelopeRequest(request, env, ctx, parseProjectIdPath(pathProject));
}

export async function handleStore(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
  pathProject: string | null,
): Promise<Response> {
  const projectId = pathProject === null ? null : parseProjectIdPath(pathProject);
  const contentType = request.headers.get("content-type") ?? "";
  if (contentType.startsWith("application/x-sentry-envelope")) {
    return ingestEnvelopeRequest(request, env, ctx, projectId);
  }
  // A legacy store body has no envelope header: its credentials can only come from the request.
  const who = await authenticateRequest(request, env, projectId, (work) => ctx.waitUntil(work));
  attributeUsage(env, who.key);
  const raw = await readRequestBody(request, MAX_REQUEST_BODY_BYTES);
  const body = decodeLegacyStoreBody(
    decodeBody(raw, request.headers.get("content-encoding"), MAX_STORE_BODY_BYTES),
  );
  if (body.byteLength === 0) throw new FaultlineError(400, "empty request body");
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch (error) {
    throw new FaultlineError(400, "invalid JSON data", { causes: [String(error)] });
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new FaultlineError(400, "invalid event payload: expected a JSON object");
  }
  // Old SDKs sent transactions to /store/ too; the payload's type says which item it is.
  const type = (parsed as { type?: unknown }).type === "transaction" ? "transaction" : "event";
  const envelope: Envelope = { headers: {}, items: [{ type, headers: { type }, payload: body }] };
  return ingestEnvelope(request, env, ctx, envelope, who);
}

async function ingestEnvelopeRequest(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
  projectId: number | null,
): Promise<Response> {
  const { body, ...who } = await readEnvelopeRequest(request, env, projectId, (work) => ctx.waitUntil(work));
  const key = who.key;
  let envelope: Envelope;
  try {
    envelope = parseEnvelope(body);
  } catch (error) {
    if (error instanceof FaultlineError) {
      const outcome: OutcomeDelta = {
        category: "default",
        outcome: error.status === 413 ? "too_large" : "invalid",
        reason: error.status === 413 ? "envelope_too_large" : "invalid_envelope",
        quantity: 1,
      };
      ctx.waitUntil(recordRejected(env, key.projectId, outcome, key));
    }
    throw error;
  }
  return ingestEnvelope(request, env, ctx, envelope, who);
}

export async function ingestEnvelope(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
  envelope: Envelope,
  { auth, key, scrubbing, filters }: Authenticated,
): Promise<Response> {
  // The key already belongs to the path's project when there is one; on `/api/store/` (no project in
  // the path) the key's own project is what a `dsn` in the envelope header must name.
  const dsn = typeof envelope.headers.dsn === "string" ? envelope.headers.dsn : undefined;
  checkDsnAgreement(auth, dsn, String(key.projectId));
  const receivedAt = Date.now() / 1000;
  const prepared = await prepareEnvelope(envelope, {
    key,
    scrubbing,
    filters,
    receivedAt,
    clientIp: request.headers.get("cf-connecting-ip") ?? undefined,
    blobs: env.BLOBS,
    db: env.DB,
    background: (work) => ctx.waitUntil(work),
  }).catch(async (error: unknown) => {
    if (error instanceof FaultlineError && error.status < 500) {
      ctx.waitUntil(
        recordRejected(
          env,
          key.projectId,
          { category: "error", outcome: "invalid", reason: "invalid_item", quantity: 1 },
          key,
        ),
      );
    }
    throw error;
  });

  let result: IngestResult;
  try {
    result = await ingestPrepared(projectStub(env, key.projectId), prepared.batch);
  } catch (error) {
    // The SDK retries (same event_id, stored once). The bytes written for this request stay: a call
    // can fail after the object spooled the envelope (a dropped connection, a reset after the write),
    // and then the spooled rows name them, though no D1 row does yet. The daily sweep removes them
    // once neither D1 nor a spool refers to them.
    console.error("commit failed", error);
    throw new FaultlineError(503, "event could not be stored, please retry", {
      headers: { "retry-after": "5" },
    });
  }
  const stored = new Set(result.storedBlobKeys);
  const orphans = prepared.writtenBlobKeys.filter((k) => !stored.has(k));
  // The rows that would reference them are on the organization's event shard.
  if (orphans.length > 0) ctx.waitUntil(deleteUnreferencedBlobs(shardDb(env, key.shard), env.BLOBS, orphans));

  const headers: Record<string, string> = {};
  if (result.rateLimits.length > 0) {
    headers["x-sentry-rate-limits"] = formatRateLimitHeader(result.rateLimits);
    headers["retry-after"] = String(Math.max(...result.rateLimits.map((l) => l.retryAfterSeconds)));
  }
  if (result.everythingRateLimited) {
    return json(
      {
        detail:
          "Sentry dropped data due to a quota or internal rate limit being reached. This will not affect your application.",
      },
      429,
      headers,
    );
  }
  if (prepared.eventTooLarge) {
    return json({ detail: "envelope exceeded size limits for type 'event'" }, 413, headers);
  }
  return json(prepared.eventId ? { id: prepared.eventId } : {}, 200, headers);
}

export function projectStub(env: Env, projectId: number) {
  return env.PROJECTS.get(env.PROJECTS.idFromName(String(projectId)));
}

export async function recordRejected(
  env: Env,
  projectId: number,
  outcome: OutcomeDelta,
  key: KeyContext,
): Promise<void> {
  try {
    const batch = emptyBatch({ ...key, keyLimit: null, projectLimit: null }, Date.now() / 1000);
    batch.outcomes.push(outcome);
    await projectStub(env, projectId).ingest(batch);
  } catch (error) {
    console.error("could not record outcome", error);
  }
}
