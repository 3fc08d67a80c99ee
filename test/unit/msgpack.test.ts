// The MessagePack reader sentry-native's Crashpad uploads need: every value kind it writes, sequences
// of values, and what a truncated or hostile buffer gives.
import { describe, expect, it } from "vitest";
import { decodeMsgpackSequence } from "../../src/protocol/msgpack.ts";
import { encodeMsgpack } from "../fixtures/msgpack-encode.ts";

describe("decodeMsgpackSequence", () => {
  it("reads maps, arrays, strings, integers, floats, booleans and nil", () => {
    const event = {
      level: "fatal",
      release: "native@1.0",
      tags: { a: "b", long: "x".repeat(40) },
      extra: { n: 7, negative: -3, big: 4_000_000_000, ratio: 0.25, yes: true, no: false, none: null },
      list: [1, "two", [3]],
    };
    expect(decodeMsgpackSequence(encodeMsgpack(event))).toEqual([event]);
  });

  it("reads a sequence of values (a breadcrumb ring buffer)", () => {
    const crumbs = [{ message: "one" }, { message: "two" }];
    const bytes = new Uint8Array([...encodeMsgpack(crumbs[0] ?? {}), ...encodeMsgpack(crumbs[1] ?? {})]);
    expect(decodeMsgpackSequence(bytes)).toEqual(crumbs);
  });

  it("keeps what it read before a truncation, and refuses lengths past the buffer", () => {
    const bytes = new Uint8Array([
      ...encodeMsgpack({ message: "one" }),
      ...encodeMsgpack({ message: "two" }),
    ]);
    expect(decodeMsgpackSequence(bytes.subarray(0, bytes.length - 2))).toEqual([{ message: "one" }]);
    // A map claiming 2^32-1 entries in a 6-byte buffer.
    expect(decodeMsgpackSequence(new Uint8Array([0xdf, 0xff, 0xff, 0xff, 0xff, 0x00]))).toEqual([]);
    // Nesting deeper than the bound.
    expect(decodeMsgpackSequence(new Uint8Array(100).fill(0x91))).toEqual([]);
  });
});
