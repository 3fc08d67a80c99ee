// Chunk upload and assemble inputs: the streaming multipart reader, chunk verification (gzip, SHA-1
// names), the assemble body, and how chunks are regrouped into equal R2 parts.
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { FaultlineError } from "../../src/errors.ts";
import {
  headerParams,
  indexOfBytes,
  type MultipartPart,
  multipartBoundary,
  readMultipart,
} from "../../src/http/multipart.ts";
import { distinctChunks, parseAssembleRequest } from "../../src/symbol-service/assemble-request.ts";
import { isChunkField, verifyChunkPart } from "../../src/symbol-service/chunk-verify.ts";
import { planParts } from "../../src/symbol-service/part-plan.ts";

const enc = new TextEncoder();
const sha1 = (bytes: Uint8Array | string) => createHash("sha1").update(bytes).digest("hex");

function concat(...parts: (string | Uint8Array)[]): Uint8Array {
  const bytes = parts.map((p) => (typeof p === "string" ? enc.encode(p) : p));
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of bytes) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
}

/** A multipart body the way sentry-cli (curl) frames it. */
function multipartBody(boundary: string, parts: { name: string; filename?: string; body: Uint8Array }[]) {
  const pieces: (string | Uint8Array)[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined ? "" : `; filename="${part.filename}"`;
    pieces.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}\r\n`,
      "Content-Type: application/octet-stream\r\n\r\n",
      part.body,
      "\r\n",
    );
  }
  pieces.push(`--${boundary}--\r\n`);
  return concat(...pieces);
}

async function* inPieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.slice(i, i + size);
}

async function collect(body: Uint8Array, boundary: string, pieceSize: number, max = 1 << 20) {
  const parts: MultipartPart[] = [];
  for await (const part of readMultipart(inPieces(body, pieceSize), boundary, max)) parts.push(part);
  return parts;
}

async function failure(promise: Promise<unknown>): Promise<FaultlineError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof FaultlineError)) throw new Error(`expected a FaultlineError, got ${String(error)}`);
  return error;
}

describe("multipartBoundary / headerParams", () => {
  it.each([
    [
      "multipart/form-data; boundary=------------------------cOWpZ86pusyJpSN2VtvBZZ",
      "------------------------cOWpZ86pusyJpSN2VtvBZZ",
    ],
    ['multipart/form-data; boundary="quoted; boundary"', "quoted; boundary"],
    ["Multipart/Form-Data;charset=utf-8; BOUNDARY=abc", "abc"],
  ])("reads the boundary of %s", (header, boundary) => {
    expect(multipartBoundary(header)).toBe(boundary);
  });

  it.each([
    null,
    "application/json",
    "multipart/form-data",
    `multipart/form-data; boundary=${"x".repeat(71)}`,
  ])("refuses %s", (header) => {
    expect(() => multipartBoundary(header)).toThrow(FaultlineError);
  });

  it("keeps escaped quotes and the first of repeated keys", () => {
    const params = headerParams('; name="a\\"b"; filename=plain; name="second"');
    expect(params.get("name")).toBe('a"b');
    expect(params.get("filename")).toBe("plain");
  });
});

describe("indexOfBytes", () => {
  it.each([
    ["abcabd", "abd", 0, 3],
    ["abcabd", "abc", 1, -1],
    ["aaab", "aab", 0, 1],
    ["ab", "abc", 0, -1],
  ])("finds %s in %s", (hay, needle, from, expected) => {
    expect(indexOfBytes(enc.encode(hay), enc.encode(needle), from)).toBe(expected);
  });
});

describe("readMultipart", () => {
  const boundary = "------------------------cOWpZ86pusyJpSN2VtvBZZ";
  // Bodies that contain CR/LF and boundary-like text, to prove only the full delimiter ends a part.
  const tricky = concat("line\r\n--", boundary.slice(0, 10), "\r\n\r\n", new Uint8Array([0, 13, 10, 45, 45]));
  const body = multipartBody(boundary, [
    { name: "file_gzip", filename: "aa", body: tricky },
    { name: "file", filename: "bb", body: new Uint8Array(0) },
    { name: "other", body: enc.encode("x") },
  ]);

  it.each([1, 2, 7, 64, 4096])("yields the same parts whatever the piece size (%i bytes)", async (size) => {
    const parts = await collect(body, boundary, size);
    expect(parts.map((p) => [p.name, p.filename, p.contentType])).toEqual([
      ["file_gzip", "aa", "application/octet-stream"],
      ["file", "bb", "application/octet-stream"],
      ["other", null, "application/octet-stream"],
    ]);
    expect([...(parts[0]?.body ?? [])]).toEqual([...tricky]);
    expect(parts[1]?.body.byteLength).toBe(0);
    expect(new TextDecoder().decode(parts[2]?.body)).toBe("x");
  });

  it("skips a preamble and ignores an epilogue", async () => {
    const withExtras = concat("preamble text\r\n", body, "epilogue");
    expect((await collect(withExtras, boundary, 5)).length).toBe(3);
  });

  it("reads an empty form (closing boundary only)", async () => {
    expect(await collect(enc.encode(`--${boundary}--\r\n`), boundary, 3)).toEqual([]);
  });

  it.each([
    ["ends before the closing boundary", body.slice(0, body.byteLength - 10)],
    ["is empty", new Uint8Array(0)],
    ["has garbage after a boundary", enc.encode(`--${boundary}XX\r\n`)],
    [
      "has a part without Content-Disposition",
      enc.encode(`--${boundary}\r\nX: y\r\n\r\nz\r\n--${boundary}--`),
    ],
    [
      "has a part without a name",
      enc.encode(`--${boundary}\r\nContent-Disposition: form-data\r\n\r\nz\r\n--${boundary}--`),
    ],
    ["has endless headers", concat(`--${boundary}\r\n`, "X".repeat(20_000))],
  ])("refuses a body that %s with 400", async (_, bad) => {
    expect((await failure(collect(bad, boundary, 1000))).status).toBe(400);
  });

  it("refuses a part larger than the cap with 413 before reading it all", async () => {
    const big = multipartBody(boundary, [{ name: "file", filename: "x", body: new Uint8Array(5000) }]);
    expect((await failure(collect(big, boundary, 100, 1000))).status).toBe(413);
  });
});

describe("verifyChunkPart", () => {
  const chunk = enc.encode("chunk bytes ".repeat(100));
  const part = (name: string, filename: string | null, body: Uint8Array): MultipartPart => ({
    name,
    filename,
    contentType: "application/octet-stream",
    body,
  });

  it("accepts gzip parts named by the SHA-1 of the uncompressed chunk", () => {
    const verified = verifyChunkPart(part("file_gzip", sha1(chunk), gzipSync(chunk)), 4096);
    expect(verified.sha1).toBe(sha1(chunk));
    expect([...verified.bytes]).toEqual([...chunk]);
  });

  it("accepts plain parts and upper-case names", () => {
    expect(verifyChunkPart(part("file", sha1(chunk).toUpperCase(), chunk), 4096).sha1).toBe(sha1(chunk));
  });

  it.each([
    ["a gzip part named by the compressed bytes", part("file_gzip", sha1(gzipSync(chunk)), gzipSync(chunk))],
    ["a wrong checksum", part("file", sha1("other"), chunk)],
    ["no filename", part("file", null, chunk)],
    ["a filename that is not hex", part("file", "z".repeat(40), chunk)],
    ["a gzip part that is not gzip", part("file_gzip", sha1(chunk), chunk)],
    ["a chunk over the size limit", part("file", sha1(chunk), chunk)],
    [
      "a gzip bomb past the size limit",
      part("file_gzip", sha1(new Uint8Array(1 << 20)), gzipSync(new Uint8Array(1 << 20))),
    ],
  ])("refuses %s with 400", (name, bad) => {
    const limit = name.includes("limit") ? 100 : 4096;
    expect(() => verifyChunkPart(bad, limit)).toThrow(FaultlineError);
  });

  it("only treats file and file_gzip as chunks", () => {
    expect(["file", "file_gzip", "file_brotli", "name"].map(isChunkField)).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

describe("parseAssembleRequest", () => {
  const a = "a".repeat(40);
  const b = "b".repeat(40);

  it("reads sentry-cli's body (capture of 3.8)", () => {
    const body = {
      "516747ff0445c758d4e26b121383ab459d533b91": {
        name: "orderd",
        debug_id: "fbf6f6ea-1e62-d658-2538-307b2e452202",
        chunks: ["516747ff0445c758d4e26b121383ab459d533b91"],
      },
    };
    expect(parseAssembleRequest(body)).toEqual([
      {
        checksum: "516747ff0445c758d4e26b121383ab459d533b91",
        name: "orderd",
        debugId: "fbf6f6ea-1e62-d658-2538-307b2e452202",
        chunks: ["516747ff0445c758d4e26b121383ab459d533b91"],
      },
    ]);
  });

  it("accepts a missing or null debug_id and empty chunk lists (a poll)", () => {
    expect(
      parseAssembleRequest({
        [a]: { name: "x", chunks: [] },
        [b]: { name: "y", debug_id: null, chunks: [a] },
      }),
    ).toEqual([
      { checksum: a, name: "x", debugId: null, chunks: [] },
      { checksum: b, name: "y", debugId: null, chunks: [a] },
    ]);
  });

  it.each([
    ["a list", []],
    ["null", null],
    ["an upper-case checksum key", { [a.toUpperCase()]: { name: "x", chunks: [] } }],
    ["a short checksum key", { abc: { name: "x", chunks: [] } }],
    ["a file that is not an object", { [a]: "x" }],
    ["a missing name", { [a]: { chunks: [] } }],
    ["an empty name", { [a]: { name: "", chunks: [] } }],
    ["a numeric debug_id", { [a]: { name: "x", debug_id: 5, chunks: [] } }],
    ["missing chunks", { [a]: { name: "x" } }],
    ["a bad chunk checksum", { [a]: { name: "x", chunks: ["nope"] } }],
    ["too many chunks", { [a]: { name: "x", chunks: Array(5000).fill(a) } }],
  ])("refuses %s with 400", (_, body) => {
    expect(() => parseAssembleRequest(body)).toThrow(FaultlineError);
  });

  it("lists repeated chunks once, in order", () => {
    expect(distinctChunks([b, a, b, a])).toEqual([b, a]);
  });
});

describe("planParts", () => {
  it("maps equal chunks one to one onto parts of the same size", () => {
    const plan = planParts([8, 8, 3], 8);
    expect(plan.map((p) => [p.partNumber, p.offset, p.length, p.segments])).toEqual([
      [1, 0, 8, [{ chunkIndex: 0, start: 0, end: 8 }]],
      [2, 8, 8, [{ chunkIndex: 1, start: 0, end: 8 }]],
      [3, 16, 3, [{ chunkIndex: 2, start: 0, end: 3 }]],
    ]);
  });

  it("regroups small chunks and splits large ones so every part but the last is full", () => {
    const plan = planParts([3, 3, 3, 12, 1], 5);
    expect(plan.map((p) => p.length)).toEqual([5, 5, 5, 5, 2]);
    expect(plan[0]?.segments).toEqual([
      { chunkIndex: 0, start: 0, end: 3 },
      { chunkIndex: 1, start: 0, end: 2 },
    ]);
    expect(plan[2]?.segments).toEqual([{ chunkIndex: 3, start: 1, end: 6 }]);
    // Every byte appears exactly once, in file order.
    const covered = plan.flatMap((p) => p.segments.map((s) => `${s.chunkIndex}:${s.start}-${s.end}`));
    expect(covered).toEqual([
      "0:0-3",
      "1:0-2",
      "1:2-3",
      "2:0-3",
      "3:0-1",
      "3:1-6",
      "3:6-11",
      "3:11-12",
      "4:0-1",
    ]);
  });

  it.each([
    [[], 0],
    [[0, 0], 0],
    [[5], 1],
    [[5, 1], 2],
  ])("plans %j into %i parts", (sizes, count) => {
    expect(planParts(sizes, 5).length).toBe(count);
  });

  it.each([
    [[1], 0],
    [[-1], 5],
    [[1.5], 5],
  ])("refuses sizes %j with part size %i", (sizes, partBytes) => {
    expect(() => planParts(sizes, partBytes)).toThrow(RangeError);
  });
});
