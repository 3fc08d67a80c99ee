// End to end: the real sentry-cli uploads the Rust release binary (`debug-files upload --wait`), then a
// panic shaped like sentry-rust's (stripped `<unknown>` frames, a legacy `symbolic` image with the
// ELF's debug id and code id, a PIE load address) is sent over HTTP, and the symbolicated frames are
// read back through the events API (and the stored payload in D1).
// Expected names and lines: `addr2line -f -i -C -e test/fixtures/debug-files/app 0x14aa5 0x14e80`.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ROOT, sqlLocal } from "../../scripts/local-server.mjs";

const server = inject("faultline");
const CLI = join(ROOT, "node_modules", ".bin", "sentry-cli");
const FIXTURES = join(ROOT, "test", "fixtures", "debug-files");
const home = mkdtempSync(join(tmpdir(), "faultline-cli-home-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

interface Expected {
  check: { variants: { debug_id: string; code_id: string }[] } | null;
}
const expected: Record<string, Expected> = JSON.parse(readFileSync(join(FIXTURES, "expected.json"), "utf8"));
const variant = expected.app?.check?.variants[0];
const IMAGE_ADDR = 0x55d0c0800000n;
const hex = (n: bigint) => `0x${n.toString(16)}`;

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
  const event = {
    event_id: eventId,
    timestamp: Date.now() / 1000,
    platform: "native",
    level: "fatal",
    sdk: { name: "sentry.rust", version: "0.34.0" },
    exception: {
      values: [
        {
          type: "panic",
          value: `e2e panic ${eventId}`,
          mechanism: { type: "panic", handled: false },
          stacktrace: {
            frames: [0x14aa6n, 0x14e80n].map((offset) => ({
              function: "<unknown>",
              in_app: true,
              instruction_addr: hex(IMAGE_ADDR + offset),
            })),
          },
        },
      ],
    },
    debug_meta: {
      images: [
        {
          type: "symbolic",
          name: "/srv/app/app",
          arch: null,
          image_addr: hex(IMAGE_ADDR),
          image_size: 0x59000,
          image_vmaddr: "0x0",
          id: variant?.debug_id,
          code_id: variant?.code_id,
        },
      ],
    },
  };
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
    const upload = spawnSync(CLI, ["debug-files", "upload", "--wait", join(FIXTURES, "app")], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: home,
        SENTRY_URL: server.url,
        SENTRY_AUTH_TOKEN: server.token,
        SENTRY_ORG: server.orgSlug,
        SENTRY_PROJECT: server.projectSlug,
      },
    });
    expect(upload.status, `${upload.stdout}${upload.stderr}`).toBe(0);

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

    // The stored payload agrees, and the issue was grouped by the symbolicated stack trace.
    const [row] = sqlLocal(
      server.persistTo,
      `SELECT e.payload, i.culprit FROM events e JOIN issues i ON i.id = e.issue_id WHERE e.event_id = '${eventId}'`,
    );
    expect(String(row?.culprit)).not.toContain("<unknown>");
    expect(String(row?.payload)).toContain('"raw_stacktrace"');
  });
});
