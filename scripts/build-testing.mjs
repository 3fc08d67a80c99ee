// `npm run build` (also run by `prepare`: on `npm install` in a checkout or from a git URL, and by `npm pack`): everything `faultline/testing` needs, in dist/,
// so a project that installs Faultline (a packed tarball or a git URL) needs no build step and no
// wrangler at runtime, only miniflare:
//   dist/worker/   the sink Worker (testing/worker/sink-worker.ts) bundled by wrangler exactly as
//                  `wrangler deploy` bundles Faultline, and worker.json: its modules, the bindings and
//                  compatibility settings wrangler derives from wrangler.toml, and the D1 migrations
//                  split into statements as wrangler splits them;
//   dist/testing/  the Node library (testing/*.ts) bundled by esbuild, with .d.ts files from tsc.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { unstable_getMiniflareWorkerOptions, unstable_splitSqlQuery } from "wrangler";
import { migratedBindings, ROOT } from "./local-server.mjs";

const DIST = join(ROOT, "dist");
const WORKER_DIR = join(DIST, "worker");
const TESTING_DIR = join(DIST, "testing");

function run(command, args) {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
  });
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
}

/** A module's type by the rule whose `**\/*.ext` glob its name matches (wrangler's module rules). */
function moduleType(file, rules) {
  if (file.endsWith(".js") || file.endsWith(".mjs")) return "ESModule";
  const rule = rules.find((r) => r.include.some((glob) => file.endsWith(glob.replace(/^\*\*\/\*/, ""))));
  if (!rule) throw new Error(`dist/worker/${file}: no module rule in wrangler's defaults matches it`);
  return rule.type;
}

/** Nothing in it: undefined, [], {} or an object of empty values (`email: { send_email: [] }`). */
const isEmpty = (value) =>
  value === undefined ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(isEmpty));

function buildWorker() {
  rmSync(WORKER_DIR, { recursive: true, force: true });
  const bin = join(ROOT, "node_modules", ".bin", "wrangler");
  run(bin, ["deploy", "testing/worker/sink-worker.ts", "--dry-run", "--outdir", WORKER_DIR]);
  const { workerOptions: w } = unstable_getMiniflareWorkerOptions(join(ROOT, "wrangler.toml"));
  const modules = [];
  for (const file of readdirSync(WORKER_DIR).sort()) {
    // Not modules: wrangler's note about the folder, and source maps (workerd does not read them).
    if (file === "README.md" || file.endsWith(".map")) {
      rmSync(join(WORKER_DIR, file));
      continue;
    }
    modules.push({ type: moduleType(file, w.modulesRules ?? []), path: file });
  }
  // The entry module first: Miniflare treats the first module as the Worker's main one.
  modules.sort((a, b) => Number(b.path === "sink-worker.js") - Number(a.path === "sink-worker.js"));
  const migrationsDir = join(ROOT, "migrations");
  const migrations = readdirSync(migrationsDir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((name) => ({
      name,
      queries: unstable_splitSqlQuery(readFileSync(join(migrationsDir, name), "utf8")),
    }));
  const config = {
    // The name wrangler dev uses: Durable Object storage is keyed by it, so a persisted directory is
    // the same state for the sink and `npm start`.
    name: JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).name,
    modules,
    // Every binding and setting wrangler derives from wrangler.toml for `wrangler dev` (empty ones
    // left out), so a binding added there reaches the sink without a change here.
    options: Object.fromEntries(
      // rootPath is this checkout's directory: the sink resolves its modules from dist/worker/ instead.
      Object.entries(w).filter(
        ([key, value]) => key !== "modulesRules" && key !== "rootPath" && !isEmpty(value),
      ),
    ),
    migrations,
    // The D1 bindings the migrations go to: the control plane and every event shard.
    migratedBindings: migratedBindings(),
  };
  writeFileSync(join(WORKER_DIR, "worker.json"), `${JSON.stringify(config, null, 2)}\n`);
}

async function buildLibrary() {
  rmSync(TESTING_DIR, { recursive: true, force: true });
  await build({
    entryPoints: [join(ROOT, "testing/index.ts"), join(ROOT, "testing/client.ts")],
    outdir: TESTING_DIR,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node22",
    external: ["miniflare"],
    logLevel: "warning",
  });
  run(join(ROOT, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.testing.json"]);
}

buildWorker();
await buildLibrary();
// stderr: `npm pack --json` prints its answer on stdout.
console.error("faultline/testing built in dist/ (worker, testing)");
