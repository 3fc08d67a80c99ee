// sentry-cli's debug-file upload protocol against the Worker under test (one chunk: the fixture app
// binary is < 8 MiB), shared by the symbolication tests.
import { env } from "cloudflare:workers";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { expect } from "vitest";
import { send, type Tenant } from "./helpers.ts";

/** test/fixtures/debug-files/app: Rust release build with debug info. */
export const APP = Uint8Array.from(atob(env.TEST_DEBUG_FILE_BASE64), (c) => c.charCodeAt(0));
export const sha1 = (bytes: Uint8Array | string) => createHash("sha1").update(bytes).digest("hex");
const bearer = (t: Tenant) => ({ authorization: `Bearer ${t.token}` });

export async function uploadChunk(t: Tenant, bytes: Uint8Array): Promise<void> {
  const boundary = `----${crypto.randomUUID()}`;
  const enc = new TextEncoder();
  const head = enc.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file_gzip"; filename="${sha1(bytes)}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const gz = gzipSync(bytes);
  const tail = enc.encode(`\r\n--${boundary}--\r\n`);
  const body = new Uint8Array(head.byteLength + gz.byteLength + tail.byteLength);
  body.set(head, 0);
  body.set(gz, head.byteLength);
  body.set(tail, head.byteLength + gz.byteLength);
  const res = await send(`/api/0/organizations/${t.orgSlug}/chunk-upload/`, {
    method: "POST",
    body,
    headers: { ...bearer(t), "content-type": `multipart/form-data; boundary=${boundary}` },
  });
  expect(res.status).toBe(200);
}

async function assemble(t: Tenant): Promise<{ state: string; detail: string | null }> {
  const checksum = sha1(APP);
  const res = await send(`/api/0/projects/${t.orgSlug}/${t.projectSlug}/files/difs/assemble/`, {
    method: "POST",
    body: JSON.stringify({ [checksum]: { name: "app", chunks: [checksum] } }),
    headers: { ...bearer(t), "content-type": "application/json" },
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as Record<string, { state: string; detail: string | null }>;
  const answer = body[checksum];
  if (!answer) throw new Error("no assemble answer");
  return answer;
}

/** `sentry-cli debug-files upload --wait`: upload, then poll until the file is `ok`. */
export async function uploadDebugFile(t: Tenant): Promise<void> {
  await uploadChunk(t, APP);
  for (let attempt = 0; attempt < 240; attempt++) {
    const answer = await assemble(t);
    expect(answer.state).not.toBe("error");
    if (answer.state === "ok") return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("assembly did not finish");
}
