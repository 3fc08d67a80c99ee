// Local Faultline server helpers shared by `npm start`, the end-to-end tests and the benchmark:
// apply D1 migrations to a local state directory, create (idempotently) the default organization,
// team, project, DSN key and API token, and run `wrangler dev` on a port.
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { unstable_readConfig } from "wrangler";
import { defaultTenantSteps, readStoredToken, runStepsSync, storeToken } from "./default-tenant.mjs";
import { d1Bindings } from "./deploy-plan.mjs";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");

export { ALL_SCOPES, DEFAULTS, sha256Hex } from "./default-tenant.mjs";

function wrangler(args, { persistTo, quiet = true } = {}) {
  const full = [...args, ...(persistTo ? ["--persist-to", persistTo] : [])];
  const result = spawnSync(WRANGLER, full, {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(
      `wrangler ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  if (!quiet) process.stdout.write(result.stdout);
  return result.stdout;
}

/** The D1 bindings of wrangler.toml that have migrations: the control plane `DB` and every event shard. */
export function migratedBindings() {
  return d1Bindings(unstable_readConfig({ config: join(ROOT, "wrangler.toml") }))
    .filter((b) => b.migrations)
    .map((b) => b.binding);
}

/** Applies the migrations to every D1 binding (each shard gets every migration, docs/scaling.md). */
export function applyMigrations(persistTo) {
  for (const binding of migratedBindings())
    wrangler(["d1", "migrations", "apply", binding, "--local"], { persistTo });
}

/**
 * A second process on the local D1 file while `wrangler dev` writes to it sometimes gets SQLite's busy
 * answer, which wrangler reports as an "internal error": such a failure is tried again — the callers run
 * reads and the default tenant's idempotent steps — and any other is thrown at once.
 */
function withBusyRetries(run, attempts = 4) {
  for (let attempt = 1; ; attempt++) {
    try {
      return run();
    } catch (error) {
      const busy = /internal error|SQLITE_BUSY|database is locked/.test(String(error));
      if (!busy || attempt >= attempts) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250 * attempt);
    }
  }
}

/** Runs SQL against the local D1 (`binding`, DB unless given) and returns the rows of the last statement. */
export function sqlLocal(persistTo, command, binding = "DB") {
  const out = withBusyRetries(() =>
    wrangler(["d1", "execute", binding, "--local", "--json", "--command", command], { persistTo }),
  );
  const start = out.indexOf("[");
  const parsed = JSON.parse(out.slice(start));
  return parsed[parsed.length - 1]?.results ?? [];
}

/**
 * Creates the default tenant if it is missing and returns its identifiers (scripts/default-tenant.mjs,
 * the same flow as the test sink's). The plain API token is kept in `stateFile` (local development
 * only) so every start can print it again; D1 stores only its hash.
 */
export function ensureDefaults(persistTo, stateFile) {
  const steps = defaultTenantSteps({ storedToken: readStoredToken(stateFile), withPassword: true });
  // One `wrangler d1 execute` per step: it answers the rows of the step's last statement.
  const { tokenCreated, ...defaults } = runStepsSync(steps, (statements) =>
    sqlLocal(persistTo, statements.join(";\n")),
  );
  if (tokenCreated) storeToken(stateFile, defaults.token);
  return defaults;
}

export function dsnFor(defaults, port, host = "127.0.0.1") {
  return `http://${defaults.publicKey}@${host}:${port}/${defaults.projectId}`;
}

/** Whether nothing listens on `port` of the loopback address (binding it for a moment tells). */
function portIsFree(port) {
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once("error", () => resolvePort(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolvePort(true)));
  });
}

/**
 * `preferred` when it is free, else a port the OS picks. A second `npm start`, a debugger or another
 * wrangler often holds the inspector's usual 9229, and wrangler then exits instead of starting.
 */
export async function freePort(preferred) {
  if (preferred > 0 && (await portIsFree(preferred))) return preferred;
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address
          ? resolvePort(address.port)
          : reject(new Error("no free port")),
      );
    });
  });
}

/** Starts `wrangler dev` and resolves once it answers HTTP. */
export async function startDev({
  port,
  persistTo,
  inspectorPort = 0,
  config = "wrangler.toml",
  log = "pipe",
}) {
  const args = [
    "dev",
    "--config",
    config,
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--inspector-port",
    String(inspectorPort),
  ];
  if (persistTo) args.push("--persist-to", persistTo);
  const child = spawn(WRANGLER, args, {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", CI: "true" },
    stdio: log === "inherit" ? "inherit" : ["ignore", "pipe", "pipe"],
    detached: false,
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/_health`);
      await res.arrayBuffer();
      return { child, output: () => output };
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  child.kill("SIGTERM");
  throw new Error(`wrangler dev did not start on port ${port}:\n${output}`);
}

export function stopDev(server) {
  if (server?.child && server.child.exitCode === null) server.child.kill("SIGTERM");
}
