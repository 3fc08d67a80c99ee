// The fault Worker (bench/faults/: Faultline with every D1 call behind test/faults/faulty-d1.ts) under
// `wrangler dev` on a fresh local state (migrations applied, the default tenant), for the benchmarks
// that set D1 faults or call its measurement routes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, ensureDefaults, startDev, stopDev } from "../scripts/local-server.mjs";

/** Starts it on `port`; `stop()` ends it and removes its state, also when the start failed halfway. */
export async function startFaultWorker(port, name) {
  const persistTo = mkdtempSync(join(tmpdir(), `faultline-bench-${name}-`));
  let server;
  const stop = () => {
    stopDev(server);
    rmSync(persistTo, { recursive: true, force: true });
  };
  try {
    applyMigrations(persistTo);
    const defaults = ensureDefaults(persistTo, join(persistTo, "local.json"));
    server = await startDev({ port, persistTo, config: "bench/faults/wrangler.toml" });
    return { persistTo, defaults, server, stop };
  } catch (error) {
    stop();
    throw error;
  }
}
