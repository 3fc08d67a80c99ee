// Content-Encoding: every encoding Node offers here (zstd is covered inside workerd by the integration
// tests), stacked encodings, compression bombs, and the legacy /store/ body forms.
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { FaultlineError } from "../../src/errors.ts";
import {
  decodeBody,
  decodeFirstLine,
  decodeLegacyStoreBody,
  readBodyCapped,
  readRequestBody,
  zstdFrames,
} from "../../src/protocol/decode.ts";

const json = new TextEncoder().encode('{"message":"hello"}');
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function status(f: () => unknown): number {
  try {
    f();
  } catch (error) {
    if (error instanceof FaultlineError) return error.status;
    throw error;
  }
  return 200;
}

describe("decodeBody", () => {
  const encoders: [string, (d: Uint8Array) => Uint8Array][] = [
    ["gzip", (d) => zlib.gzipSync(d)],
    ["deflate", (d) => zlib.deflateSync(d)],
    ["br", (d) => zlib.brotliCompressSync(d)],
  ];

  it.each(encoders)("decodes %s", (name, encode) => {
    expect(text(decodeBody(encode(json), name, 1024))).toBe('{"message":"hello"}');
  });

  it.each(encoders)("refuses a %s bomb with 413 before inflating it all", (name, encode) => {
    const bomb = encode(new Uint8Array(16 * 1024 * 1024));
    expect(bomb.byteLength).toBeLessThan(64 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    expect(status(() => decodeBody(bomb, name, 1024 * 1024))).toBe(413);
    // Nothing near the 16 MiB the bomb would have become stays allocated.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 1024 * 1024);
  });

  it("refuses a gzip bomb made of many concatenated members", () => {
    const member = zlib.gzipSync(new Uint8Array(1024 * 1024));
    const bomb = Buffer.concat(Array.from({ length: 8 }, () => member));
    expect(status(() => decodeBody(bomb, "gzip", 4 * 1024 * 1024))).toBe(413);
    expect(decodeBody(bomb, "gzip", 16 * 1024 * 1024).byteLength).toBe(8 * 1024 * 1024);
  });

  it("accepts raw deflate too, as some clients send it", () => {
    expect(text(decodeBody(zlib.deflateRawSync(json), "deflate", 1024))).toBe('{"message":"hello"}');
  });

  it("undoes stacked encodings right to left", () => {
    const twice = zlib.brotliCompressSync(zlib.gzipSync(json));
    expect(text(decodeBody(twice, "gzip, br", 1024))).toBe('{"message":"hello"}');
  });

  it("ignores empty, identity and UTF-8 encodings", () => {
    for (const e of [null, "", "identity", "UTF-8"]) expect(text(decodeBody(json, e, 1024))).toBe(text(json));
  });

  it("answers 415 for unknown encodings, 400 for corrupt streams, 413 for plain oversize", () => {
    expect(status(() => decodeBody(json, "compress", 1024))).toBe(415);
    expect(status(() => decodeBody(new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]), "gzip", 1024))).toBe(400);
    expect(status(() => decodeBody(new Uint8Array([1, 2, 3]), "br", 1024))).toBe(400);
    expect(status(() => decodeBody(json, null, 4))).toBe(413);
  });
});

describe("readBodyCapped", () => {
  const stream = (chunks: number[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const n of chunks) controller.enqueue(new Uint8Array(n));
        controller.close();
      },
    });

  it("concatenates chunks", async () => {
    expect((await readBodyCapped(stream([3, 4, 5]), 100)).byteLength).toBe(12);
    expect((await readBodyCapped(null, 100)).byteLength).toBe(0);
  });

  it("stops with 413 once the cap is passed", async () => {
    await expect(readBodyCapped(stream([60, 60]), 100)).rejects.toMatchObject({ status: 413 });
  });
});

describe("readRequestBody", () => {
  const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
    new Request("http://localhost/api/1/envelope/", {
      method: "POST",
      body,
      headers,
      duplex: "half",
    } as RequestInit);
  const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 251);

  it("reads a body of declared length whole, byte for byte", async () => {
    const body = await readRequestBody(post(bytes(300), { "content-length": "300" }), 1000);
    expect(body).toEqual(bytes(300));
  });

  it("reads a streamed body without a declared length as readBodyCapped does", async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes(40));
        controller.enqueue(bytes(50));
        controller.close();
      },
    });
    const body = await readRequestBody(post(stream), 1000);
    expect(body.byteLength).toBe(90);
    expect(body.slice(40)).toEqual(bytes(50));
  });

  it("answers 413 past the cap, declared or not", async () => {
    await expect(readRequestBody(post(bytes(200), { "content-length": "200" }), 100)).rejects.toMatchObject({
      status: 413,
    });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes(80));
        controller.enqueue(bytes(80));
        controller.close();
      },
    });
    await expect(readRequestBody(post(stream), 100)).rejects.toMatchObject({ status: 413 });
  });

  it("answers an empty body for a request without one", async () => {
    expect((await readRequestBody(post(null), 100)).byteLength).toBe(0);
  });
});

describe("decodeLegacyStoreBody", () => {
  it("passes JSON through, decodes base64 and base64 of zlib", () => {
    expect(text(decodeLegacyStoreBody(json))).toBe(text(json));
    const b64 = new TextEncoder().encode(Buffer.from(json).toString("base64"));
    expect(text(decodeLegacyStoreBody(b64))).toBe(text(json));
    const zb64 = new TextEncoder().encode(zlib.deflateSync(json).toString("base64"));
    expect(text(decodeLegacyStoreBody(zb64))).toBe(text(json));
  });

  it("refuses bytes that are none of those with 400", () => {
    expect(status(() => decodeLegacyStoreBody(new TextEncoder().encode("%%% nope")))).toBe(400);
  });

  it("answers 400, not an exception, for base64 of a bad length or padding", () => {
    for (const body of ["A", "AB=", "ABCDE", "A==="]) {
      expect(status(() => decodeLegacyStoreBody(new TextEncoder().encode(body)))).toBe(400);
    }
  });
});

describe("zstdFrames", () => {
  // A one-block raw frame holding "hi": magic, single-segment descriptor, 1-byte content size, block.
  const frame = [0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x02, 0x11, 0x00, 0x00, 0x68, 0x69];
  const skippable = [0x50, 0x2a, 0x4d, 0x18, 0x02, 0x00, 0x00, 0x00, 0xaa, 0xbb];

  it("splits concatenated frames and drops skippable ones", () => {
    const frames = zstdFrames(new Uint8Array([...frame, ...skippable, ...frame]));
    expect(frames.map((f) => [...f])).toEqual([frame, frame]);
  });

  it("answers 400 for truncated or foreign data", () => {
    expect(status(() => zstdFrames(new Uint8Array(frame.slice(0, 8))))).toBe(400);
    expect(status(() => zstdFrames(new Uint8Array([1, 2, 3, 4, 5])))).toBe(400);
  });
});

describe("decodeFirstLine", () => {
  const header = '{"dsn":"https://0123456789abcdef0123456789abcdef@x/1"}';
  const body = new TextEncoder().encode(`${header}\n{"type":"event"}\n{}\n`);
  const encoders: [string, (d: Uint8Array) => Uint8Array][] = [
    ["gzip", (d) => zlib.gzipSync(d)],
    ["deflate", (d) => zlib.deflateSync(d)],
    ["deflate", (d) => zlib.deflateRawSync(d)],
    ["br", (d) => zlib.brotliCompressSync(d)],
    ["gzip, br", (d) => zlib.brotliCompressSync(zlib.gzipSync(d))],
  ];

  it.each(encoders)("reads the first line of a %s body", async (name, encode) => {
    expect(text(await decodeFirstLine(encode(body), name, 1024))).toBe(header);
  });

  it("returns the whole body when it has no newline, and the plain first line", async () => {
    expect(text(await decodeFirstLine(zlib.gzipSync(new TextEncoder().encode(header)), "gzip", 1024))).toBe(
      header,
    );
    expect(text(await decodeFirstLine(body, null, 1024))).toBe(header);
  });

  it.each(encoders)("decodes no more of a %s bomb than the line cap needs", async (name, encode) => {
    const bomb = encode(new Uint8Array(64 * 1024 * 1024));
    const before = process.memoryUsage().arrayBuffers;
    const line = await decodeFirstLine(bomb, name, 1024);
    expect(line.byteLength).toBe(1025);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 1024 * 1024);
  });

  it("answers 415 for unknown encodings and 400 for corrupt streams", async () => {
    await expect(decodeFirstLine(body, "compress", 1024)).rejects.toMatchObject({ status: 415 });
    await expect(decodeFirstLine(new Uint8Array([1, 2, 3]), "br", 1024)).rejects.toMatchObject({
      status: 400,
    });
  });
});
