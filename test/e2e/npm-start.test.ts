// `npm start` as a developer runs it: a fresh state directory, the lines to paste printed, and a server that
// answers with the printed token — also while another program holds the inspector's port.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, ROOT } from "../../scripts/local-server.mjs";

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

/** Runs `npm start` and resolves with its output once it printed the DSN block. */
function npmStart(env: Record<string, string>): Promise<{ child: ChildProcess; output: string }> {
  const child = spawn("node", [join(ROOT, "scripts", "start.mjs")], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("export SENTRY_PROJECT=")) resolve({ child, output });
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
}

const exported = (output: string, name: string): string => {
  const match = new RegExp(`^export ${name}=(.*)$`, "m").exec(output);
  if (!match?.[1]) throw new Error(`npm start printed no ${name}:\n${output}`);
  return match[1];
};

describe("npm start", () => {
  const stateDir = mkdtempSync(join(tmpdir(), "faultline-start-"));
  let started: ChildProcess | undefined;
  let blocker: Server | undefined;

  afterAll(async () => {
    if (started && started.exitCode === null) {
      const exited = new Promise((resolve) => started?.once("exit", resolve));
      started.kill("SIGTERM");
      await exited;
    }
    blocker?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it("starts on a free inspector port when the usual one is taken, and prints a DSN and token that work", async () => {
    const inspector = await freePort(0);
    blocker = await listen(inspector);
    const port = await freePort(0);
    const run = await npmStart({
      PORT: String(port),
      INSPECTOR_PORT: String(inspector),
      FAULTLINE_STATE_DIR: stateDir,
    });
    started = run.child;
    expect(run.output).toContain(`Inspector port ${inspector} is in use`);

    const url = exported(run.output, "SENTRY_URL");
    const token = exported(run.output, "SENTRY_AUTH_TOKEN");
    expect(exported(run.output, "SENTRY_DSN")).toMatch(
      new RegExp(`^http://[0-9a-f]{32}@127\\.0\\.0\\.1:${port}/\\d+$`),
    );
    const res = await fetch(`${url}api/0/organizations/`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const orgs = (await res.json()) as { slug: string }[];
    expect(orgs.map((o) => o.slug)).toEqual([exported(run.output, "SENTRY_ORG")]);
  });
});
