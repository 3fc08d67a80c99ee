// startFaultline() in processes started the ways test runners start them, each of which must start the
// sink, use it and exit on its own: a module file, and `node --input-type=module -e` (Miniflare's D1
// proxy used to hang that one, so the sink sets itself up over HTTP).
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/local-server.mjs";

const SCRIPT = `
const { startFaultline } = await import("faultline/testing");
const sink = await startFaultline();
const issues = await sink.issues();
await sink.close();
console.log(JSON.stringify({ ok: true, issues: issues.length }));
`;

function run(args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe("startFaultline in a child process", () => {
  it("starts, answers and exits under node --input-type=module -e", async () => {
    const { code, out } = await run(["--input-type=module", "-e", SCRIPT], 30_000);
    expect({ code, last: out.trim().split("\n").pop() }).toEqual({
      code: 0,
      last: JSON.stringify({ ok: true, issues: 0 }),
    });
  });
});
