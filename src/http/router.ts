// Routes: ingest endpoints (Relay's paths) and the REST API (Sentry's paths under /api/0/).
import { type IRequest, Router } from "itty-router";
import { handleIngestStats } from "../api/ingest-stats.ts";
import { registerApiTokenRoutes } from "../api/routes/api-tokens.ts";
import { registerAuthIndexRoutes } from "../api/routes/auth-index.ts";
import { registerChunkUploadRoutes } from "../api/routes/chunk-upload.ts";
import { registerDebugFileRoutes } from "../api/routes/debug-files.ts";
import { registerDeployRoutes } from "../api/routes/deploys.ts";
import { registerDiscoverEventRoutes } from "../api/routes/discover-events.ts";
import { registerEnvironmentRoutes } from "../api/routes/environments.ts";
import { registerEventIdRoutes } from "../api/routes/event-ids.ts";
import { registerEventRoutes } from "../api/routes/events.ts";
import { registerEventsStatsRoutes } from "../api/routes/events-stats.ts";
import { registerIssueRoutes } from "../api/routes/issues.ts";
import { registerMemberRoutes } from "../api/routes/members.ts";
import { registerOrganizationRoutes } from "../api/routes/organizations.ts";
import { registerProjectKeyRoutes } from "../api/routes/project-keys.ts";
import { registerProjectStatsRoutes } from "../api/routes/project-stats.ts";
import { registerProjectRoutes } from "../api/routes/projects.ts";
import { registerReleaseRoutes } from "../api/routes/releases.ts";
import { registerStatsV2Routes } from "../api/routes/stats-v2.ts";
import { registerTeamRoutes } from "../api/routes/teams.ts";
import { registerTraceRoutes } from "../api/routes/traces.ts";
import { registerUserFeedbackRoutes } from "../api/routes/user-feedback.ts";
import type { Env } from "../env.ts";
import { FaultlineError } from "../errors.ts";
import { handleEnvelope, handleStore } from "../ingest/endpoints.ts";
import { registerUiRoutes, uiNotFound } from "../ui/routes.ts";
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
  }
  router.post("/api/store/", (req, env, ctx) => handleStore(req, env, ctx, null));
  router.get("/api/0/projects/:org/:project/ingest-stats/", (req, env) =>
    handleIngestStats(req, env, param(req, "org"), param(req, "project")),
  );
  registerReleaseRoutes(router);
  registerDeployRoutes(router);
  registerChunkUploadRoutes(router);
  registerDebugFileRoutes(router);
  registerAuthIndexRoutes(router);
  registerOrganizationRoutes(router);
  registerTeamRoutes(router);
  registerProjectRoutes(router);
  registerProjectKeyRoutes(router);
  registerMemberRoutes(router);
  registerApiTokenRoutes(router);
  registerIssueRoutes(router);
  registerEventRoutes(router);
  registerDiscoverEventRoutes(router);
  registerEventsStatsRoutes(router);
  registerTraceRoutes(router);
  registerEventIdRoutes(router);
  registerEnvironmentRoutes(router);
  registerUserFeedbackRoutes(router);
  registerStatsV2Routes(router);
  registerProjectStatsRoutes(router);
  registerUiRoutes(router);
  router.all("*", (request) => {
    const page = uiNotFound(request);
    if (page) return page;
    throw new FaultlineError(404, "The requested resource does not exist");
  });
  return router;
}
