// OTLP records → the batches the project's Durable Object admits, exactly as envelope spans and logs
// are: inbound filters, the project's scrubbing, the per-record bounds, then as many records per batch
// as MAX_PREPARED_BATCH_UNITS allows. An export request larger than one batch becomes several (each is
// its own durable commit), instead of having records refused as too large.
import type { IngestBatch } from "../project/index.ts";
import type { DataCategory } from "../protocol/categories.ts";
import { isHealthCheck } from "../protocol/filters/index.ts";
import { boundLog, boundSpan } from "../protocol/items/bounds.ts";
import type { ItemParseResult, LogRecord, SpanRecord } from "../protocol/items/index.ts";
import { sha256OfBytes } from "../protocol/sha256.ts";
import { EnvelopeDraft, type PrepareContext } from "./items/index.ts";
import { scrubLog, scrubSpan } from "./items/records.ts";

export interface OtlpBatches {
  batches: IngestBatch[];
  /** Records refused before admission (invalid, filtered): the partial success's rejected count. */
  rejected: number;
}

const EMPTY_ENVELOPE = { headers: {}, items: [] };

export function spanBatches(parsed: ItemParseResult<SpanRecord>, ctx: PrepareContext): OtlpBatches {
  let records = parsed.records;
  let filtered = 0;
  if (ctx.filters.healthChecks) {
    records = records.filter((span) => !(span.transaction && isHealthCheck(span.transaction)));
    filtered = parsed.records.length - records.length;
  }
  const out = build(
    records.map((span) => boundSpan(scrubSpan(span, ctx.scrubbing))),
    ctx,
    "span",
    (batch) => batch.spans,
  );
  const first = out.batches[0];
  if (first && filtered > 0)
    first.outcomes.push({
      category: "span",
      outcome: "filtered",
      reason: "filtered-transaction",
      quantity: filtered,
    });
  return withInvalid(out, parsed, "span", filtered);
}

export function logBatches(parsed: ItemParseResult<LogRecord>, ctx: PrepareContext): OtlpBatches {
  const out = build(
    parsed.records.map((log) => boundLog(scrubLog(log, ctx.scrubbing))),
    ctx,
    "log_item",
    (batch) => batch.logs,
  );
  return withInvalid(out, parsed, "log_item", 0);
}

/**
 * Names each batch's records by the request's bytes and the batch's place in it, so the exporter's
 * retry of the request (the same bytes) is stored once, also when only some batches got in before.
 */
export async function withLogDigests(out: OtlpBatches, body: Uint8Array): Promise<OtlpBatches> {
  const digest = await sha256OfBytes("otlp-logs", body);
  out.batches.forEach((batch, i) => {
    if (batch.logs.length > 0) batch.logSources = [{ digest: `${digest}.${i}`, count: batch.logs.length }];
  });
  return out;
}

function build<T>(
  records: T[],
  ctx: PrepareContext,
  category: DataCategory,
  into: (batch: IngestBatch) => T[],
): OtlpBatches {
  const batches: IngestBatch[] = [];
  let draft = new EnvelopeDraft(EMPTY_ENVELOPE, ctx);
  let rejected = 0;
  const finish = () => {
    draft.batch.units = draft.preparedUnits;
    batches.push(draft.batch);
  };
  for (const record of records) {
    if (draft.fits(record)) {
      into(draft.batch).push(record);
      continue;
    }
    if (into(draft.batch).length === 0) {
      // Larger than a whole batch even alone (bounds make this unreachable, but never drop silently).
      draft.batch.outcomes.push({
        category,
        outcome: "too_large",
        reason: "envelope_too_large",
        quantity: 1,
      });
      rejected += 1;
      continue;
    }
    finish();
    draft = new EnvelopeDraft(EMPTY_ENVELOPE, ctx);
    if (draft.fits(record)) into(draft.batch).push(record);
  }
  finish();
  return { batches, rejected };
}

function withInvalid<T>(
  out: OtlpBatches,
  parsed: ItemParseResult<T>,
  category: DataCategory,
  filtered: number,
): OtlpBatches {
  const first = out.batches[0];
  let invalid = 0;
  for (const bad of parsed.invalid) {
    invalid += bad.quantity;
    first?.outcomes.push({ category, outcome: "invalid", reason: bad.reason, quantity: bad.quantity });
  }
  return { batches: out.batches, rejected: out.rejected + invalid + filtered };
}
