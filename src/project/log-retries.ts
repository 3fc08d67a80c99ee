// Log retries stored once: an SDK or exporter that resends a log item or an OTLP logs request (the
// same bytes, after a timeout or a 503) gets its answer, but the records are not spooled again, whether
// the first copy is still in the spool or already in D1. The spool (spool.ts) remembers the digests of
// each batch it appends (db/log-digests.ts), for LOG_RETRY_WINDOW_SECONDS and at most
// MAX_LOG_RETRY_DIGESTS. Records repeated inside one item stay: they are one item's, under one digest.
import {
  createLogDigestTable,
  forgetAllDigests,
  forgetDigests,
  rememberDigests,
  rememberedDigests,
} from "../db/log-digests.ts";
import { LOG_RETRY_WINDOW_SECONDS, MAX_LOG_RETRY_DIGESTS } from "../limits.ts";
import type { IngestBatch } from "./ingest-batch.ts";

/** Digests written between two sweeps of the old ones. */
const SWEEP_EVERY = 1000;

export class LogRetries {
  private sinceSweep = 0;

  constructor(private readonly sql: SqlStorage) {
    createLogDigestTable(sql);
  }

  /** The batch without the records of log items already spooled (their digests are remembered). */
  withoutRetries(batch: IngestBatch): IngestBatch {
    const sources = batch.logSources ?? [];
    if (sources.length === 0) return batch;
    const since = batch.receivedAt - LOG_RETRY_WINDOW_SECONDS;
    const seen = rememberedDigests(
      this.sql,
      sources.map((s) => s.digest),
      since,
    );
    return withoutSources(batch, seen);
  }

  /** Remembers the digests of a batch being spooled (in the same synchronous block as the spool write). */
  remember(batch: IngestBatch): void {
    const digests = (batch.logSources ?? []).map((s) => s.digest);
    if (digests.length === 0) return;
    rememberDigests(this.sql, digests, batch.receivedAt);
    this.sinceSweep += digests.length;
    if (this.sinceSweep < SWEEP_EVERY) return;
    this.sinceSweep = 0;
    forgetDigests(this.sql, batch.receivedAt - LOG_RETRY_WINDOW_SECONDS, MAX_LOG_RETRY_DIGESTS);
  }

  /** The project's telemetry was cleared: what is sent next is new. */
  clear(): void {
    forgetAllDigests(this.sql);
  }
}

/**
 * The batch without the records of the sources named in `seen` (a new batch when any is dropped; the
 * one given is left alone). Records no source names stay.
 */
export function withoutSources(batch: IngestBatch, seen: ReadonlySet<string>): IngestBatch {
  const sources = batch.logSources ?? [];
  if (!sources.some((s) => seen.has(s.digest))) return batch;
  const logs: IngestBatch["logs"] = [];
  const kept: NonNullable<IngestBatch["logSources"]> = [];
  let at = 0;
  for (const source of sources) {
    if (!seen.has(source.digest)) {
      logs.push(...batch.logs.slice(at, at + source.count));
      kept.push(source);
    }
    at += source.count;
  }
  logs.push(...batch.logs.slice(at));
  return { ...batch, logs, logSources: kept };
}
