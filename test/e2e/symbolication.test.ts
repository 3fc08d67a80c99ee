// End to end: the real sentry-cli uploads the Rust release binary (`debug-files upload --wait`), then a
// panic shaped like sentry-rust's (stripped `<unknown>` frames, a legacy `symbolic` image with the
// ELF's debug id and code id, a PIE load address) is sent over HTTP, and the symbolicated frames are
// read back through the events API (and the stored payload in D1).
// Expected names and lines: `addr2line -f -i -C -e test/fixtures/debug-files/app 0x14aa5 0x14e80`.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { sqlLocal } from "../../scripts/local-server.mjs";
import { hex, IMAGE_ADDR, rustPanicEvent } from "../fixtures/rust-panic.ts";
import { cliHome, FIXTURES, fixtureFacts, runCli, serverEnv } from "./sentry-cli.ts";

const server = inject("faultline");
const home = cliHome();
const variant = fixtureFacts.app?.check?.variants[0];

interface ApiFrame {
  function: string | null;
  filename: string | null;
  absPath: string | null;
  lineNo: number | null;
  instructionAddr: string | null;
  symbolAddr: string | null;
  symbolicatorStatus: string | null;
}
interface ApiEvent {
  entries: {
    type: string;
    data: { values?: { stacktrace: { frames: ApiFrame[] }; rawStacktrace: { frames: ApiFrame[] } | null }[] };
  }[];
}

function panicEnvelope(eventId: string): string {
  const event = rustPanicEvent(eventId, {
    debugId: variant?.debug_id,
    codeId: variant?.code_id,
    message: `e2e panic ${eventId}`,
  });
  const payload = JSON.stringify(event);
  return `${JSON.stringify({ event_id: eventId })}\n${JSON.stringify({ type: "event", length: Buffer.byteLength(payload) })}\n${payload}\n`;
}

async function eventually<T>(read: () => Promise<T | undefined>, attempts = 40): Promise<T | undefined> {
  for (let i = 0; i < attempts; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return undefined;
}

describe("symbolication with sentry-cli", () => {
  it("upload --wait, then a stripped sentry-rust panic comes back with names, files and lines", async () => {
    const upload = runCli(["debug-files", "upload", "--wait", join(FIXTURES, "app")], home, serverEnv());
    expect(upload.code, upload.all).toBe(0);

    const eventId = randomUUID().replaceAll("-", "");
    const sent = await fetch(`${server.url}/api/${server.projectId}/envelope/`, {
      method: "POST",
      body: panicEnvelope(eventId),
      headers: {
        "x-sentry-auth": `Sentry sentry_key=${server.publicKey}, sentry_version=7, sentry_client=sentry.rust/0.34.0`,
      },
    });
    expect(sent.status).toBe(200);

    const event = await eventually(async () => {
      const res = await fetch(
        `${server.url}/api/0/projects/${server.orgSlug}/${server.projectSlug}/events/${eventId}/`,
        { headers: { authorization: `Bearer ${server.token}` } },
      );
      return res.status === 200 ? ((await res.json()) as ApiEvent) : undefined;
    });
    const exception = event?.entries.find((e) => e.type === "exception")?.data.values?.[0];
    const frames = exception?.stacktrace.frames ?? [];
    expect(frames[0]).toMatchObject({
      function: "main::main",
      filename: "main.rs",
      lineNo: 15,
      instructionAddr: hex(IMAGE_ADDR + 0x14aa5n),
      symbolicatorStatus: "symbolicated",
    });
    expect(frames[1]).toMatchObject({
      function: "main::outer",
      filename: "main.rs",
      lineNo: 10,
      symbolAddr: hex(IMAGE_ADDR + 0x14e20n),
    });
    expect(frames.at(-1)).toMatchObject({ function: "alloc::vec::Vec<T,A>::as_slice", filename: "mod.rs" });
    expect(exception?.rawStacktrace?.frames.map((f) => f.function)).toEqual(["<unknown>", "<unknown>"]);

    // The issue was grouped by the symbolicated stack trace (the raw one is asserted through the API above).
    const [row] = sqlLocal(
      server.persistTo,
      `SELECT i.culprit FROM events e JOIN issues i ON i.id = e.issue_id WHERE e.event_id = '${eventId}'`,
    );
    expect(String(row?.culprit)).not.toContain("<unknown>");
  });
});
