// Every encoding SDKs send, decoded inside workerd (node:zlib from nodejs_compat), each with its bomb.
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { authHeader, createTenant, envelope, eventRow, newEventId, send } from "./helpers.ts";

type Encoder = (data: Uint8Array) => Uint8Array;
// workerd's node:zlib has zstd; the Node 20 type definitions do not know it yet.
const zstd = zlib as typeof zlib & { zstdCompressSync(data: Uint8Array): Uint8Array };

const encoders: Record<string, Encoder> = {
  gzip: (d) => zlib.gzipSync(d),
  deflate: (d) => zlib.deflateSync(d),
  br: (d) => zlib.brotliCompressSync(d),
  zstd: (d) => zstd.zstdCompressSync(d),
};

describe.each(Object.entries(encoders))("Content-Encoding: %s", (name, encode) => {
  it("decodes an envelope", async () => {
    const t = await createTenant();
    const id = newEventId();
    const body = encode(
      envelope({ event_id: id }, [{ type: "event" }, JSON.stringify({ message: `compressed with ${name}` })]),
    );
    const res = await send(`/api/${t.projectId}/envelope/`, {
      method: "POST",
      body,
      headers: { "x-sentry-auth": authHeader(t), "content-encoding": name },
    });
    expect(res.status).toBe(200);
    expect(await eventRow(t.projectId, id)).toMatchObject({ title: `compressed with ${name}` });
  });

  it("refuses a body that inflates past the /store/ cap with 413", async () => {
    const t = await createTenant();
    // 8 MiB of JSON-ish zeros compress to a few KiB; the store cap is 1 MiB decompressed.
    const bomb = encode(new Uint8Array(8 * 1024 * 1024).fill(0x20));
    expect(bomb.byteLength).toBeLessThan(64 * 1024);
    const res = await send(`/api/${t.projectId}/store/`, {
      method: "POST",
      body: bomb,
      headers: { "x-sentry-auth": authHeader(t), "content-encoding": name },
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/exceeds/);
  });
});

describe("decompression bombs on the envelope endpoint", () => {
  it("stops a 150 MiB gzip bomb (concatenated members) at the envelope cap", async () => {
    const t = await createTenant();
    const member = zlib.gzipSync(new Uint8Array(1024 * 1024));
    const bomb = new Uint8Array(member.byteLength * 150);
    for (let i = 0; i < 150; i++) bomb.set(member, i * member.byteLength);
    const res = await send(`/api/${t.projectId}/envelope/`, {
      method: "POST",
      body: bomb,
      headers: { "x-sentry-auth": authHeader(t), "content-encoding": "gzip" },
    });
    expect(res.status).toBe(413);
  });

  it("stops a 150 MiB zstd bomb (concatenated frames) at the envelope cap", async () => {
    const t = await createTenant();
    const frame = zstd.zstdCompressSync(new Uint8Array(1024 * 1024));
    const bomb = new Uint8Array(frame.byteLength * 150);
    for (let i = 0; i < 150; i++) bomb.set(frame, i * frame.byteLength);
    const res = await send(`/api/${t.projectId}/envelope/`, {
      method: "POST",
      body: bomb,
      headers: { "x-sentry-auth": authHeader(t), "content-encoding": "zstd" },
    });
    expect(res.status).toBe(413);
  });

  it("answers 415 for an unknown encoding and 400 for a corrupt stream", async () => {
    const t = await createTenant();
    const body = envelope({}, [{ type: "event" }, "{}"]);
    const unknown = await send(`/api/${t.projectId}/envelope/`, {
      method: "POST",
      body,
      headers: { "x-sentry-auth": authHeader(t), "content-encoding": "compress" },
    });
    expect(unknown.status).toBe(415);
    const corrupt = await send(`/api/${t.projectId}/envelope/`, {
      method: "POST",
      body: new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]),
      headers: { "x-sentry-auth": authHeader(t), "content-encoding": "gzip" },
    });
    expect(corrupt.status).toBe(400);
  });
});
