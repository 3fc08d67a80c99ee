// Bindings declared in wrangler.toml. Kept by hand (small) so the protocol core never depends on it.
import type { ProjectDO } from "./project/project-do.ts";

export interface Env {
  DB: D1Database;
  BLOBS: R2Bucket;
  PROJECTS: DurableObjectNamespace<ProjectDO>;
  /** Alert deliveries (src/alerts/ DeliveryMessage): enqueued by the project objects and the API, consumed by queue(). */
  ALERTS: Queue;
  /** Alert e-mail (Cloudflare Email Service); optional: without it e-mail actions fail in the log. */
  EMAIL?: SendEmail;
  /** The sender address of alert e-mail (a verified address of the account in production). */
  ALERTS_EMAIL_FROM?: string;
}
