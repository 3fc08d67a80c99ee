import type { Env as FaultlineEnv } from "../../src/env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends FaultlineEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** test/fixtures/debug-files/app, base64. */
      TEST_DEBUG_FILE_BASE64: string;
      /** test/fixtures/captures/sentry-rust-0.37: request body (base64) and header list per capture. */
      TEST_RUST_CAPTURES: Record<string, { body: string; headers: string[] }>;
      /** Base URL of the local alert receiver (test/support/receiver.mjs). */
      TEST_RECEIVER_URL: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../faults/worker.ts");
      durableNamespaces: "ProjectDO";
    }
  }
}
