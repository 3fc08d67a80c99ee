// `npm run faultline -- receipt <event_id>` against the running server: what a user reads for an event
// that was stored, one dropped for its size, and one never sent.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT } from "../../scripts/local-server.mjs";
import { waitForSpool } from "./spool-wait.ts";

const server = inject("faultline");

function receipt(id: string): string {
  return execFileSync(
    process.execPath,
    [join(ROOT, "scripts/faultline.mjs"), "receipt", id, "--url", server.url, "--token", server.token],
    { encoding: "utf8", timeout: 30_000 },
  );
}

async function sendEvent(id: string, extra: object): Promise<number> {
  const key = new URL(server.dsn).username;
  const body = [
    JSON.stringify({ event_id: id }),
    JSON.stringify({ type: "event" }),
    JSON.stringify({ event_id: id, message: "receipt from the CLI", ...extra }),
  ].join("\n");
  const res = await fetch(`${server.url}/api/${server.projectId}/envelope/?sentry_key=${key}`, {
    method: "POST",
    headers: { "content-type": "application/x-sentry-envelope" },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

describe("faultline receipt", () => {
  const stored = randomBytes(16).toString("hex");
  const tooBig = randomBytes(16).toString("hex");
  beforeAll(async () => {
    expect(await sendEvent(stored, {})).toBe(200);
    expect(await sendEvent(tooBig, { extra: { blob: "x".repeat(1_100_000) } })).toBe(413);
    await waitForSpool(server);
  });

  it("prints the issue of a stored event", () => {
    const out = receipt(stored);
    expect(out).toContain(`event ${stored}: stored`);
    expect(out).toMatch(/outcome +accepted/);
    expect(out).toMatch(/issue +DEFAULT-\w+/);
  });

  it("prints why an event was dropped", () => {
    const out = receipt(tooBig);
    expect(out).toContain(`event ${tooBig}: dropped`);
    expect(out).toMatch(/outcome +too_large \(event_too_large\)/);
    expect(out).toContain("over its size limit");
  });

  it("says when an id was never received, and fails clearly on a bad one", () => {
    expect(receipt(randomBytes(16).toString("hex"))).toMatch(/: (unknown|client_discarded)/);
    let message = "";
    try {
      receipt("nope");
    } catch (error) {
      message = String((error as { stderr?: string }).stderr);
    }
    expect(message).toContain("400: Invalid event id");
  });
});
