import type { Env as FaultlineEnv } from "../../src/env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends FaultlineEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** test/fixtures/debug-files/app, base64. */
      TEST_DEBUG_FILE_BASE64: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../../src/index.ts");
      durableNamespaces: "ProjectDO";
    }
  }
}
