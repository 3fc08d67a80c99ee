// The project's spool: what its Durable Object accepted and has not written to D1 yet, kept in the
// object's own SQLite storage. A write there is durable once it resolves (the object's output gate
// holds the answer until then), so an envelope is acknowledged as soon as it is spooled; the flush
// (spool-flusher.ts) writes it to D1 later. Bounded by count and bytes (src/limits.ts). It also keeps
// the digests of the log items it spooled, so that a retry of one is answered but not spooled again
// (log-retries.ts). Envelopes admitted close together are written in one storage transaction
// (`appendSoon`): under load the object's storage commit, once per transaction, cost more than the
// inserts themselves.
import {
  appendSpoolEntry,
  createSpoolTables,
  deleteSpoolThrough,
  isEventSpooled,
  setSpoolMeta,
  spooledBlobKeys,
  spooledEventText,
  spoolHead,
  spoolMeta,
  spoolTotals,
} from "../db/spool.ts";
import { MAX_REFUSED_EVENT_IDS, SPOOL_MAX_BYTES, SPOOL_MAX_ENVELOPES, SPOOL_PART_UNITS } from "../limits.ts";
import { writtenBlobKeys } from "./commit-failures.ts";
import type { AdmittedBatch } from "./commit-plan.ts";
import { emptyBatch, type IngestBatch, type KeyContext, type OutcomeDelta } from "./ingest-batch.ts";
import { LogRetries } from "./log-retries.ts";

/** A spooled envelope, read back for a flush. */
export interface SpooledBatch {
  seq: number;
  admitted: AdmittedBatch;
  units: number;
  bytes: number;
}

export interface SpoolCaps {
  maxEnvelopes: number;
  maxBytes: number;
}

export const DEFAULT_SPOOL_CAPS: SpoolCaps = { maxEnvelopes: SPOOL_MAX_ENVELOPES, maxBytes: SPOOL_MAX_BYTES };

const EPOCH_KEY = "epoch";
const REFUSED_KEY = "refused-while-full";

/** Outcomes of envelopes refused because the spool was full, waiting to be counted in D1. */
interface Refusals {
  key: KeyContext;
  outcomes: OutcomeDelta[];
}

const encoder = new TextEncoder();

/** An envelope admitted and waiting for the next grouped write (`appendSoon`). */
interface PendingAppend {
  admitted: AdmittedBatch;
  text: string;
  bytes: number;
  resolve: (seq: number) => void;
  reject: (error: unknown) => void;
}

export class Spool {
  /** Names this spool in D1's marks: sequence numbers restart only with a new object's storage. */
  readonly epoch: string;
  private entries: number;
  private bytes: number;
  private newest: number;
  /** The digests of the log items spooled: a retry of one is not spooled again. */
  private readonly logRetries: LogRetries;
  /** Admitted, answered once the next grouped write has them (counted against the caps already). */
  private pending: PendingAppend[] = [];
  private pendingBytes = 0;
  private readonly sql: SqlStorage;

  constructor(
    private readonly storage: DurableObjectStorage,
    /** Read on every admission, so a change applies at once. */
    private readonly caps: () => SpoolCaps = () => DEFAULT_SPOOL_CAPS,
  ) {
    this.sql = storage.sql;
    const sql = this.sql;
    createSpoolTables(sql);
    this.logRetries = new LogRetries(sql);
    const totals = spoolTotals(sql);
    this.entries = totals.entries;
    this.bytes = totals.bytes;
    this.newest = totals.lastSeq;
    let epoch = spoolMeta(sql, EPOCH_KEY);
    if (epoch === null) {
      epoch = [...crypto.getRandomValues(new Uint8Array(8))]
        .map((b) => b.toString(16).padStart(2, "0"))
        .join("");
      setSpoolMeta(sql, EPOCH_KEY, epoch);
    }
    this.epoch = epoch;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries, bytes: this.bytes };
  }

  /** The sequence number of the newest envelope spooled in this object's life (0 before any). */
  get lastSeq(): number {
    return this.newest;
  }

  get empty(): boolean {
    return this.entries === 0;
  }

  /**
   * Room for one more envelope (a spool at either cap takes nothing until the flush frees some).
   * Envelopes waiting for their grouped write count as spooled.
   */
  hasRoom(): boolean {
    const caps = this.caps();
    return (
      this.entries + this.pending.length < caps.maxEnvelopes && this.bytes + this.pendingBytes < caps.maxBytes
    );
  }

  /** The batch without the records of log items spooled before (an SDK's retry of the same bytes). */
  withoutRetries(batch: IngestBatch): IngestBatch {
    return this.logRetries.withoutRetries(batch);
  }

  /** Forgets the log items spooled before: the same bytes sent next are stored again. */
  forgetLogDigests(): void {
    this.logRetries.clear();
  }

  /** Spools one admitted envelope (and its log items' digests) now; answers its sequence number. */
  append(admitted: AdmittedBatch): number {
    const text = JSON.stringify(admitted);
    return this.write(admitted, text, encoder.encode(text).byteLength);
  }

  /**
   * Spools an admitted envelope together with the others admitted before the next timer turn: one
   * storage transaction (one commit) for all of them. Resolves with its sequence number once written;
   * the object's output gate still holds the answer until the commit is durable. An envelope with log
   * items is spooled at once instead, so that a retry of them right behind it finds their digests.
   */
  appendSoon(admitted: AdmittedBatch): Promise<number> {
    if ((admitted.batch.logSources ?? []).length > 0) return Promise.resolve(this.append(admitted));
    // The text is taken now: what is spooled is the envelope as admitted, whatever happens to it next.
    const text = JSON.stringify(admitted);
    const bytes = encoder.encode(text).byteLength;
    return new Promise((resolve, reject) => {
      this.pending.push({ admitted, text, bytes, resolve, reject });
      this.pendingBytes += bytes;
      if (this.pending.length === 1) setTimeout(() => this.writePending(), 0);
    });
  }

  /** Writes every waiting envelope in one synchronous block; one that fails fails alone. */
  private writePending(): void {
    const waiting = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    for (const p of waiting) {
      try {
        p.resolve(this.write(p.admitted, p.text, p.bytes));
      } catch (error) {
        p.reject(error);
      }
    }
  }

  private write(admitted: AdmittedBatch, text: string, bytes: number): number {
    // One entry's rows are all or nothing: a write that fails leaves no part of it behind.
    const seq = this.storage.transactionSync(() => {
      const written = appendSpoolEntry(this.sql, {
        eventId: spooledEventId(admitted),
        units: admitted.batch.units,
        bytes,
        parts: splitText(text, SPOOL_PART_UNITS),
        blobKeys: writtenBlobKeys(admitted.batch),
      });
      this.logRetries.remember(admitted.batch);
      return written;
    });
    this.entries += 1;
    this.bytes += bytes;
    this.newest = seq;
    return seq;
  }

  /** The oldest spooled envelopes, for one group commit. */
  head(maxEntries: number, maxUnits: number): SpooledBatch[] {
    return spoolHead(this.sql, maxEntries, maxUnits).map((e) => ({
      seq: e.seq,
      admitted: JSON.parse(e.text) as AdmittedBatch,
      units: e.units,
      bytes: e.bytes,
    }));
  }

  /** Removes spooled envelopes once D1 holds them: `flushed` is a prefix of the spool, in order. */
  remove(flushed: readonly SpooledBatch[]): void {
    const last = flushed[flushed.length - 1];
    if (!last) return;
    deleteSpoolThrough(this.sql, last.seq);
    this.entries -= flushed.length;
    for (const f of flushed) this.bytes -= f.bytes;
  }

  /** Removes every envelope up to `seq` (D1's mark says they are stored). */
  removeThrough(seq: number): void {
    deleteSpoolThrough(this.sql, seq);
    const totals = spoolTotals(this.sql);
    this.entries = totals.entries;
    this.bytes = totals.bytes;
  }

  /** The spooled envelope carrying this error or transaction event, or null. */
  findEvent(eventId: string): AdmittedBatch | null {
    if (!isEventSpooled(this.sql, eventId)) return null;
    const text = spooledEventText(this.sql, eventId);
    return text === null ? null : (JSON.parse(text) as AdmittedBatch);
  }

  /** Which of these R2 keys spooled envelopes point to (the blob sweep leaves them alone). */
  holdsBlobs(keys: readonly string[]): string[] {
    return spooledBlobKeys(this.sql, keys);
  }

  /** Counts an envelope refused because the spool was full; the flush writes the outcome to D1. */
  countRefusal(key: KeyContext, outcome: OutcomeDelta): void {
    const saved = this.refusals();
    const refusals: Refusals = saved ?? { key: { ...key, keyLimit: null, projectLimit: null }, outcomes: [] };
    const { eventId, ...counted } = outcome;
    const same = refusals.outcomes.find(
      (o) =>
        !o.eventId &&
        o.category === counted.category &&
        o.outcome === counted.outcome &&
        o.reason === counted.reason,
    );
    if (same) same.quantity += counted.quantity;
    else refusals.outcomes.push({ ...counted });
    // The refused event's id (quantity 0: counted above), so its receipt says why; bounded per flush.
    if (eventId && refusals.outcomes.length < MAX_REFUSED_EVENT_IDS) {
      refusals.outcomes.push({ ...counted, quantity: 0, eventId });
    }
    setSpoolMeta(this.sql, REFUSED_KEY, JSON.stringify(refusals));
  }

  /**
   * Moves the counted refusals into the spool as one outcome-only envelope, so they reach D1 through the
   * same flush (and its marks) as everything else. Both writes land together (one synchronous block).
   */
  spoolRefusals(receivedAt: number): void {
    const refusals = this.refusals();
    if (!refusals) return;
    const batch = emptyBatch(refusals.key, receivedAt);
    batch.outcomes.push(...refusals.outcomes);
    this.append({ batch, eventAdmitted: true });
    setSpoolMeta(this.sql, REFUSED_KEY, null);
  }

  private refusals(): Refusals | null {
    const text = spoolMeta(this.sql, REFUSED_KEY);
    return text === null ? null : (JSON.parse(text) as Refusals);
  }
}

/** The error or transaction event id an envelope stores (the key of idempotent retries), if any. */
export function spooledEventId(admitted: AdmittedBatch): string | null {
  const { batch, eventAdmitted } = admitted;
  if (batch.event && eventAdmitted) return batch.event.row.eventId;
  return batch.transaction?.row.eventId ?? null;
}

/** Splits text into parts of at most `size` code units, never between the halves of a surrogate pair. */
export function splitText(text: string, size: number): string[] {
  if (text.length <= size) return [text];
  const parts: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    parts.push(text.slice(start, end));
    start = end;
  }
  return parts;
}
