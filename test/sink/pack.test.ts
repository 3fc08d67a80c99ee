// The packed tarball in a fresh project outside this repository, as another project's test suite uses
// it: `npm pack`, `npm install <tarball>` (miniflare comes from the registry or npm's cache; no build
// step, no wrangler), then a script that starts the sink, sends an envelope with fetch and waits for
// it, and a TypeScript file that type-checks against the package's exported declarations.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/local-server.mjs";

const dir = mkdtempSync(join(tmpdir(), "faultline-pack-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const npm = (args: string[], cwd: string) =>
  execFileSync("npm", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      npm_config_audit: "false",
      npm_config_fund: "false",
      npm_config_update_notifier: "false",
    },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 240_000,
  });

const CONSUMER = `import { startFaultline } from "faultline/testing";

const sink = await startFaultline();
const dsn = new URL(sink.dsn);
const eventId = crypto.randomUUID().replaceAll("-", "");
const event = JSON.stringify({ event_id: eventId, level: "error", exception: { values: [{ type: "RangeError", value: "from a packed install" }] } });
const envelope = [JSON.stringify({ event_id: eventId }), JSON.stringify({ type: "event", length: Buffer.byteLength(event) }), event].join("\\n");
const response = await fetch(\`\${dsn.protocol}//\${dsn.host}/api\${dsn.pathname}/envelope/?sentry_key=\${dsn.username}\`, { method: "POST", body: envelope });
const stored = await sink.waitForEvent({ id: eventId });
const [issue] = await sink.issues();
await sink.close();
console.log(JSON.stringify({ status: response.status, title: stored.title, issue: issue?.shortId }));
`;

const TYPED = `import { type FaultlineSink, type SinkEvent, startFaultline } from "faultline/testing";
import { connectFaultline } from "faultline/testing/client";

export async function check(): Promise<string> {
  const sink: FaultlineSink = await startFaultline({ report: true });
  const client = connectFaultline(sink.connection);
  const event: SinkEvent = await client.waitForEvent({ message: /boom/, tags: { region: "eu" } }, { timeout: 100 });
  await sink.close();
  return event.exceptions[0]?.value ?? event.message;
}
`;

describe("npm pack", () => {
  it("installs into a fresh project and works there without a build step", async () => {
    // `prepare` builds dist/ first (npm runs it before packing).
    const packOutput = npm(["pack", "--json", "--pack-destination", dir], ROOT);
    const packed = JSON.parse(packOutput.slice(packOutput.indexOf("["))) as {
      filename: string;
      files: { path: string }[];
    }[];
    const files = packed[0]?.files.map((f) => f.path) ?? [];
    expect(files).toEqual(
      expect.arrayContaining(["dist/testing/index.js", "dist/testing/index.d.ts", "dist/worker/worker.json"]),
    );
    expect(files.filter((f) => /^(src|test|testing|scripts|migrations)\//.test(f))).toEqual([]);

    const project = join(dir, "consumer");
    execFileSync("mkdir", ["-p", project]);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }),
    );
    npm(["install", join(dir, packed[0]?.filename ?? "")], project);
    const installed = JSON.parse(readFileSync(join(project, "node_modules/faultline/package.json"), "utf8"));
    expect(Object.keys(installed.dependencies)).toEqual(["miniflare"]);
    expect(existsSync(join(project, "node_modules/wrangler"))).toBe(false);

    writeFileSync(join(project, "consumer.mjs"), CONSUMER);
    const out = execFileSync(process.execPath, ["consumer.mjs"], {
      cwd: project,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(JSON.parse(out.trim().split("\n").pop() ?? "{}")).toEqual({
      status: 200,
      title: "RangeError: from a packed install",
      issue: "DEFAULT-1",
    });

    writeFileSync(join(project, "typed.ts"), TYPED);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2023", "DOM"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          types: [],
        },
        files: ["typed.ts"],
      }),
    );
    execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], {
      cwd: project,
      encoding: "utf8",
    });
  }, 300_000);
});
