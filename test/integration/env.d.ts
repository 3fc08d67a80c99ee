import type { Env as FaultlineEnv } from "../../src/env.ts";

declare global {
  namespace Cloudflare {
    interface Env extends FaultlineEnv {
      TEST_MIGRATIONS: D1Migration[];
    }
    interface GlobalProps {
      mainModule: typeof import("../../src/index.ts");
      durableNamespaces: "ProjectDO";
    }
  }
}
