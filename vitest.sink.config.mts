// Tests of faultline/testing (test/sink/): the built package as a consumer imports it (dist/, through
// the package's own `exports`), real Miniflare, real SDKs; and the packed tarball installed into a
// fresh project outside this repository. `npm run build` first (npm test does).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/sink/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file starts its own sinks; two cores are shared with workerd.
    fileParallelism: false,
  },
});
