// The ingest HTTP endpoints: `/api/{project_id}/envelope/` and the legacy `/api/{project_id}/store/`.
// Thin: read and decode the body, authenticate, hand the envelope to prepare + the project's Durable
// Object, and answer the way SDKs expect (ids, 413, 429 with rate-limit headers).
import { deleteUnreferencedBlobs } from "../blobs/cleanup.ts";
import type { Env } from "../env.ts";
import { FaultlineError } from "../errors.ts";
import { json } from "../http/responses.ts";
import { MAX_ENVELOPE_BYTES, MAX_REQUEST_BODY_BYTES, MAX_STORE_BODY_BYTES } from "../limits.ts";
import {
  emptyBatch,
  type IngestResult,
  type KeyContext,
  type OutcomeDelta,
} from "../project/ingest-batch.ts";
import {
  checkDsnAgreement,
  extractIngestAuth,
  type IngestAuth,
  parseProjectIdPath,
} from "../protocol/auth.ts";
import { decodeBody, decodeLegacyStoreBody, readBodyCapped } from "../protocol/decode.ts";
import { parseEnvelope } from "../protocol/envelope.ts";
import { formatRateLimitHeader } from "../protocol/rate-limits.ts";
import type { Envelope } from "../protocol/types.ts";
import { prepareEnvelope } from "./prepare.ts";
import { resolveProjectKey } from "./project-keys.ts";

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
  const url = new URL(request.url);
  return (
    request.headers.has("x-sentry-auth") ||
    request.headers.has("authorization") ||
    url.search.includes("sentry_")
  );
}

async function readDecoded(request: Request, maxDecoded: number): Promise<Uint8Array> {
  const raw = await readBodyCapped(request.body, MAX_REQUEST_BODY_BYTES);
  return decodeBody(raw, request.headers.get("content-encoding"), maxDecoded);
}

export async function handleEnvelope(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
  pathProject: string,
): Promise<Response> {
  const projectId = parseProjectIdPath(pathProject);
  const body = await readDecoded(request, MAX_ENVELOPE_BYTES);
  if (body.byteLength === 0) throw new FaultlineError(400, "empty request body");
  return ingestEnvelopeBytes(request, env, ctx, projectId, body);
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
    const body = await readDecoded(request, MAX_ENVELOPE_BYTES);
    if (body.byteLength === 0) throw new FaultlineError(400, "empty request body");
    return ingestEnvelopeBytes(request, env, ctx, projectId, body);
  }
  const body = decodeLegacyStoreBody(await readDecoded(request, MAX_STORE_BODY_BYTES));
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
  return ingestEnvelope(request, env, ctx, projectId, envelope);
}

async function ingestEnvelopeBytes(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
  projectId: number | null,
  body: Uint8Array,
): Promise<Response> {
  if (!hasRequestAuth(request)) {
    // Tunnel pattern: the only credentials are the `dsn` in the envelope header.
    let envelope: Envelope;
    try {
      envelope = parseEnvelope(body);
    } catch (error) {
      if (error instanceof FaultlineError)
        throw new FaultlineError(401, "bad envelope authentication header", { causes: [error.detail] });
      throw error;
    }
    return ingestEnvelope(request, env, ctx, projectId, envelope);
  }
  const auth = authFrom(request, undefined);
  const key = await resolveProjectKey(env.DB, auth.publicKey, projectId);
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
  return ingestEnvelope(request, env, ctx, projectId, envelope, auth);
}

async function ingestEnvelope(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
  projectId: number | null,
  envelope: Envelope,
  knownAuth?: IngestAuth,
): Promise<Response> {
  const dsn = typeof envelope.headers.dsn === "string" ? envelope.headers.dsn : undefined;
  const auth = knownAuth ?? authFrom(request, dsn);
  checkDsnAgreement(auth, dsn, projectId === null ? null : String(projectId));
  const key = await resolveProjectKey(env.DB, auth.publicKey, projectId);
  const receivedAt = Date.now() / 1000;
  const prepared = await prepareEnvelope(envelope, {
    key,
    receivedAt,
    clientIp: request.headers.get("cf-connecting-ip") ?? undefined,
    blobs: env.BLOBS,
    db: env.DB,
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
    result = await projectStub(env, key.projectId).ingest(prepared.batch);
  } catch (error) {
    // Not committed: remove the bytes written for it that no row references (keys are unique per
    // write, so never another request's), and let the SDK retry (same event_id, stored once).
    ctx.waitUntil(deleteUnreferencedBlobs(env.DB, env.BLOBS, prepared.writtenBlobKeys));
    console.error("commit failed", error);
    throw new FaultlineError(503, "event could not be stored, please retry", {
      headers: { "retry-after": "5" },
    });
  }
  const stored = new Set(result.storedBlobKeys);
  const orphans = prepared.writtenBlobKeys.filter((k) => !stored.has(k));
  if (orphans.length > 0) ctx.waitUntil(deleteUnreferencedBlobs(env.DB, env.BLOBS, orphans));
  if (result.refused) throw new FaultlineError(result.refused.status, result.refused.detail);

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

function projectStub(env: Env, projectId: number) {
  return env.PROJECTS.get(env.PROJECTS.idFromName(String(projectId)));
}

async function recordRejected(
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
