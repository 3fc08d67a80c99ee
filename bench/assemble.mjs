// `npm run bench` (or `node bench/assemble.mjs`): a debug file of about 200 MB uploaded with the real
// sentry-cli (`debug-files upload --wait`) to the Worker under `wrangler dev`. Prints the wall time of the
// upload and the peak RSS of workerd while it ran, to show that assembly streams chunks into an R2
// multipart upload instead of holding the file in memory.
//
// Each file is the committed Rust fixture with a 50 or 200 MiB section of random bytes added by objcopy (a
// non-loaded section, so it is still the same valid ELF with the same build id), written to a temp dir.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  applyMigrations,
  ensureDefaults,
  ROOT,
  sqlLocal,
  startDev,
  stopDev,
} from "../scripts/local-server.mjs";
import { samplePeakRss, workerdRss } from "./process-rss.mjs";

const PORT = 18791;
/** Two sizes: if assembly held the file, workerd's growth would scale with it (4×); it should not. */
const PADDINGS_MIB = (process.env.BENCH_DIF_PADDING_MIB ?? "50,200").split(",").map(Number);
const MiB = 1024 * 1024;

function bigDebugFile(dir, paddingMib) {
  const file = join(dir, `app-padded-${paddingMib}`);
  if (existsSync(file)) return file;
  const padding = join(dir, "padding.bin");
  writeFileSync(padding, randomBytes(paddingMib * MiB));
  execFileSync("objcopy", [
    "--add-section",
    `.faultline_padding=${padding}`,
    "--set-section-flags",
    ".faultline_padding=noload,readonly",
    join(ROOT, "test", "fixtures", "debug-files", "app"),
    file,
  ]);
  rmSync(padding);
  return file;
}

export async function runAssembleBench() {
  for (const mib of PADDINGS_MIB) await uploadOnce(mib);
}

async function uploadOnce(paddingMib) {
  const work = join(tmpdir(), "faultline-bench-assemble");
  mkdirSync(work, { recursive: true });
  const file = bigDebugFile(work, paddingMib);
  const persistTo = mkdtempSync(join(tmpdir(), "faultline-bench-assemble-state-"));
  const home = mkdtempSync(join(tmpdir(), "faultline-bench-cli-home-"));
  let server;
  try {
    applyMigrations(persistTo);
    const defaults = ensureDefaults(persistTo, join(persistTo, "local.json"));
    server = await startDev({ port: PORT, persistTo, inspectorPort: 0 });
    const baseline = workerdRss(server.child.pid);
    const sampler = samplePeakRss(server.child.pid, 100);
    const started = performance.now();
    const cli = spawn(
      join(ROOT, "node_modules", ".bin", "sentry-cli"),
      ["debug-files", "upload", "--wait", file],
      {
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: home,
          SENTRY_URL: `http://127.0.0.1:${PORT}/`,
          SENTRY_AUTH_TOKEN: defaults.token,
          SENTRY_ORG: defaults.orgSlug,
          SENTRY_PROJECT: defaults.projectSlug,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    cli.stdout.on("data", (d) => (output += d));
    cli.stderr.on("data", (d) => (output += d));
    const code = await new Promise((resolve) => cli.on("close", resolve));
    const seconds = (performance.now() - started) / 1000;
    const peak = sampler.stop();
    const [row] = sqlLocal(persistTo, "SELECT size, features FROM debug_files ORDER BY id DESC LIMIT 1");
    const size = statSync(file).size;
    console.log(`\nDebug-file upload of a ${(size / MiB).toFixed(0)} MiB ELF with sentry-cli --wait:`);
    console.log(`  exit code ${code}; recorded size ${row ? (row.size / MiB).toFixed(0) : "none"} MiB`);
    console.log(`  wall time ${seconds.toFixed(1)} s (${(size / MiB / seconds).toFixed(1)} MiB/s)`);
    console.log(
      `  workerd RSS: ${baseline.toFixed(0)} MiB before, ${peak.toFixed(0)} MiB peak (+${(peak - baseline).toFixed(0)} MiB for a ${(size / MiB).toFixed(0)} MiB file)`,
    );
    if (code !== 0 || !row || row.size !== size) {
      console.log(output.slice(-2000));
      process.exitCode = 1;
    }
  } finally {
    stopDev(server);
    rmSync(persistTo, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runAssembleBench();
