// Integration tests inside workerd (Cloudflare's vitest integration): the real Worker with local D1,
// R2 and Durable Objects. Migrations are read here (Node) and applied by the setup file (workerd).
import { readdir, readFile } from "node:fs/promises";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { startReceiver } from "./test/support/receiver.mjs";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  // The Rust release binary of the debug-file fixtures, for the symbolication tests (workerd cannot read files).
  const debugFile = (await readFile("test/fixtures/debug-files/app")).toString("base64");
  // Wire captures of sentry-rust 0.37: request bytes (base64) and headers, by name.
  const captureDir = "test/fixtures/captures/sentry-rust-0.37";
  const rustCaptures: Record<string, { body: string; headers: string[] }> = {};
  for (const file of await readdir(captureDir)) {
    if (!file.endsWith(".envelope")) continue;
    const name = file.slice(0, -".envelope".length);
    const request = JSON.parse(await readFile(`${captureDir}/${name}.request.json`, "utf8"));
    rustCaptures[name] = {
      body: (await readFile(`${captureDir}/${file}`)).toString("base64"),
      headers: request.headers,
    };
  }
  // A real HTTP receiver for alert deliveries (test/support/receiver.mjs), in this Node process.
  const receiver = await startReceiver();
  return {
    plugins: [
      cloudflareTest({
        // The production Worker with the D1 fault seam filled (test/faults/worker.ts); no faults unless a test sets them.
        main: "./test/faults/worker.ts",
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            TEST_DEBUG_FILE_BASE64: debugFile,
            TEST_RUST_CAPTURES: rustCaptures,
            TEST_RECEIVER_URL: receiver.url,
          },
        },
      }),
    ],
    test: {
      include: ["test/integration/**/*.test.ts"],
      setupFiles: ["./test/integration/apply-migrations.ts"],
      testTimeout: 60_000,
    },
  };
});
