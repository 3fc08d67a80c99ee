// `npm run deploy -- --local`: the deploy's steps (migrations of every D1 binding, the Worker served,
// the first tenant) against a fresh local state, the DSN it prints accepting an event, and a second run
// creating nothing new: the same DSN and token, the event still there.
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, ROOT } from "../../scripts/local-server.mjs";

interface Run {
  child: ChildProcess;
  output: string;
}

/** Runs the deploy in local mode and resolves with its output once it printed the lines to paste. */
function deployLocal(stateDir: string, port: number): Promise<Run> {
  const child = spawn("node", [join(ROOT, "scripts", "deploy.mjs"), "--local", "--port", String(port)], {
    cwd: ROOT,
    env: { ...process.env, FAULTLINE_STATE_DIR: stateDir, INSPECTOR_PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/^Forgot it\?/m.test(output)) resolve({ child, output });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`deploy --local exited with ${code}:\n${output}`)));
  });
}

async function stop(run: Run | undefined): Promise<void> {
  if (!run || run.child.exitCode !== null) return;
  const exited = new Promise((resolve) => run.child.once("exit", resolve));
  run.child.kill("SIGTERM");
  await exited;
}

const exported = (output: string, name: string): string | undefined =>
  new RegExp(`^export ${name}=(.*)$`, "m").exec(output)?.[1];

/** An event envelope as Sentry SDKs send it, authenticated by the DSN's public key. */
async function sendEvent(dsn: string, message: string): Promise<{ status: number; id: string }> {
  const { username: key, host, pathname, protocol } = new URL(dsn);
  const projectId = pathname.slice(1);
  const eventId = randomUUID().replaceAll("-", "");
  const event = {
    event_id: eventId,
    message,
    level: "error",
    platform: "node",
    timestamp: Date.now() / 1000,
  };
  const body = [
    JSON.stringify({ event_id: eventId, dsn, sent_at: new Date().toISOString() }),
    JSON.stringify({ type: "event" }),
    JSON.stringify(event),
  ].join("\n");
  const res = await fetch(`${protocol}//${host}/api/${projectId}/envelope/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-sentry-envelope",
      "x-sentry-auth": `Sentry sentry_version=7, sentry_key=${key}, sentry_client=deploy-test/1.0`,
    },
    body,
  });
  const answer = (await res.json()) as { id?: string };
  expect(answer.id).toBe(eventId);
  return { status: res.status, id: eventId };
}

async function eventMessage(url: string, token: string, id: string): Promise<string | undefined> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const res = await fetch(`${url}api/0/projects/faultline/default/events/${id}/`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.status === 200) return ((await res.json()) as { message?: string }).message;
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 200));
  }
  return undefined;
}

describe("npm run deploy -- --local", () => {
  const stateDir = mkdtempSync(join(tmpdir(), "faultline-deploy-"));
  let current: Run | undefined;

  afterAll(async () => {
    await stop(current);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("migrates, serves and prints a DSN that accepts an event, and a second run creates nothing new", async () => {
    const port = await freePort(0);
    current = await deployLocal(stateDir, port);
    const first = current.output;
    expect(first).toContain("$ wrangler d1 migrations apply DB --local --persist-to");
    // The second event shard gets every migration too (docs/scaling.md).
    expect(first).toContain("$ wrangler d1 migrations apply SHARD_1 --local --persist-to");
    const dsn = exported(first, "SENTRY_DSN");
    const url = exported(first, "SENTRY_URL");
    const token = exported(first, "SENTRY_AUTH_TOKEN");
    expect(dsn).toMatch(new RegExp(`^http://[0-9a-f]{32}@127\\.0\\.0\\.1:${port}/\\d+$`));
    expect(exported(first, "FAULTLINE_PASSWORD")).toMatch(/\S{12,}/);
    if (!dsn || !url || !token) throw new Error(first);

    const sent = await sendEvent(dsn, "deployed and reporting");
    expect(sent.status).toBe(200);
    expect(await eventMessage(url, token, sent.id)).toBe("deployed and reporting");

    await stop(current);
    current = await deployLocal(stateDir, port);
    const second = current.output;
    expect(exported(second, "SENTRY_DSN")).toBe(dsn);
    expect(exported(second, "SENTRY_AUTH_TOKEN")).toBe(token);
    // The password is printed by the first run only; only its hash is stored.
    expect(exported(second, "FAULTLINE_PASSWORD")).toBeUndefined();
    expect(await eventMessage(url, token, sent.id)).toBe("deployed and reporting");
    const orgs = await fetch(`${url}api/0/organizations/`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await orgs.json()) as { slug: string }[]).map((o) => o.slug)).toEqual(["faultline"]);
  });
});
