// Every REST API route, registered in the order the router matches them (the more specific ingest
// routes come before, the web UI's after: see src/http/router.ts).
import type { AppRouter } from "../http/app-router.ts";
import { param } from "../http/app-router.ts";
import { handleIngestStats } from "./ingest-stats.ts";
import { registerAlertRuleRoutes } from "./routes/alert-rules.ts";
import { registerAlertSettingsRoutes } from "./routes/alert-settings.ts";
import { registerApiTokenRoutes } from "./routes/api-tokens.ts";
import { registerAuthIndexRoutes } from "./routes/auth-index.ts";
import { registerChunkUploadRoutes } from "./routes/chunk-upload.ts";
import { registerDebugFileRoutes } from "./routes/debug-files.ts";
import { registerDeployRoutes } from "./routes/deploys.ts";
import { registerDiscoverEventRoutes } from "./routes/discover-events.ts";
import { registerEnvironmentRoutes } from "./routes/environments.ts";
import { registerEventAttachmentRoutes } from "./routes/event-attachments.ts";
import { registerEventIdRoutes } from "./routes/event-ids.ts";
import { registerEventReceiptRoutes } from "./routes/event-receipts.ts";
import { registerEventRoutes } from "./routes/events.ts";
import { registerEventsStatsRoutes } from "./routes/events-stats.ts";
import { registerIssueActivityRoutes } from "./routes/issue-activity.ts";
import { registerIssueHashRoutes } from "./routes/issue-hashes.ts";
import { registerIssueTagValueRoutes } from "./routes/issue-tag-values.ts";
import { registerIssueRoutes } from "./routes/issues.ts";
import { registerLiveTailRoutes } from "./routes/live-tail.ts";
import { registerMemberRoutes } from "./routes/members.ts";
import { registerMonitorRoutes } from "./routes/monitors.ts";
import { registerOrganizationRoutes } from "./routes/organizations.ts";
import { registerProjectFilterRoutes } from "./routes/project-filters.ts";
import { registerProjectKeyRoutes } from "./routes/project-keys.ts";
import { registerProjectStatsRoutes } from "./routes/project-stats.ts";
import { registerProjectRoutes } from "./routes/projects.ts";
import { registerReleaseRoutes } from "./routes/releases.ts";
import { registerSessionRoutes } from "./routes/sessions.ts";
import { registerStatsV2Routes } from "./routes/stats-v2.ts";
import { registerTeamRoutes } from "./routes/teams.ts";
import { registerTraceSearchRoutes } from "./routes/trace-search.ts";
import { registerTraceRoutes } from "./routes/traces.ts";
import { registerUsageRoutes } from "./routes/usage.ts";
import { registerUserFeedbackRoutes } from "./routes/user-feedback.ts";

export function registerApiRoutes(router: AppRouter): void {
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
  registerProjectFilterRoutes(router);
  registerAlertRuleRoutes(router);
  registerAlertSettingsRoutes(router);
  registerMemberRoutes(router);
  registerApiTokenRoutes(router);
  registerIssueRoutes(router);
  registerIssueActivityRoutes(router);
  registerEventReceiptRoutes(router);
  registerLiveTailRoutes(router);
  registerEventRoutes(router);
  registerEventAttachmentRoutes(router);
  registerIssueHashRoutes(router);
  registerIssueTagValueRoutes(router);
  registerDiscoverEventRoutes(router);
  registerEventsStatsRoutes(router);
  registerTraceRoutes(router);
  registerTraceSearchRoutes(router);
  registerEventIdRoutes(router);
  registerEnvironmentRoutes(router);
  registerUserFeedbackRoutes(router);
  registerStatsV2Routes(router);
  registerSessionRoutes(router);
  registerMonitorRoutes(router);
  registerProjectStatsRoutes(router);
  registerUsageRoutes(router);
}
