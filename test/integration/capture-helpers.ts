// Posting the wire captures of sentry-rust 0.37 (test/fixtures/captures/sentry-rust-0.37) to the Worker
// byte for byte, with their recorded headers and the DSN key swapped for a test tenant's.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { send, type Tenant } from "./helpers.ts";

/** Posts a capture's exact bytes with its recorded headers; the event id the Worker answered. */
export async function postCapture(t: Tenant, name: string): Promise<string> {
  const capture = env.TEST_RUST_CAPTURES[name];
  if (!capture) throw new Error(`no capture ${name}`);
  const headers = new Headers();
  for (let i = 0; i + 1 < capture.headers.length; i += 2) {
    const key = capture.headers[i]!;
    const value = capture.headers[i + 1]!;
    if (/^(host|content-length)$/i.test(key)) continue;
    headers.set(
      key,
      key.toLowerCase() === "x-sentry-auth"
        ? value.replace(/sentry_key=\w+/, `sentry_key=${t.publicKey}`)
        : value,
    );
  }
  const body = Uint8Array.from(atob(capture.body), (c) => c.charCodeAt(0));
  const res = await send(`/api/${t.projectId}/envelope/`, { method: "POST", body, headers });
  expect(res.status).toBe(200);
  const answer = (await res.json()) as { id: string };
  return answer.id;
}
