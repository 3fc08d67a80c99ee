// Routes: ingest endpoints (Relay's paths) and the REST API (Sentry's paths under /api/0/).
import { type IRequest, Router } from "itty-router";
import { registerApiRoutes } from "../api/index.ts";
import type { Env } from "../env.ts";
import { FaultlineError } from "../errors.ts";
import { handleCron, handleEnvelope, handleMinidump, handleOtlp, handleStore } from "../ingest/index.ts";
import { registerUiRoutes, uiNotFound } from "../ui/index.ts";
import { type AppRouter, param } from "./app-router.ts";
import { preflight } from "./cors.ts";
import { json } from "./responses.ts";

export function buildRouter(): AppRouter {
  const router: AppRouter = Router<IRequest, [Env, ExecutionContext]>();
  router.options("/api/*", () => preflight());
  router.get("/_health", () => json({ ok: true }));
  for (const slash of ["/", ""]) {
    router.post(`/api/:projectId/envelope${slash}`, (req, env, ctx) =>
      handleEnvelope(req, env, ctx, param(req, "projectId")),
    );
    router.post(`/api/:projectId/store${slash}`, (req, env, ctx) =>
      handleStore(req, env, ctx, param(req, "projectId")),
    );
    router.post(`/api/:projectId/minidump${slash}`, (req, env, ctx) =>
      handleMinidump(req, env, ctx, param(req, "projectId")),
    );
  }
  // OTLP/HTTP, at Sentry's paths (exporters append `/v1/traces` / `/v1/logs` to the base endpoint),
  // and at `/api/{id}/otlp/…`, the path Relay served first and still serves.
  for (const signal of ["traces", "logs"] as const) {
    for (const base of ["integration/otlp", "otlp"])
      router.post(`/api/:projectId/${base}/v1/${signal}`, (req, env, ctx) =>
        handleOtlp(req, env, ctx, param(req, "projectId"), signal),
      );
  }
  router.post("/api/store/", (req, env, ctx) => handleStore(req, env, ctx, null));
  // HTTP check-ins (crons), GET or POST, the key in the path or the query (Relay's cron routes).
  for (const path of ["/api/:projectId/cron/:slug/:key", "/api/:projectId/cron/:slug"])
    for (const slash of ["/", ""])
      router.all(`${path}${slash}`, (req, env, ctx) => {
        if (req.method !== "GET" && req.method !== "POST") return undefined;
        const key = req.params.key;
        return handleCron(
          req,
          env,
          ctx,
          param(req, "projectId"),
          param(req, "slug"),
          key ? decodeURIComponent(key) : null,
        );
      });
  registerApiRoutes(router);
  registerUiRoutes(router);
  router.all("*", (request) => {
    const page = uiNotFound(request);
    if (page) return page;
    throw new FaultlineError(404, "The requested resource does not exist");
  });
  return router;
}
