// Worker entry: one router for ingest and API, one error boundary, CORS on ingest responses, the
// alerts queue's consumer, and the cron that sweeps unreferenced blobs; each metered (docs/costs.md).
import { type DeliveryMessage, deliverBatch } from "./alerts/index.ts";
import { sweepUnreferencedBlobs } from "./blobs/sweep.ts";
import { shardDb, shardNames } from "./db/shards.ts";
import {
  attributeUsage,
  flushWorkerUsage,
  meteredEnv,
  settleRequest,
  workerUsageDue,
} from "./db/worker-usage.ts";
import type { Env } from "./env.ts";
import { isIngestPath, withIngestCors } from "./http/cors.ts";
import { collapseSlashes } from "./http/redirect-target.ts";
import { errorResponse } from "./http/responses.ts";
import { buildRouter } from "./http/router.ts";
import { spooledBlobKeys } from "./project/index.ts";

const router = buildRouter();

export default {
  async fetch(incoming, env, ctx): Promise<Response> {
    const { request, pathname } = withCollapsedSlashes(incoming);
    // The cost meter (docs/costs.md): this request's D1 and R2 calls are counted through its env.
    const { env: metered, meter } = meteredEnv(env);
    let response: Response;
    try {
      response = (await router.fetch(request, metered, ctx)) as Response;
    } catch (error) {
      response = errorResponse(error);
    }
    settleRequest(meter);
    if (workerUsageDue()) ctx.waitUntil(flushWorkerUsage(env));
    return isIngestPath(pathname) ? withIngestCors(response) : response;
  },

  /** Alert deliveries (src/alerts/deliver.ts): retries and dead letters are the consumer's own. */
  async queue(batch, env, ctx): Promise<void> {
    const deliveries = batch as MessageBatch<DeliveryMessage>;
    // Metered for the project when the whole batch is one project's deliveries, else unattributed.
    const { env: metered, meter } = meteredEnv(env);
    const projects = new Set(deliveries.messages.map((m) => m.body.projectId));
    const first = deliveries.messages[0]?.body;
    if (projects.size === 1 && first)
      attributeUsage(metered, { projectId: first.projectId, organizationId: first.organizationId });
    try {
      await deliverBatch(deliveries, {
        db: metered.DB,
        shardDb: (name) => shardDb(metered, name),
        email: env.EMAIL,
        emailFrom: env.ALERTS_EMAIL_FROM,
      });
    } finally {
      settleRequest(meter);
      if (workerUsageDue()) ctx.waitUntil(flushWorkerUsage(env));
    }
  },

  async scheduled(_controller, env, ctx): Promise<void> {
    // The sweep works for no one project: its usage goes to the unattributed bucket.
    const { env: metered, meter } = meteredEnv(env);
    ctx.waitUntil(
      sweepUnreferencedBlobs(metered.DB, metered.BLOBS, Date.now(), {
        spoolHolds: (projectId, keys) => spooledBlobKeys(env, projectId, keys),
        shards: shardNames(metered).map((name) => shardDb(metered, name)),
      })
        .then((r) => console.log(`blob sweep: ${r.listed} listed, ${r.deleted.length} deleted`))
        .finally(() => {
          settleRequest(meter);
          return flushWorkerUsage(env);
        }),
    );
  },
} satisfies ExportedHandler<Env>;

/**
 * `//api/0/…` (a `SENTRY_URL` ending in `/` joined with `/api/0/…`) is routed as `/api/0/…`, and
 * `//evil.example` as the path `/evil.example` on this site, never as another host. Answers the
 * request to route and its path.
 */
function withCollapsedSlashes(request: Request): { request: Request; pathname: string } {
  const url = new URL(request.url);
  const pathname = collapseSlashes(url.pathname);
  if (pathname === url.pathname) return { request, pathname };
  url.pathname = pathname;
  // The path the request's URL now has (the one parse of it this request needs).
  return { request: new Request(url, request), pathname: url.pathname };
}

export { ProjectDO } from "./project/project-do.ts";
