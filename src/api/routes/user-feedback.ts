// Sentry's user feedback API (`/projects/{org}/{project}/user-feedback/`): GET lists the project's user
// reports newest first (paged), POST stores one for an event id (Sentry's UserReport shape). A report
// is never rewritten: a retried POST returns the stored report, a different one for the same event 409.
// An issue's reports (`/issues/{id}/user-reports/`, also under the organization: the MCP server's
// get_issue_user_reports) are the reports on its events.
import type { IRequest } from "itty-router";
import { shardDb } from "../../db/shards.ts";
import {
  insertUserReportOnce,
  issueUserReports,
  listUserReports,
  type UserReportRow,
  userReportForEvent,
} from "../../db/user-reports.ts";
import type { Env } from "../../env.ts";
import { badRequest, FaultlineError } from "../../errors.ts";
import type { AppRouter } from "../../http/app-router.ts";
import { readJsonBody } from "../../http/json-body.ts";
import { json } from "../../http/responses.ts";
import {
  MAX_FEEDBACK_CHARS,
  MAX_USER_REPORT_BODY_BYTES,
  MAX_USER_REPORT_EMAIL_CHARS,
  MAX_USER_REPORT_NAME_CHARS,
} from "../../limits.ts";
import { requestProject } from "../access.ts";
import { issueFor } from "../issue-scope.ts";
import { isoDate, linkHeader, pageFrom } from "../pagination.ts";
import { objectBody } from "../slugs.ts";

export function serializeUserReport(row: UserReportRow) {
  return {
    id: String(row.id),
    eventID: row.event_id,
    name: row.name ?? "",
    email: row.email ?? "",
    comments: row.comments,
    dateCreated: isoDate(row.created_at),
    user: null,
    event: { id: row.event_id, eventID: row.event_id },
    issue: row.issue_id === null ? null : { id: String(row.issue_id) },
  };
}

function optionalText(body: Record<string, unknown>, key: string, max: number): string | null {
  const value = body[key];
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string") throw badRequest(`${key}: must be a string`);
  if (value.length > max) throw badRequest(`${key}: ensure this field has no more than ${max} characters`);
  return value;
}

export function parseUserReport(input: unknown) {
  const body = objectBody(input);
  const rawId = body.event_id ?? body.eventId;
  const eventId = typeof rawId === "string" ? rawId.replace(/-/g, "").toLowerCase() : "";
  if (!/^[0-9a-f]{32}$/.test(eventId))
    throw badRequest("event_id: must be a 32 character hexadecimal event id");
  const comments = body.comments;
  if (typeof comments !== "string" || comments.trim() === "")
    throw badRequest("comments: this field is required");
  if (comments.length > MAX_FEEDBACK_CHARS)
    throw badRequest(`comments: ensure this field has no more than ${MAX_FEEDBACK_CHARS} characters`);
  const email = optionalText(body, "email", MAX_USER_REPORT_EMAIL_CHARS);
  if (email !== null && !/^[^\s@]+@[^\s@]+$/.test(email))
    throw badRequest("email: enter a valid email address");
  return { eventId, name: optionalText(body, "name", MAX_USER_REPORT_NAME_CHARS), email, comments };
}

async function listReports(request: IRequest, env: Env): Promise<Response> {
  const { org, project } = await requestProject(request, env, "project:read");
  const url = new URL(request.url);
  const page = pageFrom(url);
  const rows = await listUserReports(shardDb(env, org.shard), project.id, page.limit + 1, page.offset);
  return json(rows.slice(0, page.limit).map(serializeUserReport), 200, {
    link: linkHeader(url, page, rows.length > page.limit),
  });
}

async function createReport(request: IRequest, env: Env): Promise<Response> {
  const { org, project } = await requestProject(request, env, "project:write");
  const events = shardDb(env, org.shard);
  const report = parseUserReport(await readJsonBody(request, MAX_USER_REPORT_BODY_BYTES));
  await insertUserReportOnce(events, project.id, report, Date.now() / 1000);
  const stored = await userReportForEvent(events, project.id, report.eventId);
  if (!stored) throw new FaultlineError(503, "The report could not be stored; retry");
  const same =
    stored.comments === report.comments &&
    (stored.name ?? null) === report.name &&
    (stored.email ?? null) === report.email;
  if (!same) throw new FaultlineError(409, "An event report for the given event_id already exists");
  return json(serializeUserReport(stored));
}

export function registerUserFeedbackRoutes(router: AppRouter): void {
  router.get("/api/0/projects/:org/:project/user-feedback/", (req, env) => listReports(req, env));
  for (const base of ["/api/0/issues/:issueId", "/api/0/organizations/:org/issues/:issueId"])
    router.get(`${base}/user-reports/`, async (req, env) => {
      const { issue, org } = await issueFor(req, env, "event:read");
      const url = new URL(req.url);
      const page = pageFrom(url);
      const rows = await issueUserReports(
        shardDb(env, org.shard),
        { id: issue.id, projectId: issue.project_id },
        page.limit + 1,
        page.offset,
      );
      return json(rows.slice(0, page.limit).map(serializeUserReport), 200, {
        link: linkHeader(url, page, rows.length > page.limit),
      });
    });
  router.post("/api/0/projects/:org/:project/user-feedback/", (req, env) => createReport(req, env));
}
