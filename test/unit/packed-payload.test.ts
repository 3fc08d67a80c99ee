// A payload packed at ingest (src/db/packed-payload.ts) must be what the project's object made of the
// payload text before packing existed: the same projection as the text parsed again, and the text
// itself back from the bytes. Checked over every event and transaction the real SDKs sent.
import { readdirSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { packedBytes, packedText, packPayload } from "../../src/db/packed-payload.ts";
import { shapedProjection } from "../../src/db/payload-shape.ts";
import { userKeyOf } from "../../src/ingest/items/event-row.ts";
import { issueGroupingOf } from "../../src/project/index.ts";
import { parseEnvelope } from "../../src/protocol/envelope.ts";
import { normalizeEvent } from "../../src/protocol/normalize/index.ts";
import { DEFAULT_SCRUBBING, scrubEvent } from "../../src/protocol/scrub/index.ts";
import type { JsonObject } from "../../src/protocol/types.ts";

const captures = new URL("../fixtures/captures/", import.meta.url);

/** Every `event` and `transaction` item of the captured envelopes, with where it came from. */
function capturedItems(): { name: string; type: "event" | "transaction"; payload: Uint8Array }[] {
  const bodies: { name: string; body: Uint8Array }[] = [];
  const rust = new URL("sentry-rust-0.37/", captures);
  for (const file of readdirSync(rust).filter((f) => f.endsWith(".envelope")))
    bodies.push({ name: file, body: new Uint8Array(readFileSync(new URL(file, rust))) });
  const node = readFileSync(new URL("sentry-javascript-node-11.12.jsonl", captures), "utf8");
  node
    .split("\n")
    .filter((line) => line.trim() !== "")
    .forEach((line, i) => {
      let body: Uint8Array = Buffer.from((JSON.parse(line) as { body: string }).body, "base64");
      if (body[0] === 0x1f && body[1] === 0x8b) body = gunzipSync(body);
      bodies.push({ name: `node request ${i}`, body });
    });
  return bodies.flatMap(({ name, body }) =>
    parseEnvelope(body).items.flatMap((item) =>
      item.type === "event" || item.type === "transaction"
        ? [{ name, type: item.type, payload: item.payload }]
        : [],
    ),
  );
}

const items = capturedItems();

describe("a payload packed at ingest", () => {
  it("covers the captured errors and transactions of both SDKs", () => {
    expect(items.filter((i) => i.type === "event").length).toBeGreaterThanOrEqual(6);
    expect(items.some((i) => i.type === "transaction" && i.name.endsWith(".envelope"))).toBe(true);
    expect(items.some((i) => i.name.startsWith("node"))).toBe(true);
  });

  for (const item of items) {
    it(`${item.name} (${item.type}): the projection of the text parsed again, and the text back`, () => {
      const normalized = normalizeEvent(JSON.parse(new TextDecoder().decode(item.payload)), {
        receivedAt: 1_796_301_580,
        itemType: item.type,
      });
      const event = scrubEvent(normalized, DEFAULT_SCRUBBING);
      const title =
        item.type === "event"
          ? issueGroupingOf(event).title
          : (event.transaction ?? "<unlabeled transaction>");
      const json = JSON.stringify(event);
      const userKey = userKeyOf(event);
      const packed = packPayload(event as unknown as JsonObject, json, title, userKey);

      expect(packed.projection).toStrictEqual(
        shapedProjection(JSON.parse(json) as JsonObject, title, userKey),
      );
      expect(packedText(packed)).toBe(json);
      // Compressed: the bytes are what a segment stores, far smaller than the text.
      expect(packedBytes(packed).byteLength).toBeLessThan(json.length);
    });
  }
});
