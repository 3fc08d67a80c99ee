// An event payload made ready for its payload segment where the event is prepared (the ingest Worker),
// so that the project's Durable Object — one thread per project, the ceiling of a hot project — neither
// parses the payload again nor compresses it when it commits the row: the bytes the segment stores
// (deflate-raw, in base64 because the batch travels and is spooled as JSON) and the projection the row
// keeps beside the segment locator (payload-shape.ts). The payload text then does not travel at all, so
// the batch the object receives, spools and reads back is well under half as large.
import { Buffer } from "node:buffer";
import { compressPayload, decompressPayload } from "../blobs/segment-format.ts";
import type { JsonObject } from "../protocol/types.ts";
import { type ShapedProjection, shapedProjection } from "./payload-shape.ts";

export interface PackedPayload {
  /** The payload JSON compressed as its segment stores it (deflate-raw), in base64. */
  deflated: string;
  /** What the row keeps of the payload beside its segment locator. */
  projection: ShapedProjection;
}

/**
 * Packs `json`, the JSON text of `event`: the caller holds both, so the text is not parsed again. The
 * projection is what shapedProjection makes of the parsed text (test/unit/packed-payload.test.ts).
 */
export function packPayload(
  event: JsonObject,
  json: string,
  title: string,
  userKey: string | null,
): PackedPayload {
  const bytes = compressPayload(json);
  return {
    deflated: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"),
    projection: shapedProjection(event, title, userKey),
  };
}

/** The bytes its segment stores. */
export function packedBytes(packed: PackedPayload): Uint8Array {
  const bytes = Buffer.from(packed.deflated, "base64");
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The payload's JSON text again (a read of an event still in the spool). */
export function packedText(packed: PackedPayload): string {
  return decompressPayload(packedBytes(packed));
}
