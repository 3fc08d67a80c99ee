// Bindings declared in wrangler.toml. Kept by hand (small) so the protocol core never depends on it.
import type { ProjectDO } from "./project/index.ts";

export interface Env {
  DB: D1Database;
  BLOBS: R2Bucket;
  PROJECTS: DurableObjectNamespace<ProjectDO>;
}
