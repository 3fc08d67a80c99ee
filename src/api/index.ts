// The face of the API service: registration of every /api/0/ route (Sentry's REST API) for the edge,
// and what the web UI shares with the API (access checks, tokens, issue search and mutations).
import type { AppRouter } from "../http/app-router.ts";
import { param } from "../http/app-router.ts";
import { handleIngestStats } from "./ingest-stats.ts";
import { registerApiTokenRoutes } from "./routes/api-tokens.ts";
import { registerAuthIndexRoutes } from "./routes/auth-index.ts";
import { registerChunkUploadRoutes } from "./routes/chunk-upload.ts";
import { registerDebugFileRoutes } from "./routes/debug-files.ts";
import { registerDeployRoutes } from "./routes/deploys.ts";
import { registerDiscoverEventRoutes } from "./routes/discover-events.ts";
import { registerEnvironmentRoutes } from "./routes/environments.ts";
import { registerEventAttachmentRoutes } from "./routes/event-attachments.ts";
import { registerEventIdRoutes } from "./routes/event-ids.ts";
import { registerEventRoutes } from "./routes/events.ts";
import { registerEventsStatsRoutes } from "./routes/events-stats.ts";
import { registerIssueHashRoutes } from "./routes/issue-hashes.ts";
import { registerIssueTagValueRoutes } from "./routes/issue-tag-values.ts";
import { registerIssueRoutes } from "./routes/issues.ts";
import { registerMemberRoutes } from "./routes/members.ts";
import { registerOrganizationRoutes } from "./routes/organizations.ts";
import { registerProjectKeyRoutes } from "./routes/project-keys.ts";
import { registerProjectStatsRoutes } from "./routes/project-stats.ts";
import { registerProjectRoutes } from "./routes/projects.ts";
import { registerReleaseRoutes } from "./routes/releases.ts";
import { registerStatsV2Routes } from "./routes/stats-v2.ts";
import { registerTeamRoutes } from "./routes/teams.ts";
import { registerTraceRoutes } from "./routes/traces.ts";
import { registerUserFeedbackRoutes } from "./routes/user-feedback.ts";

/** Registers Sentry's REST API under /api/0/. */
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
  registerMemberRoutes(router);
  registerApiTokenRoutes(router);
  registerIssueRoutes(router);
  registerEventRoutes(router);
  registerEventAttachmentRoutes(router);
  registerIssueHashRoutes(router);
  registerIssueTagValueRoutes(router);
  registerDiscoverEventRoutes(router);
  registerEventsStatsRoutes(router);
  registerTraceRoutes(router);
  registerEventIdRoutes(router);
  registerEnvironmentRoutes(router);
  registerUserFeedbackRoutes(router);
  registerStatsV2Routes(router);
  registerProjectStatsRoutes(router);
}

// What the web UI shares with the API.
export { inviteMember } from "./invitations.ts";
export {
  effectiveStatusSql,
  type IssueSort,
  issueQuerySql,
  parseIssueQuery,
  type SqlFragment,
  sortSql,
} from "./issue-query.ts";
export { deleteIssues } from "./routes/issues.ts";
export { deleteProjectBlobs } from "./routes/projects.ts";
export { newestReleaseFor } from "./routes/releases.ts";
export { isValidSlug } from "./slugs.ts";
export { sha256Hex } from "./tokens.ts";
