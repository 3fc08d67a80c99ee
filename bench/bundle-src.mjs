// Bundles modules of src/ (and test fixtures) with esbuild into one ES module and imports it under Node,
// so a bench measures the same code the Worker runs. `exports` are `export … from` lines naming paths
// relative to the repository root; the caller removes `dir` when it no longer needs the bundle.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** `exports`: [what, path] pairs, e.g. ["{ payloadProjection }", "src/db/payload-projection.ts"] or ["*", …]. */
export async function bundleSource(name, exports) {
  const { build } = await import("esbuild");
  const dir = mkdtempSync(join(tmpdir(), `faultline-bench-${name}-`));
  const entry = join(dir, "entry.ts");
  writeFileSync(
    entry,
    exports.map(([what, path]) => `export ${what} from ${JSON.stringify(join(ROOT, path))};`).join("\n"),
  );
  const out = join(dir, "core.mjs");
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: out,
    logLevel: "error",
  });
  return { dir, core: await import(pathToFileURL(out).href) };
}
