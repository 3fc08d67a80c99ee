// Object identification against sentry-cli's own report of the same fixture files
// (test/fixtures/native/expected-ids.tsv, written by build.sh), plus malformed inputs.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FaultlineError } from "../../src/errors.ts";
import { type ByteSource, memorySource } from "../../src/symbolication/byte-source.ts";
import { elfDebugId, normalizeDebugId } from "../../src/symbolication/debug-id.ts";
import {
  difDescription,
  identifyObject,
  identifyObjects,
  identifyObjectsFrom,
} from "../../src/symbolication/object.ts";

const fixtures = new URL("../fixtures/native/", import.meta.url);
const readFixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`bin/${name}`, fixtures)));

interface CliReport {
  variants: { debug_id: string; code_id: string | null; arch: string }[];
  features: string;
}
const expected = readFileSync(new URL("expected-ids.tsv", fixtures), "utf8")
  .trim()
  .split("\n")
  .map((line) => {
    const [file = "", type = "", json = "{}"] = line.split("\t");
    return { file, type, report: JSON.parse(json) as CliReport };
  });

// sentry-cli prints "<format> <kind>" with its own words for the kinds.
const CLI_KIND: Record<string, string> = {
  executable: "executable",
  library: "library",
  "debug companion": "debug",
  object: "relocatable",
};

describe("identifyObjects agrees with sentry-cli debug-files check", () => {
  it("has an oracle line for every fixture", () => {
    expect(expected.length).toBeGreaterThanOrEqual(20);
  });
  it.each(expected)("$file", ({ file, type, report }) => {
    const objects = identifyObjects(readFixture(file));
    expect(objects.map((o) => o.debugId)).toEqual(report.variants.map((v) => v.debug_id));
    expect(objects.map((o) => o.codeId ?? null)).toEqual(report.variants.map((v) => v.code_id));
    expect(objects.map((o) => o.arch)).toEqual(report.variants.map((v) => v.arch));
    const features = new Set(objects.flatMap((o) => o.features));
    expect([...features].join(",") || "none").toBe(report.features);
    const kind = type.split(" ").slice(1).join(" ");
    expect(objects[0]?.kind).toBe(CLI_KIND[kind]);
  });
});

describe("identification details", () => {
  it("reads the soname and the load address", () => {
    const ppc = identifyObject(readFixture("elf-ppc64-be"));
    expect(ppc.name).toBe("libppctest.so");
    expect(identifyObject(readFixture("c-nopie")).loadAddress).toBe("0x400000");
    expect(identifyObject(readFixture("c-dwarf5")).loadAddress).toBe("0x0");
    expect(identifyObject(readFixture("macho-exe-x86_64")).loadAddress).toBe("0x100000000");
    expect(identifyObject(readFixture("macho-dylib-armv7")).name).toBe("@rpath/libfixture.dylib");
  });

  it.each([
    [
      "c-dwarf5",
      {
        symbolType: "elf",
        cpuName: "x86_64",
        data: { type: "lib", features: ["symtab", "debug", "unwind"] },
      },
    ],
    ["c-split.debug", { symbolType: "elf", data: { type: "dbg", features: ["symtab", "debug"] } }],
    ["c-nopie", { data: { type: "exe" } }],
    ["c-x86.o", { cpuName: "x86", data: { type: "rel" } }],
    [
      "macho-dsym-arm64",
      {
        symbolType: "macho",
        cpuName: "arm64",
        headers: { "Content-Type": "application/x-mach-binary" },
        data: { type: "dbg" },
      },
    ],
  ])("describes %s as Sentry's dif does", (name, expected) => {
    expect(difDescription(identifyObject(readFixture(name)))).toMatchObject(expected);
  });

  it("gives fat members their own byte ranges and refuses them as a single object", () => {
    const bytes = readFixture("macho-fat");
    const members = identifyObjects(bytes);
    expect(members.map((m) => m.arch)).toEqual(["x86_64", "armv7"]);
    for (const member of members) {
      expect(member.fileOffset + member.fileSize).toBeLessThanOrEqual(bytes.byteLength);
      const alone = identifyObject(bytes.subarray(member.fileOffset, member.fileOffset + member.fileSize));
      expect(alone.debugId).toBe(member.debugId);
    }
    expect(() => identifyObject(bytes)).toThrow("Object contains 2 architectures (1 expected)");
  });

  it("reads only headers, section tables and notes through a ByteSource", async () => {
    const bytes = readFixture("rust-lto");
    let bytesRead = 0;
    let reads = 0;
    const inner = memorySource(bytes);
    const counting: ByteSource = {
      size: inner.size,
      read(offset, length) {
        reads += 1;
        bytesRead += length;
        return inner.read(offset, length);
      },
    };
    const [viaSource] = await identifyObjectsFrom(counting);
    expect(viaSource).toEqual(identifyObject(bytes));
    expect(reads).toBeLessThanOrEqual(8);
    expect(bytesRead).toBeLessThan(16 * 1024);
  });

  it("derives ELF debug ids as documented (first 16 bytes, GUID fields swapped on little-endian)", () => {
    const buildId = Uint8Array.from(Buffer.from("9a1e98a07a2845ded46543c3f2d862065f5e1835", "hex"));
    expect(elfDebugId(buildId, true)).toBe("a0981e9a-287a-de45-d465-43c3f2d86206");
    expect(elfDebugId(buildId, false)).toBe("9a1e98a0-7a28-45de-d465-43c3f2d86206");
    expect(elfDebugId(Uint8Array.from([1, 2, 3, 4]), true)).toBe("04030201-0000-0000-0000-000000000000");
  });

  it.each([
    ["a0981e9a-287a-de45-d465-43c3f2d86206", "a0981e9a-287a-de45-d465-43c3f2d86206"],
    ["A0981E9A-287A-DE45-D465-43C3F2D86206", "a0981e9a-287a-de45-d465-43c3f2d86206"],
    ["a0981e9a287ade45d46543c3f2d86206", "a0981e9a-287a-de45-d465-43c3f2d86206"],
    ["C0BCC3F19827FE653058404B2831D9E60", "c0bcc3f1-9827-fe65-3058-404b2831d9e6"],
    ["C0BCC3F19827FE653058404B2831D9E61A", "c0bcc3f1-9827-fe65-3058-404b2831d9e6-1a"],
    ["{a0981e9a-287a-de45-d465-43c3f2d86206}", "a0981e9a-287a-de45-d465-43c3f2d86206"],
    ["a0981e9a-287a-de45-d465-43c3f2d86206-0", "a0981e9a-287a-de45-d465-43c3f2d86206"],
    ["not-a-debug-id", undefined],
    ["a0981e9a-287a-de45-d465", undefined],
    ["", undefined],
  ])("normalizeDebugId(%s)", (input, output) => {
    expect(normalizeDebugId(input)).toBe(output);
  });
});

describe("refuses what is not a debug file, with a 400", () => {
  const elf = readFixture("c-dwarf5");
  const withSectionTableMovedPastEnd = elf.slice();
  new DataView(withSectionTableMovedPastEnd.buffer).setBigUint64(40, BigInt(elf.byteLength + 100), true);
  const machTooManyCommands = readFixture("macho-exe-x86_64").slice();
  new DataView(machTooManyCommands.buffer).setUint32(20, 0x7fffffff, true);
  const fatOutside = readFixture("macho-fat").slice();
  new DataView(fatOutside.buffer).setUint32(8 + 8, 0x10000000, false);
  const badClass = elf.slice(0, 64);
  badClass[4] = 7;

  it.each([
    ["an empty file", new Uint8Array(0), "not a supported debug file"],
    ["text", new TextEncoder().encode("hello world, not an object"), "not a supported debug file"],
    ["a PE file", Uint8Array.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0]), "PE/COFF"],
    ["a ZIP archive", Uint8Array.from([0x50, 0x4b, 3, 4, 20, 0, 0, 0, 8, 0]), "ZIP"],
    [
      "a Java class file (fat magic)",
      Uint8Array.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x34, 0, 1]),
      "magic",
    ],
    ["a truncated ELF header", elf.slice(0, 40), "malformed debug file"],
    ["an unknown ELF class", badClass, "unknown ELF class"],
    ["an ELF section table past the end", withSectionTableMovedPastEnd, "past the end"],
    ["Mach-O load commands larger than the file", machTooManyCommands, "load commands"],
    ["a fat member outside the file", fatOutside, "outside the file"],
  ])("%s", (_name, bytes, message) => {
    let caught: unknown;
    try {
      identifyObjects(bytes);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FaultlineError);
    expect((caught as FaultlineError).status).toBe(400);
    expect((caught as FaultlineError).detail).toContain(message);
  });

  it("never throws anything but a 400 on truncated prefixes of real files", () => {
    for (const name of ["c-dwarf5", "c-armhf", "macho-fat", "macho-dsym-arm64", "elf-mips-be"]) {
      const bytes = readFixture(name);
      for (let length = 0; length < Math.min(bytes.byteLength, 2048); length += 7) {
        try {
          identifyObjects(bytes.subarray(0, length));
        } catch (error) {
          expect(error).toBeInstanceOf(FaultlineError);
        }
      }
    }
  });
});
