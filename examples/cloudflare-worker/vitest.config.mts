// The Worker's tests in workerd. The sink's DSN is bound as SENTRY_DSN from what the global setup
// provides, so the Worker reads its DSN exactly as in production.
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      main: "./src/index.ts",
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: { bindings: { SENTRY_DSN: inject("faultline").dsn } },
    })),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 30_000,
  },
});
