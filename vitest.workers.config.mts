// Integration tests inside workerd (Cloudflare's vitest integration): the real Worker with local D1,
// R2 and Durable Objects. Migrations are read here (Node) and applied by the setup file (workerd).
import { readFile } from "node:fs/promises";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  // The Rust release binary of the debug-file fixtures, for the symbolication tests (workerd cannot read files).
  const debugFile = (await readFile("test/fixtures/debug-files/app")).toString("base64");
  return {
    plugins: [
      cloudflareTest({
        main: "./src/index.ts",
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: { bindings: { TEST_MIGRATIONS: migrations, TEST_DEBUG_FILE_BASE64: debugFile } },
      }),
    ],
    test: {
      include: ["test/integration/**/*.test.ts"],
      setupFiles: ["./test/integration/apply-migrations.ts"],
      testTimeout: 60_000,
    },
  };
});
