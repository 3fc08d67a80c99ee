// The batch one envelope is turning into while its items are read: what each item handler adds to,
// the R2 bytes staged for it, the outcomes of what was dropped, and the size bound of the one RPC that
// carries it to the project's Durable Object.
import type { BlobStore, StagedBlob } from "../../blobs/payloads.ts";
import { FaultlineError } from "../../errors.ts";
import { MAX_PREPARED_BATCH_UNITS } from "../../limits.ts";
import {
  type AttachmentRow,
  emptyBatch,
  type IngestBatch,
  type KeyContext,
  type OutcomeDelta,
} from "../../project/index.ts";
import { type DataCategory, itemQuantities } from "../../protocol/categories.ts";
import { normalizeEventId } from "../../protocol/envelope.ts";
import type { InboundFilters } from "../../protocol/filters/index.ts";
import type { ItemParseResult } from "../../protocol/items/index.ts";
import { driftSeconds } from "../../protocol/normalize/index.ts";
import type { ScrubbingSettings } from "../../protocol/scrub/index.ts";
import type { Envelope, EnvelopeItem, JsonObject } from "../../protocol/types.ts";

export interface PrepareContext {
  key: KeyContext;
  /** The project's data scrubbing, applied to every item before it is grouped or stored. */
  scrubbing: ScrubbingSettings;
  /** The project's inbound filters: a matching event or transaction is dropped as `filtered`. */
  filters: InboundFilters;
  receivedAt: number;
  clientIp: string | undefined;
  blobs: BlobStore;
  /** D1, to find the project's debug files for native frames. */
  db: D1Database;
  /** Work that may finish after the answer (a cache's reload), handed to the runtime's waitUntil. */
  background?: (work: Promise<unknown>) => void;
}

export class EnvelopeDraft {
  readonly batch: IngestBatch;
  /** R2 objects to write once every item has been read. */
  readonly staged: StagedBlob[] = [];
  /** The envelope's attachments: the event's, or loose ones when it has no event item. */
  readonly attachments: AttachmentRow[] = [];
  readonly headerEventId: string | null;
  readonly sentAt: string | undefined;
  /** The envelope's event item was over its size limit (answered with 413). */
  eventTooLarge = false;
  /** What the batch carries to the Durable Object in one RPC (MAX_PREPARED_BATCH_UNITS). */
  private units = 0;

  constructor(
    envelope: Envelope,
    readonly ctx: PrepareContext,
  ) {
    this.batch = emptyBatch(ctx.key, ctx.receivedAt);
    this.headerEventId = normalizeEventId(envelope.headers.event_id) ?? null;
    this.sentAt = typeof envelope.headers.sent_at === "string" ? envelope.headers.sent_at : undefined;
  }

  get projectId(): number {
    return this.ctx.key.projectId;
  }

  get preparedUnits(): number {
    return this.units;
  }

  /** What item parsers need to know of the envelope. */
  get itemContext() {
    return {
      receivedAt: this.ctx.receivedAt,
      envelopeEventId: this.headerEventId ?? undefined,
      clientIp: this.ctx.clientIp,
      clockDrift: driftSeconds(this.ctx.receivedAt, this.sentAt),
    };
  }

  /** What event normalization needs to know of the envelope and the item. */
  normalizeContext(itemType: "event" | "transaction" | "feedback") {
    return { ...this.itemContext, sentAt: this.sentAt, itemType };
  }

  /**
   * Counts every unit of an item as dropped with this outcome. `eventCategory` is the category of an
   * event item once its payload is read (a message event is `default`, not `error`).
   */
  drop(
    item: EnvelopeItem,
    outcome: OutcomeDelta["outcome"],
    reason: string,
    eventId?: string,
    eventCategory?: DataCategory,
  ): void {
    for (const q of itemQuantities(item)) {
      this.batch.outcomes.push({
        category: eventCategory && q.category === "error" ? eventCategory : q.category,
        outcome,
        reason,
        quantity: q.quantity,
        ...(eventId ? { eventId } : {}),
      });
    }
  }

  /**
   * Adds a prepared event or transaction (it always travels) to the batch's size. A payload that travels
   * as JSON text counts by its own length: that is what it holds in memory, and it is not stringified a
   * second time (escaped inside the rest) only to be measured. A packed one counts with the rest.
   */
  addPreparedUnits(prepared: { row: { payload: string | null } }): void {
    const payload = prepared.row.payload;
    const rest = { ...prepared, row: { ...prepared.row, payload: null } };
    this.units += JSON.stringify(rest).length + (payload?.length ?? 0);
  }

  /** Whether a record still fits in the batch; counts it when it does. */
  fits(value: unknown): boolean {
    const size = JSON.stringify(value).length;
    if (this.units + size > MAX_PREPARED_BATCH_UNITS) return false;
    this.units += size;
    return true;
  }

  /** Keeps an item's parsed records (bounded) while they fit; counts the rest and the invalid ones. */
  collect<T>(
    item: EnvelopeItem,
    result: ItemParseResult<T>,
    into: T[],
    bound: (record: T) => T = (record) => record,
  ): void {
    const category = itemQuantities(item)[0]?.category;
    let tooLarge = 0;
    for (const parsed of result.records) {
      const record = bound(parsed);
      if (this.fits(record)) into.push(record);
      else tooLarge += 1;
    }
    if (!category) return;
    const outcomes = this.batch.outcomes;
    if (tooLarge > 0)
      outcomes.push({ category, outcome: "too_large", reason: "envelope_too_large", quantity: tooLarge });
    for (const bad of result.invalid)
      outcomes.push({ category, outcome: "invalid", reason: bad.reason, quantity: bad.quantity });
  }
}

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

export function parseJsonPayload(item: EnvelopeItem): unknown {
  let text: string;
  try {
    text = decoder.decode(item.payload);
  } catch {
    throw new FaultlineError(400, `invalid ${item.type} item: payload is not valid UTF-8`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FaultlineError(400, "invalid JSON data", { causes: [`${item.type} item: ${String(error)}`] });
  }
}

export function asObject(value: unknown): JsonObject | undefined {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

export function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}
