// Envelope framing (Sentry's envelope format): a JSON header line, then items of a JSON header line and
// a payload whose length is explicit (`length`) or runs to the next newline. Pure: bytes in, data out.
import { FaultlineError } from "../errors.ts";
import { MAX_HEADER_LINE_BYTES, MAX_ITEMS_PER_ENVELOPE } from "../limits.ts";
import type { Envelope, EnvelopeHeaders, EnvelopeItem, ItemHeaders, JsonObject } from "./types.ts";

const NEWLINE = 0x0a;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const encoder = new TextEncoder();

const HEX32 = /^[0-9a-f]{32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An event id as 32 lower-case hex digits (accepts the hyphenated and upper-case forms), else undefined. */
export function normalizeEventId(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const lower = value.trim().toLowerCase();
  if (HEX32.test(lower)) return lower === "0".repeat(32) ? undefined : lower;
  if (UUID.test(lower)) {
    const compact = lower.replaceAll("-", "");
    return compact === "0".repeat(32) ? undefined : compact;
  }
  return undefined;
}

/** Parses a JSON header line (an object, at most MAX_HEADER_LINE_BYTES). */
function parseHeaderLine(bytes: Uint8Array, what: "envelope" | "item"): JsonObject {
  if (bytes.byteLength > MAX_HEADER_LINE_BYTES) {
    throw new FaultlineError(400, `invalid ${what} header`, {
      causes: [`header line is longer than ${MAX_HEADER_LINE_BYTES} bytes`],
    });
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new FaultlineError(400, `invalid ${what} header`, { causes: ["header is not valid UTF-8"] });
  }
  // Tolerate a trailing carriage return from CRLF writers on header lines.
  if (text.endsWith("\r")) text = text.slice(0, -1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new FaultlineError(400, `invalid ${what} header`, { causes: [String(error)] });
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new FaultlineError(400, `invalid ${what} header`, { causes: ["header is not a JSON object"] });
  }
  return parsed as JsonObject;
}

/**
 * Top-level keys of a JSON object text, in order. Relay's strict parser rejects duplicated header keys;
 * `JSON.parse` would silently keep the last one (two `sent_at` values, which one was meant?).
 */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (depth === 1 && expectKey) {
        keys.push(text.slice(i + 1, j));
        expectKey = false;
      }
      i = j;
    } else if (c === "{" || c === "[") {
      depth++;
      if (depth === 1 && c === "{") expectKey = true;
    } else if (c === "}" || c === "]") {
      depth--;
    } else if (c === "," && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}

function rejectDuplicateKeys(bytes: Uint8Array, what: "envelope" | "item"): void {
  const keys = topLevelKeys(new TextDecoder().decode(bytes));
  if (new Set(keys).size !== keys.length) {
    throw new FaultlineError(400, `invalid ${what} header`, { causes: ["duplicate key in header"] });
  }
}

function lineEnd(bytes: Uint8Array, from: number): number {
  const at = bytes.indexOf(NEWLINE, from);
  return at === -1 ? bytes.byteLength : at;
}

/** Parses the envelope header line alone (its bytes without the newline), as parseEnvelope does. */
export function parseEnvelopeHeader(line: Uint8Array): EnvelopeHeaders {
  const headers = parseHeaderLine(line, "envelope") as EnvelopeHeaders;
  rejectDuplicateKeys(line, "envelope");
  return headers;
}

/** Parses an envelope. Throws FaultlineError 400 with Relay's messages on malformed framing. */
export function parseEnvelope(bytes: Uint8Array): Envelope {
  const headerEnd = lineEnd(bytes, 0);
  const headers = parseEnvelopeHeader(bytes.subarray(0, headerEnd));
  const items: EnvelopeItem[] = [];
  let pos = headerEnd + 1;
  while (pos < bytes.byteLength) {
    const itemHeaderEnd = lineEnd(bytes, pos);
    const itemHeaderBytes = bytes.subarray(pos, itemHeaderEnd);
    // A blank line between items (or a trailing "\n\n") carries nothing: skip it.
    if (itemHeaderBytes.byteLength === 0) {
      pos = itemHeaderEnd + 1;
      continue;
    }
    const itemHeaders = parseHeaderLine(itemHeaderBytes, "item") as ItemHeaders;
    rejectDuplicateKeys(itemHeaderBytes, "item");
    const type = itemHeaders.type;
    if (typeof type !== "string" || type.length === 0) {
      throw new FaultlineError(400, "invalid item header", { causes: ["item header has no `type`"] });
    }
    if (items.length >= MAX_ITEMS_PER_ENVELOPE) {
      throw new FaultlineError(400, "too many items in envelope", {
        causes: [`an envelope may hold at most ${MAX_ITEMS_PER_ENVELOPE} items`],
      });
    }
    const payloadStart = itemHeaderEnd + 1;
    const length = itemHeaders.length;
    let payload: Uint8Array;
    if (length === undefined || length === null) {
      if (payloadStart > bytes.byteLength) {
        payload = new Uint8Array(0);
        pos = payloadStart;
      } else {
        const payloadEnd = lineEnd(bytes, payloadStart);
        payload = bytes.subarray(payloadStart, payloadEnd);
        pos = payloadEnd + 1;
      }
    } else {
      if (typeof length !== "number" || !Number.isInteger(length) || length < 0) {
        throw new FaultlineError(400, "invalid item header", { causes: ["`length` is not a whole number"] });
      }
      const payloadEnd = payloadStart + length;
      if (payloadEnd > bytes.byteLength) {
        throw new FaultlineError(400, "unexpected end of file", {
          causes: [`item of type '${type}' declares ${length} bytes but the envelope ends first`],
        });
      }
      payload = bytes.subarray(payloadStart, payloadEnd);
      if (payloadEnd < bytes.byteLength && bytes[payloadEnd] !== NEWLINE) {
        throw new FaultlineError(400, "missing newline after header or payload", {
          causes: [`unexpected byte after the ${length}-byte payload of a '${type}' item`],
        });
      }
      pos = payloadEnd + 1;
    }
    items.push({ type, headers: itemHeaders, payload });
  }
  return { headers, items };
}

/** Writes an envelope with explicit lengths (used by tests, the bench and forwarding). */
export function serializeEnvelope(envelope: Envelope): Uint8Array {
  const parts: Uint8Array[] = [encoder.encode(`${JSON.stringify(envelope.headers)}\n`)];
  for (const item of envelope.items) {
    const headers = { ...item.headers, type: item.type, length: item.payload.byteLength };
    parts.push(encoder.encode(`${JSON.stringify(headers)}\n`), item.payload, encoder.encode("\n"));
  }
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
