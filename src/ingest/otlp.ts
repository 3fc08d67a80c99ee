// The OTLP/HTTP endpoints: `POST /api/{project_id}/integration/otlp/v1/traces` and `…/v1/logs` (Sentry's
// paths). Authenticated like every ingest request (DSN public key in `x-sentry-auth`, `Authorization` or
// `sentry_key`) before a byte is decompressed; protobuf or JSON, gzip/deflate/br; the records go through
// the same scrubbing, bounds, Durable Object admission (rate limits, outcomes, spool) as envelope spans
// and logs. Answers as OTLP asks: 200 with a partial success naming what was not kept, 400 for a body
// that is not a request (not retried), 415 for another content type, 429/503 with Retry-After (retried).
import type { Env } from "../env.ts";
import { FaultlineError } from "../errors.ts";
import { MAX_ENVELOPE_BYTES, MAX_REQUEST_BODY_BYTES } from "../limits.ts";
import type { IngestBatch, IngestResult } from "../project/index.ts";
import { parseProjectIdPath } from "../protocol/auth.ts";
import { decodeBody, readBodyCapped } from "../protocol/decode.ts";
import {
  decodeOtlpRequest,
  encodeOtlpResponse,
  exceptionEventsOf,
  logsFromOtlp,
  type OtlpEncoding,
  type OtlpSignal,
  otlpContentType,
  otlpEncodingOf,
  spansFromOtlp,
} from "../protocol/otlp/index.ts";
import { formatRateLimitHeader } from "../protocol/rate-limits.ts";
import type { Envelope, JsonObject } from "../protocol/types.ts";
import { type Authenticated, authenticateRequest, projectStub, recordRejected } from "./endpoints.ts";
import type { PrepareContext } from "./items/index.ts";
import { logBatches, type OtlpBatches, spanBatches, withLogDigests } from "./otlp-batches.ts";
import { prepareEnvelope } from "./prepare.ts";

export async function handleOtlp(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
  pathProject: string,
  signal: OtlpSignal,
): Promise<Response> {
  const projectId = parseProjectIdPath(pathProject);
  const encoding = otlpEncodingOf(request.headers.get("content-type"));
  if (!encoding) {
    throw new FaultlineError(
      415,
      "unsupported content type: OTLP/HTTP takes application/x-protobuf or application/json",
    );
  }
  const background = (work: Promise<unknown>) => ctx.waitUntil(work);
  const who = await authenticateRequest(request, env, projectId, background);
  const raw = await readBodyCapped(request.body, MAX_REQUEST_BODY_BYTES);
  const body = decodeBody(raw, request.headers.get("content-encoding"), MAX_ENVELOPE_BYTES);
  let decoded: unknown;
  try {
    decoded = body.byteLength === 0 ? {} : decodeOtlpRequest(signal, encoding, body);
  } catch (error) {
    const category = signal === "traces" ? "span" : "log_item";
    ctx.waitUntil(
      recordRejected(
        env,
        who.key.projectId,
        { category, outcome: "invalid", reason: "invalid_otlp", quantity: 1 },
        who.key,
      ),
    );
    throw error;
  }
  const prepare = {
    key: who.key,
    scrubbing: who.scrubbing,
    filters: who.filters,
    receivedAt: Date.now() / 1000,
    clientIp: request.headers.get("cf-connecting-ip") ?? undefined,
    blobs: env.BLOBS,
    db: env.DB,
    background,
  };
  if (signal === "logs") {
    const batches = logBatches(logsFromOtlp(decoded, prepare.receivedAt), prepare);
    return admit(env, who, await withLogDigests(batches, body), signal, encoding);
  }
  const spans = spansFromOtlp(decoded);
  const response = await admit(env, who, spanBatches(spans, prepare), signal, encoding);
  // Spans first: an exception's issue links to a span that is already stored.
  await admitExceptions(env, who, await exceptionEventsOf(spans.records), prepare);
  return response;
}

/** Each exception span event as an error event of its own envelope, through the usual event path. */
async function admitExceptions(
  env: Env,
  who: Authenticated,
  events: JsonObject[],
  prepare: PrepareContext,
): Promise<void> {
  for (const event of events) {
    const payload = new TextEncoder().encode(JSON.stringify(event));
    const envelope: Envelope = {
      headers: { event_id: event.event_id ?? null },
      items: [{ type: "event", headers: { type: "event", length: payload.byteLength }, payload }],
    };
    const prepared = await prepareEnvelope(envelope, prepare);
    try {
      await projectStub(env, who.key.projectId).ingest(prepared.batch);
    } catch (error) {
      console.error("OTLP exception commit failed", error);
      retryLater();
    }
  }
}

function retryLater(): never {
  throw new FaultlineError(503, "data could not be stored, please retry", {
    headers: { "retry-after": "5" },
  });
}

/** Each batch to the project's Durable Object in turn; a failure is a 503 the exporter retries. */
async function admit(
  env: Env,
  who: Authenticated,
  prepared: OtlpBatches,
  signal: OtlpSignal,
  encoding: OtlpEncoding,
): Promise<Response> {
  let rejected = prepared.rejected;
  let offered = 0;
  let limitedAll = true;
  const headers: Record<string, string> = {};
  for (const batch of prepared.batches) {
    const count = recordCount(batch);
    offered += count;
    let result: IngestResult;
    try {
      result = await projectStub(env, who.key.projectId).ingest(batch);
    } catch (error) {
      // Spans already committed by an earlier batch keep their rows on the retry (same ids, INSERT OR IGNORE).
      console.error("OTLP commit failed", error);
      throw new FaultlineError(503, "data could not be stored, please retry", {
        headers: { "retry-after": "5" },
      });
    }
    const category = signal === "traces" ? "span" : "log_item";
    // A limit without categories (a full spool) covers everything.
    const limited = result.rateLimits.filter(
      (limit) => limit.categories.length === 0 || limit.categories.includes(category),
    );
    if (limited.length > 0 || result.everythingRateLimited) {
      rejected += count;
      headers["x-sentry-rate-limits"] = formatRateLimitHeader(result.rateLimits);
      headers["retry-after"] = String(Math.max(1, ...limited.map((l) => l.retryAfterSeconds)));
    } else if (count > 0) {
      limitedAll = false;
    }
  }
  if (offered > 0 && limitedAll) {
    throw new FaultlineError(429, "rate limit reached for this project or key, retry later", { headers });
  }
  const what = signal === "traces" ? "spans" : "log records";
  const errorMessage =
    rejected > 0 ? `${rejected} ${what} were not accepted (invalid, filtered or rate limited)` : "";
  const payload = encodeOtlpResponse(signal, encoding, { rejected, errorMessage });
  return new Response(payload, {
    status: 200,
    headers: { ...headers, "content-type": otlpContentType(encoding) },
  });
}

function recordCount(batch: IngestBatch): number {
  return batch.spans.length + batch.logs.length;
}
