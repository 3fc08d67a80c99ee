// Envelope framing: every style SDKs write, and the malformed inputs Relay refuses.
import { describe, expect, it } from "vitest";
import { FaultlineError } from "../../src/errors.ts";
import { MAX_HEADER_LINE_BYTES, MAX_ITEMS_PER_ENVELOPE } from "../../src/limits.ts";
import { normalizeEventId, parseEnvelope, serializeEnvelope } from "../../src/protocol/envelope.ts";
import type { Envelope } from "../../src/protocol/types.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string) => enc.encode(s);
const text = (b: Uint8Array) => dec.decode(b);

function rejects(input: Uint8Array | string, status: number, detail: RegExp): void {
  try {
    parseEnvelope(typeof input === "string" ? bytes(input) : input);
  } catch (error) {
    expect(error).toBeInstanceOf(FaultlineError);
    expect((error as FaultlineError).status).toBe(status);
    expect((error as FaultlineError).detail).toMatch(detail);
    return;
  }
  throw new Error("expected the envelope to be refused");
}

describe("parseEnvelope", () => {
  it("reads explicit lengths (sentry-python style) including payloads that contain newlines", () => {
    const env = parseEnvelope(
      bytes('{"event_id":"9f8a1c0e4b2d4a7f8e6c5b4a39281706"}\n{"type":"attachment","length":6}\nab\ncd\n\n'),
    );
    expect(env.headers.event_id).toBe("9f8a1c0e4b2d4a7f8e6c5b4a39281706");
    expect(env.items).toHaveLength(1);
    expect(text(env.items[0]?.payload ?? new Uint8Array())).toBe("ab\ncd\n");
  });

  it("reads implicit lengths with no final newline (JavaScript style)", () => {
    const env = parseEnvelope(
      bytes('{}\n{"type":"event"}\n{"message":"a"}\n{"type":"session"}\n{"sid":"x"}'),
    );
    expect(env.items.map((i) => [i.type, text(i.payload)])).toEqual([
      ["event", '{"message":"a"}'],
      ["session", '{"sid":"x"}'],
    ]);
  });

  it("accepts a header-only envelope, with or without a newline", () => {
    expect(parseEnvelope(bytes("{}")).items).toEqual([]);
    expect(parseEnvelope(bytes("{}\n")).items).toEqual([]);
  });

  it("accepts empty payloads in both length styles and at EOF", () => {
    const env = parseEnvelope(
      bytes('{}\n{"type":"attachment","length":0}\n\n{"type":"event"}\n\n{"type":"client_report"}'),
    );
    expect(env.items.map((i) => [i.type, i.payload.byteLength])).toEqual([
      ["attachment", 0],
      ["event", 0],
      ["client_report", 0],
    ]);
  });

  it("keeps a carriage return in an implicit payload (only \\n terminates)", () => {
    const env = parseEnvelope(bytes('{}\r\n{"type":"event"}\r\n{"a":1}\r\n'));
    expect(text(env.items[0]?.payload ?? new Uint8Array())).toBe('{"a":1}\r');
  });

  it("keeps unknown item types and unknown header keys for later stages", () => {
    const env = parseEnvelope(bytes('{"future":true}\n{"type":"hologram","shiny":1}\n{}\n'));
    expect(env.headers.future).toBe(true);
    expect(env.items[0]).toMatchObject({ type: "hologram", headers: { shiny: 1 } });
  });

  it("refuses a truncated payload, a wrong length and a missing newline", () => {
    rejects('{}\n{"type":"event","length":500}\n{"message":"short"}', 400, /unexpected end of file/);
    rejects('{}\n{"type":"event","length":2}\n{}x', 400, /missing newline/);
    rejects('{}\n{"type":"event","length":2}\n{} \n', 400, /missing newline/);
    rejects('{}\n{"type":"event","length":-1}\n', 400, /invalid item header/);
    rejects('{}\n{"type":"event","length":"2"}\n{}', 400, /invalid item header/);
  });

  it("refuses headers that are not JSON objects, duplicate keys, missing types and non-UTF-8", () => {
    rejects("not json\n", 400, /invalid envelope header/);
    rejects("[1,2]\n", 400, /invalid envelope header/);
    rejects('{"sent_at":"a","sent_at":"b"}\n', 400, /invalid envelope header/);
    rejects('{}\n{"length":2}\n{}', 400, /invalid item header/);
    rejects('{}\n{"type":"event","type":"span"}\n{}', 400, /invalid item header/);
    rejects(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d, 0x0a]), 400, /invalid envelope header/);
  });

  it("refuses a huge header line without parsing it", () => {
    const huge = `{"pad":"${"x".repeat(MAX_HEADER_LINE_BYTES)}"}\n`;
    rejects(huge, 400, /invalid envelope header/);
  });

  it("refuses thousands of tiny items with a clear message", () => {
    const items = '{"type":"session"}\n{}\n'.repeat(MAX_ITEMS_PER_ENVELOPE + 1);
    rejects(`{}\n${items}`, 400, /too many items/);
    const fits = '{"type":"session"}\n{}\n'.repeat(MAX_ITEMS_PER_ENVELOPE);
    expect(parseEnvelope(bytes(`{}\n${fits}`)).items).toHaveLength(MAX_ITEMS_PER_ENVELOPE);
  });

  it("round-trips through serializeEnvelope", () => {
    const original: Envelope = {
      headers: { event_id: "0123456789abcdef0123456789abcdef" },
      items: [
        { type: "event", headers: { type: "event" }, payload: bytes('{"message":"x"}') },
        { type: "attachment", headers: { type: "attachment", filename: "a" }, payload: bytes("a\nb") },
      ],
    };
    const back = parseEnvelope(serializeEnvelope(original));
    expect(back.headers).toEqual(original.headers);
    expect(back.items.map((i) => [i.type, text(i.payload)])).toEqual([
      ["event", '{"message":"x"}'],
      ["attachment", "a\nb"],
    ]);
  });
});

describe("normalizeEventId", () => {
  it.each([
    ["9f8a1c0e4b2d4a7f8e6c5b4a39281706", "9f8a1c0e4b2d4a7f8e6c5b4a39281706"],
    ["9F8A1C0E-4B2D-4A7F-8E6C-5B4A39281706", "9f8a1c0e4b2d4a7f8e6c5b4a39281706"],
    ["not-an-id", undefined],
    ["00000000000000000000000000000000", undefined],
    [42, undefined],
    [undefined, undefined],
  ])("%s → %s", (input, expected) => {
    expect(normalizeEventId(input)).toBe(expected);
  });
});
