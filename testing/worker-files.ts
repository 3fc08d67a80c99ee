// The sink Worker as scripts/build-testing.mjs leaves it in dist/worker/: the bundle's modules and
// worker.json (modules, bindings and compatibility settings from wrangler.toml, D1 migrations split
// into statements). Found beside the built library (dist/testing/ → dist/worker/), or, when this runs
// from its TypeScript source, in the repository's dist/.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export type ModuleType = "ESModule" | "CommonJS" | "Text" | "Data" | "CompiledWasm";

export interface D1Migration {
  name: string;
  queries: string[];
}

export interface SinkWorker {
  dir: string;
  name: string;
  modules: { type: ModuleType; path: string }[];
  /**
   * Miniflare worker options as wrangler derives them from wrangler.toml: compatibility date and flags,
   * D1, R2, Durable Object and any other bindings.
   */
  options: Record<string, unknown>;
  migrations: D1Migration[];
  /** The D1 bindings every migration is applied to (the control plane `DB` and each event shard). */
  migratedBindings: string[];
}

export function loadSinkWorker(): SinkWorker {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, "..", "worker"), join(here, "..", "dist", "worker")];
  const dir = candidates.find((d) => existsSync(join(d, "worker.json")));
  if (!dir)
    throw new Error(
      `faultline/testing: the sink Worker is not built (no worker.json in ${candidates.join(" or ")}); run npm run build in the Faultline checkout`,
    );
  const config = JSON.parse(readFileSync(join(dir, "worker.json"), "utf8")) as Omit<SinkWorker, "dir">;
  return { ...config, dir };
}
