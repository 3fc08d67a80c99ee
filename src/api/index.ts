// The REST API service's face: what the edge and other services use of it.
export { type InviteOutcome, inviteMember } from "./invitations.ts";
export { buildReceipt, type Receipt } from "./receipt.ts";
export { registerApiRoutes } from "./register-routes.ts";
export { type HealthData, type HealthOptions, releaseHealthData } from "./release-health.ts";
export { parseBudget } from "./serializers/budget.ts";
export { parseRetentionDays } from "./serializers/project.ts";
export { isValidSlug } from "./slugs.ts";
export { loadStorage, type StorageJson } from "./storage-quota.ts";
export { changeProjectBudget, loadProjectUsage, reportWindow } from "./usage-load.ts";
export type { UsageReport } from "./usage-report.ts";
