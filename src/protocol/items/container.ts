// Item containers (`log`, span v2, `trace_metric`): one item whose payload is `{"items":[…], …metadata}`
// and whose header `item_count` must equal the number of entries. As in Relay, a missing or wrong
// `item_count` rejects the whole container: the entries cannot be trusted to be the ones counted.
import { MAX_CONTAINER_ENTRIES } from "../../limits.ts";
import type { JsonObject, JsonValue } from "../types.ts";
import { asArray, asCount, asObject, type DecodedJson, decodeJson } from "./json.ts";

export type ContainerRead =
  | {
      ok: true;
      /** Container-level fields other than `items` (e.g. `version`). */
      metadata: JsonObject;
      /** At most MAX_CONTAINER_ENTRIES entries, each still unvalidated. */
      entries: JsonValue[];
      /** Entries beyond MAX_CONTAINER_ENTRIES, dropped. */
      overflow: number;
    }
  | { ok: false; reason: "invalid_json" | "invalid_container" | "item_count_mismatch"; quantity: number };

/** The `item_count` header, if it is a count. */
export function declaredItemCount(headers: JsonObject): number | undefined {
  return asCount(headers.item_count);
}

export function readContainer(headers: JsonObject, payload: Uint8Array): ContainerRead {
  return readDecodedContainer(headers, decodeJson(payload));
}

/** Same as readContainer, for a payload the caller already decoded. */
export function readDecodedContainer(headers: JsonObject, decoded: DecodedJson): ContainerRead {
  const declared = declaredItemCount(headers);
  if (!decoded.ok) return { ok: false, reason: "invalid_json", quantity: Math.max(declared ?? 1, 1) };
  const root = asObject(decoded.value);
  const items = asArray(root?.items);
  if (!root || !items)
    return { ok: false, reason: "invalid_container", quantity: Math.max(declared ?? 1, 1) };
  if (declared !== items.length) {
    return { ok: false, reason: "item_count_mismatch", quantity: Math.max(items.length, declared ?? 0, 1) };
  }
  const { items: _items, ...metadata } = root;
  const kept = items.slice(0, MAX_CONTAINER_ENTRIES).map(withoutEntryHeader);
  return { ok: true, metadata, entries: kept, overflow: items.length - kept.length };
}

/** Container entries may carry a per-entry `__header` (Relay's container format); it is not data. */
function withoutEntryHeader(entry: JsonValue): JsonValue {
  const object = asObject(entry);
  if (!object || !("__header" in object)) return entry;
  const { __header: _header, ...rest } = object;
  return rest;
}
