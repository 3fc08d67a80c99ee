// Debug files: identification of the uploaded bytes (the Rust fixture, its split .debug, its source
// bundle, and things that are not debug files), Sentry's redundancy rule, and the API JSON.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  type DebugFileRecord,
  downloadFileName,
  serializeAssembleStatus,
  serializeDebugFile,
} from "../../src/api/serializers/debug-file.ts";
import { redundantDebugFiles } from "../../src/symbol-service/debug-files.ts";
import { memorySource } from "../../src/symbolication/byte-source.ts";
import { basename, chooseDebugId, DifError, identifyDebugFile } from "../../src/symbolication/identify.ts";
import { readSourceBundle, SourceBundleError } from "../../src/symbolication/source-bundle.ts";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "debug-files");
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));
interface Expected {
  sha1: string;
  size: number;
  check: { variants: { debug_id: string; code_id: string; arch: string }[]; features: string } | null;
}
const expected: Record<string, Expected> = JSON.parse(readFileSync(join(FIXTURES, "expected.json"), "utf8"));
const appCheck = expected.app?.check?.variants[0];

async function difError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof DifError)) throw new Error(`expected a DifError, got ${String(error)}`);
  return error.message;
}

describe("identifyDebugFile", () => {
  it("agrees with `sentry-cli debug-files check` on the Rust executable", async () => {
    const meta = await identifyDebugFile(memorySource(fixture("app")), "app", null);
    expect(meta).toEqual({
      debugId: appCheck?.debug_id,
      codeId: appCheck?.code_id,
      objectName: "app",
      cpuName: "x86_64",
      symbolType: "elf",
      // A PIE executable is ET_DYN: symbolic (and so sentry-cli) calls it a library.
      kind: "lib",
      features: ["symtab", "debug", "unwind"],
      contentType: "application/x-elf-binary",
    });
  });

  it("identifies the split .debug companion with the same debug id", async () => {
    const meta = await identifyDebugFile(memorySource(fixture("app.debug")), "app.debug", null);
    expect(meta.debugId).toBe(expected["app.debug"]?.check?.variants[0]?.debug_id);
    expect(meta.debugId).toBe(appCheck?.debug_id);
    expect(meta.kind).toBe("dbg");
    expect(meta.features).toEqual(["symtab", "debug"]);
  });

  it("identifies the source bundle by its manifest", async () => {
    const meta = await identifyDebugFile(memorySource(fixture("app.src.zip")), "app", null);
    expect(meta).toMatchObject({
      debugId: appCheck?.debug_id,
      codeId: appCheck?.code_id,
      symbolType: "sourcebundle",
      kind: "src",
      features: ["sources"],
      cpuName: "x86_64",
      contentType: "application/x-sentry-bundle+zip",
    });
  });

  it("keeps the server's debug id over a different client id", async () => {
    const meta = await identifyDebugFile(
      memorySource(fixture("app")),
      "some/dir/app",
      "00000000-0000-0000-0000-000000000001",
    );
    expect(meta.debugId).toBe(appCheck?.debug_id);
    expect(meta.objectName).toBe("app");
  });

  it.each([
    ["text", new TextEncoder().encode("this is not a debug file at all\n")],
    ["a ZIP", new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0])],
    ["a PE file", new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0])],
    ["a tiny file", new Uint8Array([1, 2, 3])],
    ["a truncated ELF", fixture("app").slice(0, 100)],
    ["a bundle without a ZIP", new Uint8Array([0x53, 0x59, 0x53, 0x42, 2, 0, 0, 0, 1, 2, 3])],
  ])("refuses %s with a DifError whose detail names the problem", async (_, bytes) => {
    const detail = await difError(identifyDebugFile(memorySource(bytes), "x", null));
    expect(detail).toMatch(/Unsupported debug information file|Invalid source bundle|Invalid debug/);
  });
});

describe("readSourceBundle", () => {
  /** A stored-or-deflated single-entry ZIP after the SYSB header, offsets relative to the ZIP start. */
  function bundle(manifest: string, options: { deflate?: boolean; absoluteOffsets?: boolean } = {}) {
    const name = new TextEncoder().encode("manifest.json");
    const raw = new TextEncoder().encode(manifest);
    const data = options.deflate ? deflateRawSync(raw) : raw;
    const header = 8;
    const local = new Uint8Array(30 + name.length + data.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(8, options.deflate ? 8 : 0, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, raw.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    local.set(data, 30 + name.length);
    const base = options.absoluteOffsets ? header : 0;
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(10, options.deflate ? 8 : 0, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, raw.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, base, true);
    central.set(name, 46);
    const eocd = new Uint8Array(22);
    const ev = new DataView(eocd.buffer);
    ev.setUint32(0, 0x06054b50, true);
    ev.setUint16(8, 1, true);
    ev.setUint16(10, 1, true);
    ev.setUint32(12, central.length, true);
    ev.setUint32(16, base + local.length, true);
    const out = new Uint8Array(header + local.length + central.length + eocd.length);
    out.set([0x53, 0x59, 0x53, 0x42, 2, 0, 0, 0]);
    out.set(local, header);
    out.set(central, header + local.length);
    out.set(eocd, header + local.length + central.length);
    return out;
  }
  const manifest = JSON.stringify({
    files: { "files/a.rs": { type: "source", path: "a.rs" } },
    debug_id: "4EA1B71E9C1AEADCA6758918563690CD",
    code_id: "ABCDEF",
    object_name: "app",
    arch: "arm64",
  });

  it.each([
    ["stored, offsets relative to the ZIP", {}],
    ["deflated", { deflate: true }],
    ["offsets relative to the file", { absoluteOffsets: true }],
  ])("reads the manifest (%s)", async (_, options) => {
    expect(await readSourceBundle(memorySource(bundle(manifest, options)))).toEqual({
      debugId: "4ea1b71e-9c1a-eadc-a675-8918563690cd",
      codeId: "abcdef",
      objectName: "app",
      arch: "arm64",
      fileCount: 1,
    });
  });

  it.each([
    ["a manifest that is not JSON", bundle("{nope")],
    ["a manifest that is a list", bundle("[]")],
    ["a truncated ZIP", bundle(manifest).slice(0, 40)],
    ["no SYSB magic", bundle(manifest).fill(0, 0, 4)],
  ])("refuses %s", async (_, bytes) => {
    await expect(readSourceBundle(memorySource(bytes))).rejects.toThrow(SourceBundleError);
  });

  it("reports a bundle whose manifest has no debug id as an invalid bundle", async () => {
    const bytes = bundle(JSON.stringify({ files: {} }));
    expect(await difError(identifyDebugFile(memorySource(bytes), "x", null))).toMatch(/names no debug_id/);
  });
});

describe("chooseDebugId / basename", () => {
  const server = "4ea1b71e-9c1a-eadc-a675-8918563690cd";
  it.each([
    [null, server],
    ["4ea1b71e-9c1a-eadc-a675-8918563690cd-1a", `${server}-1a`],
    ["4EA1B71E9C1AEADCA6758918563690CD1a", `${server}-1a`],
    ["00000000-0000-0000-0000-000000000000-1", server],
    ["not an id", server],
  ])("client %s → %s", (client, chosen) => {
    expect(chooseDebugId(server, client)).toBe(chosen);
  });

  it.each([
    ["app", "app"],
    ["target/release/app", "app"],
    ["C:\\build\\app.pdb", "app.pdb"],
    ["dir/", "dir"],
  ])("basename(%s) = %s", (name, base) => {
    expect(basename(name)).toBe(base);
  });
});

describe("redundantDebugFiles", () => {
  const row = (id: number, features: string[]) => ({ id, features: JSON.stringify(features) });
  it.each([
    [
      "exe, then .debug, then sources: all stay",
      [row(3, ["sources"]), row(2, ["symtab", "debug"]), row(1, ["symtab", "debug", "unwind"])],
      [],
    ],
    [
      "a rebuilt file replaces the older one",
      [row(2, ["symtab", "unwind"]), row(1, ["symtab", "unwind"])],
      [1],
    ],
    [
      "a full file makes an older .debug redundant",
      [row(2, ["symtab", "debug", "unwind"]), row(1, ["symtab", "debug"])],
      [1],
    ],
    [
      "newer files together cover an older one",
      [row(3, ["debug"]), row(2, ["unwind", "symtab"]), row(1, ["symtab", "debug"])],
      [1],
    ],
    ["the newest is never dropped", [row(1, [])], []],
  ])("%s", (_, newestFirst, redundant) => {
    expect(redundantDebugFiles(newestFirst)).toEqual(redundant);
  });
});

describe("serializeDebugFile / serializeAssembleStatus", () => {
  const record: DebugFileRecord = {
    id: 7,
    checksum: "cf3786a529f3e097db91458485aa24c30162d7d6",
    debugId: "a0981e9a-287a-de45-d465-43c3f2d86206",
    codeId: "9a1e98a07a2845ded46543c3f2d862065f5e1835",
    objectName: "app",
    cpuName: "x86_64",
    symbolType: "elf",
    kind: "exe",
    features: '["symtab","debug","unwind"]',
    size: 4362856,
    contentType: "application/x-elf-binary",
    createdAt: 1795506130,
  };
  const dif = {
    id: "7",
    uuid: "a0981e9a-287a-de45-d465-43c3f2d86206",
    debugId: "a0981e9a-287a-de45-d465-43c3f2d86206",
    codeId: "9a1e98a07a2845ded46543c3f2d862065f5e1835",
    cpuName: "x86_64",
    objectName: "app",
    symbolType: "elf",
    headers: { "Content-Type": "application/x-elf-binary" },
    size: 4362856,
    sha1: "cf3786a529f3e097db91458485aa24c30162d7d6",
    dateCreated: "2026-11-24T07:42:10.000Z",
    data: { type: "exe", features: ["symtab", "debug", "unwind"] },
  };

  it("writes Sentry's dif object (ids as strings, ISO dates)", () => {
    expect(serializeDebugFile(record)).toEqual(dif);
    expect(serializeDebugFile({ ...record, features: "broken" }).data.features).toEqual([]);
  });

  it.each([
    [
      { state: "not_found", missingChunks: ["a"] } as const,
      { state: "not_found", missingChunks: ["a"], detail: null },
    ],
    [{ state: "created" } as const, { state: "created", missingChunks: [], detail: null }],
    [{ state: "assembling" } as const, { state: "assembling", missingChunks: [], detail: null }],
    [{ state: "error", detail: "bad" } as const, { state: "error", missingChunks: [], detail: "bad" }],
    [{ state: "ok", debugFile: record } as const, { state: "ok", missingChunks: [], detail: null, dif }],
  ])("answers %j with missingChunks always present", (status, json) => {
    expect(serializeAssembleStatus(status)).toEqual(json);
  });

  it.each([
    [{ debugId: "d", symbolType: "elf", kind: "lib" }, "d"],
    [{ debugId: "d", symbolType: "elf", kind: "dbg" }, "d.debug"],
    [{ debugId: "d", symbolType: "sourcebundle", kind: "src" }, "d.src.zip"],
  ])("names downloads %j → %s", (row, name) => {
    expect(downloadFileName(row)).toBe(name);
  });
});
