// End-to-end tests: real clients (@sentry/node, Python's sentry_sdk, sentry-cli) against `wrangler dev`
// on a real port, started once by the global setup with a fresh local state directory.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    environment: "node",
    globalSetup: ["./test/e2e/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
