// Which trace ids an events row stores as bytes: exactly 32 lowercase hex digits; anything else stays
// the text that came, so it reads back unchanged and is matched only by itself.
import { describe, expect, it } from "vitest";
import { traceIdAsBlobHex, traceIdBinds, traceIdMatchBinds } from "../../src/db/hex-ids.ts";

describe("trace ids as bytes", () => {
  const hex = "0123456789abcdef".repeat(2);
  it("stores 32 lowercase hex digits as a blob and everything else as text", () => {
    expect(traceIdBinds(hex)).toEqual([hex, null]);
    for (const other of [hex.toUpperCase(), hex.slice(1), `${hex}0`, "g".repeat(32), "", "not-a-trace"])
      expect(traceIdBinds(other)).toEqual([null, other]);
    expect(traceIdBinds(null)).toEqual([null, null]);
    expect(traceIdBinds(undefined)).toEqual([null, null]);
  });

  it("matches a lookup's blob form only for an id stored that way", () => {
    expect(traceIdMatchBinds(hex)).toEqual([hex, hex]);
    expect(traceIdMatchBinds(hex.toUpperCase())).toEqual([hex.toUpperCase(), null]);
    expect(traceIdAsBlobHex(`${hex} `)).toBeNull();
  });
});
