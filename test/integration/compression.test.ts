// Every encoding SDKs send, decoded inside workerd (node:zlib from nodejs_compat), each with its bomb.
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { MAX_ENVELOPE_BYTES, MAX_STORE_BODY_BYTES } from "../../src/limits.ts";
import { authHeader, createTenant, envelope, eventRow, newEventId, send } from "./helpers.ts";

const MiB = 1024 * 1024;
const zeros = (n: number) => new Uint8Array(n);
// More than a decoded envelope may take in a 128 MB isolate next to its wire body and parsed copies.
const PAST_ISOLATE_CAP = 48 * MiB;
const envelopeCapDetail = `decompressed body exceeds the size limit of ${MAX_ENVELOPE_BYTES / MiB} MiB`;
const storeCapDetail = `decompressed body exceeds the size limit of ${MAX_STORE_BODY_BYTES / MiB} MiB`;

type CompressStream = ReturnType<typeof zlib.createGzip>;
const compressStreams: Record<string, () => CompressStream> = {
  gzip: () => zlib.createGzip({ level: 1 }),
  deflate: () => zlib.createDeflate({ level: 1 }),
  br: () => zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } }),
  zstd: () => (zlib as unknown as { createZstdCompress(): CompressStream }).createZstdCompress(),
};

/** `prefix` followed by zeros up to `size` bytes, compressed with `name` a MiB at a time. */
async function bomb(name: string, size: number, prefix: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
  const create = compressStreams[name];
  if (!create) throw new Error(`no encoder ${name}`);
  const stream = create();
  const out: Uint8Array[] = [];
  stream.on("data", (chunk: Uint8Array) => out.push(chunk));
  const done = new Promise((resolve, reject) => {
    stream.on("end", resolve);
    stream.on("error", reject);
  });
  const first = new Uint8Array(MiB);
  first.set(prefix);
  stream.write(first);
  const chunk = zeros(MiB);
  for (let written = MiB; written < size; written += MiB) stream.write(chunk);
  stream.end();
  await done;
  return new Uint8Array(Buffer.concat(out));
}

function repeat(part: Uint8Array, times: number): Uint8Array {
  const out = new Uint8Array(part.byteLength * times);
  for (let i = 0; i < times; i++) out.set(part, i * part.byteLength);
  return out;
}

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

  it("refuses a body that inflates past the /store/ cap with 413 naming the cap", async () => {
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
    expect(await res.json()).toEqual({ detail: storeCapDetail });
  });

  it("refuses an envelope that decodes past the envelope cap with 413 naming the cap", async () => {
    const t = await createTenant();
    const bomb = encode(zeros(PAST_ISOLATE_CAP));
    const res = await send(`/api/${t.projectId}/envelope/`, {
      method: "POST",
      body: bomb,
      headers: { "x-sentry-auth": authHeader(t), "content-encoding": name },
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ detail: envelopeCapDetail });
  });

  it("accepts a compressed tunnel envelope whose only credential is its dsn", async () => {
    const t = await createTenant();
    const id = newEventId();
    const dsn = `https://${t.publicKey}@example.com/${t.projectId}`;
    const body = encode(
      envelope({ event_id: id, dsn }, [{ type: "event" }, JSON.stringify({ message: "tunnel" })]),
    );
    const res = await send(`/api/${t.projectId}/envelope/`, {
      method: "POST",
      body,
      headers: { "content-encoding": name },
    });
    expect(res.status).toBe(200);
    expect(await eventRow(t.projectId, id)).toMatchObject({ title: "tunnel" });
  });

  it("refuses a bomb with bad credentials with 401/403, without decompressing it", async () => {
    const t = await createTenant();
    // Past even the old 100 MiB cap: decoding it before checking the key would answer 413.
    const big = await bomb(name, 128 * MiB);
    const unknownKey = "Sentry sentry_key=0123456789abcdef0123456789abcdef, sentry_version=7";
    const post = (path: string, body: Uint8Array, headers: Record<string, string>) =>
      send(path, { method: "POST", body, headers: { "content-encoding": name, ...headers } });
    const wrongKey = await post(`/api/${t.projectId}/envelope/`, big, { "x-sentry-auth": unknownKey });
    expect(wrongKey.status).toBe(403);
    expect(await wrongKey.json()).toMatchObject({
      detail: "event submission rejected with_reason: ProjectId",
    });
    const storeWrongKey = await post(`/api/${t.projectId}/store/`, big, { "x-sentry-auth": unknownKey });
    expect(storeWrongKey.status).toBe(403);
    const storeNoKey = await post(`/api/${t.projectId}/store/`, big, {});
    expect(storeNoKey.status).toBe(401);
    // No credentials at all: only the first line is decoded, and zeros are no envelope header.
    const noKey = await post(`/api/${t.projectId}/envelope/`, big, {});
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ detail: "bad envelope authentication header" });
    // A tunnel header naming an unknown key, followed by the bomb.
    const header = new TextEncoder().encode(
      `${JSON.stringify({ dsn: `https://0123456789abcdef0123456789abcdef@x/${t.projectId}` })}\n`,
    );
    const tunnelBomb = await bomb(name, 128 * MiB, header);
    const tunnelWrongKey = await post(`/api/${t.projectId}/envelope/`, tunnelBomb, {});
    expect(tunnelWrongKey.status).toBe(403);
    // The same with the right key is authenticated, and only then refused for its size.
    const goodHeader = new TextEncoder().encode(
      `${JSON.stringify({ dsn: `https://${t.publicKey}@x/${t.projectId}` })}\n`,
    );
    const tunnelRightKey = await post(
      `/api/${t.projectId}/envelope/`,
      await bomb(name, MAX_ENVELOPE_BYTES + MiB, goodHeader),
      {},
    );
    expect(tunnelRightKey.status).toBe(413);
    expect(await tunnelRightKey.json()).toEqual({ detail: envelopeCapDetail });
  });
});

describe("caps of stacked and multi-part encodings", () => {
  const post = async (path: string, body: Uint8Array, encoding: string) => {
    const t = await createTenant();
    return send(path.replace(":id", String(t.projectId)), {
      method: "POST",
      body,
      headers: { "x-sentry-auth": authHeader(t), "content-encoding": encoding },
    });
  };

  it("names the real cap when a multi-frame zstd bomb passes it on /store/ and the envelope endpoint", async () => {
    // Frames of exactly the cap's size: the second one starts with nothing left of the cap.
    const storeBomb = repeat(zstd.zstdCompressSync(zeros(MAX_STORE_BODY_BYTES)), 8);
    const store = await post("/api/:id/store/", storeBomb, "zstd");
    expect(store.status).toBe(413);
    expect(await store.json()).toEqual({ detail: storeCapDetail });
    const envelopeBomb = repeat(zstd.zstdCompressSync(zeros(MiB)), 1024);
    const env = await post("/api/:id/envelope/", envelopeBomb, "zstd");
    expect(env.status).toBe(413);
    expect(await env.json()).toEqual({ detail: envelopeCapDetail });
  });

  it("stops a 1 GiB gzip bomb of concatenated members at the envelope cap", async () => {
    const bomb = repeat(zlib.gzipSync(zeros(MiB)), 1024);
    expect(bomb.byteLength).toBeLessThan(2 * MiB);
    const res = await post("/api/:id/envelope/", bomb, "gzip");
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ detail: envelopeCapDetail });
  });

  it.each([
    ["gzip, br", (d: Uint8Array) => zlib.brotliCompressSync(zlib.gzipSync(d))],
    ["zstd, gzip", (d: Uint8Array) => zlib.gzipSync(zstd.zstdCompressSync(d))],
    ["deflate, zstd", (d: Uint8Array) => zstd.zstdCompressSync(zlib.deflateSync(d))],
  ])("holds the envelope cap for stacked %s", async (encoding, encode) => {
    const res = await post("/api/:id/envelope/", encode(zeros(PAST_ISOLATE_CAP)), encoding);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ detail: envelopeCapDetail });
  });

  it("reads the dsn of a stacked-encoding tunnel envelope", async () => {
    const t = await createTenant();
    const id = newEventId();
    const dsn = `https://${t.publicKey}@example.com/${t.projectId}`;
    const body = envelope({ event_id: id, dsn }, [{ type: "event" }, JSON.stringify({ message: "stacked" })]);
    const res = await send(`/api/${t.projectId}/envelope/`, {
      method: "POST",
      body: zlib.brotliCompressSync(zlib.gzipSync(body)),
      headers: { "content-encoding": "gzip, br" },
    });
    expect(res.status).toBe(200);
    expect(await eventRow(t.projectId, id)).toMatchObject({ title: "stacked" });
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
