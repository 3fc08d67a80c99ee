// The grouping hash's MD5 is the standard one: RFC 1321's test suite, and the same digests as
// node:crypto for texts around every padding boundary and for multi-byte UTF-8.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashValues, md5Hex } from "../../src/grouping/hash.ts";

const reference = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

describe("md5Hex", () => {
  it("answers RFC 1321's test suite", () => {
    expect(md5Hex("")).toBe("d41d8cd98f00b204e9800998ecf8427e");
    expect(md5Hex("a")).toBe("0cc175b9c0f1b6a831c399e269772661");
    expect(md5Hex("abc")).toBe("900150983cd24fb0d6963f7d28e17f72");
    expect(md5Hex("message digest")).toBe("f96b697d7cb7938d525a2f31aaf161d0");
    expect(md5Hex("abcdefghijklmnopqrstuvwxyz")).toBe("c3fcd3d76192e4007dfb496cca67e13b");
    expect(md5Hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")).toBe(
      "d174ab98d277d9f5a5611c2c9f419d9f",
    );
    expect(md5Hex("1234567890".repeat(8))).toBe("57edf4a22be3c955ac49da2e2107b67a");
  });

  it("agrees with node:crypto at every length across the padding boundaries", () => {
    for (let n = 0; n <= 200; n++) {
      const text = Array.from({ length: n }, (_, i) => String.fromCharCode(33 + ((i * 7 + n) % 90))).join("");
      expect(md5Hex(text), `length ${n}`).toBe(reference(text));
    }
  });

  it("hashes the UTF-8 bytes of non-ASCII text", () => {
    for (const text of ["ünïcödé", "日本語のエラー", "emoji 🦀 panic", "\u2028\u2029", "a\u0000b"]) {
      expect(md5Hex(text)).toBe(reference(text));
    }
  });

  it("hashes long texts of many blocks", () => {
    const text = JSON.stringify(Array.from({ length: 500 }, (_, i) => `function:crate::module_${i}::f`));
    expect(md5Hex(text)).toBe(reference(text));
  });
});

describe("hashValues", () => {
  it("hashes the values as one JSON array, and no values as the empty string", () => {
    expect(hashValues(["ab", "c"])).toBe(reference('["ab","c"]'));
    expect(hashValues(["ab", "c"])).not.toBe(hashValues(["a", "bc"]));
    expect(hashValues([])).toBe(reference(""));
  });
});
