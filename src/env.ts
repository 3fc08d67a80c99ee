// Bindings declared in wrangler.toml. Kept by hand (small) so the protocol core never depends on it.
import type { ProjectDO } from "./project/project-do.ts";

export interface Env {
  DB: D1Database;
  BLOBS: R2Bucket;
  PROJECTS: DurableObjectNamespace<ProjectDO>;
  /** Alert deliveries (src/alerts/ DeliveryMessage): enqueued by the project objects and the API, consumed by queue(). */
  ALERTS: Queue;
}
