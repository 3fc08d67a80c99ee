// Load from a second process: `wrk` (Debian package `wrk`) with bench/wrk-envelope.lua, so the client is
// never what limits the figures. Each request carries a fresh event id; the ids of the 2xx answers are
// returned so the benchmark can check that every acknowledged event was stored.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "wrk-envelope.lua");
export const PLAIN_PLACEHOLDER = "feedfacefeedfacefeedfacefeedface";

export function requireWrk() {
  const probe = spawnSync("wrk", ["--version"], { encoding: "utf8" });
  if (probe.error) {
    console.error("The ingest benchmarks need wrk on the PATH: apt-get install wrk (Debian/Ubuntu).");
    process.exit(2);
  }
}

/**
 * Envelope templates for the lua script: `envelopes` are bench/envelopes.mjs shapes whose event id is
 * PLAIN_PLACEHOLDER; newlines become byte 0x01 so each envelope is one line.
 */
function writeTemplates(dir, envelopes) {
  const file = join(dir, "templates");
  const lines = envelopes.map((bytes) => {
    const text = Buffer.from(bytes).toString("utf8");
    if (text.includes("\u0001")) throw new Error("template holds byte 0x01");
    return text.replaceAll("\n", "\u0001");
  });
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

/**
 * Runs wrk for `seconds` with `connections` against `http://127.0.0.1:port{path}` and resolves with its
 * figures: requests/s, p50/p99/max latency in ms, answers by status, socket errors and accepted ids.
 */
export async function runWrk({ port, path, connections, seconds, envelopes, threads = 2 }) {
  const dir = mkdtempSync(join(tmpdir(), "faultline-wrk-"));
  try {
    const env = {
      ...process.env,
      BENCH_TEMPLATES: writeTemplates(dir, envelopes),
      BENCH_PATH: path,
      BENCH_NONCE: randomBytes(8).toString("hex"),
      BENCH_IDS_FILE: join(dir, "ids"),
    };
    const args = [
      `-t${Math.min(threads, connections)}`,
      `-c${connections}`,
      `-d${seconds}s`,
      "--timeout",
      "10s",
      "-s",
      SCRIPT,
      `http://127.0.0.1:${port}${path}`,
    ];
    const output = await new Promise((resolve, reject) => {
      const child = spawn("wrk", args, { env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
      });
      child.stderr.on("data", (d) => {
        out += d;
      });
      child.on("error", reject);
      child.on("close", (code) =>
        code === 0 ? resolve(out) : reject(new Error(`wrk exited ${code}:\n${out}`)),
      );
    });
    const line = output.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
    if (!line) throw new Error(`wrk printed no result:\n${output}`);
    const result = JSON.parse(line.slice("BENCH_RESULT ".length));
    const accepted = readFileSync(env.BENCH_IDS_FILE, "utf8").split("\n").filter(Boolean);
    const statuses = result.statuses;
    const count = (test) =>
      Object.entries(statuses)
        .filter(([status]) => test(Number(status)))
        .reduce((n, [, v]) => n + v, 0);
    return {
      requests: result.requests,
      rps: result.requests / result.seconds,
      p50: result.p50_us / 1000,
      p99: result.p99_us / 1000,
      max: result.max_us / 1000,
      statuses,
      ok: count((s) => s >= 200 && s < 300),
      serverErrors: count((s) => s >= 500),
      socketErrors: result.socket_errors,
      accepted,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
