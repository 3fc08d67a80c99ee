// An issue's activity and notes, as Sentry's group activity and notes endpoints answer them (the MCP
// server's get_issue_activity and add_issue_note): `GET …/issues/{id}/activities/` is `{activity: [...]}`
// newest first, ending with the issue's first_seen; `GET/POST …/issues/{id}/notes/` lists and leaves
// notes (`{"text": …}`, 201); `DELETE …/notes/{noteId}/` removes one's own note. Under `/api/0/issues/`
// and the organization's path. Status and assignment changes made through the API are recorded by
// issue-update.ts.
import type { IRequest } from "itty-router";
import { usersByIds } from "../../db/actors.ts";
import { type ActivityRow, addActivity, deleteNote, issueActivity } from "../../db/issue-activity.ts";
import { shardDb } from "../../db/shards.ts";
import type { Env } from "../../env.ts";
import { badRequest } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { readJsonBody } from "../../http/json-body.ts";
import { json } from "../../http/responses.ts";
import { MAX_API_JSON_BYTES, MAX_NOTE_CHARS } from "../../limits.ts";
import { forbidden, notFound } from "../access.ts";
import { type IssueContext, issueFor, nowSeconds } from "../issue-scope.ts";
import { isoDate, linkHeader, pageFrom } from "../pagination.ts";
import { objectBody } from "../slugs.ts";

/** Sentry's activity JSON, with the users it names read from the control plane. */
export async function activityJson(env: Env, rows: readonly ActivityRow[]) {
  const ids = [...new Set(rows.flatMap((r) => (r.user_id === null ? [] : [r.user_id])))];
  const users = new Map((await usersByIds(env.DB, ids)).map((u) => [u.id, u]));
  return rows.map((r) => {
    const user = r.user_id === null ? undefined : users.get(r.user_id);
    let data: Record<string, unknown> = {};
    try {
      data = JSON.parse(r.data) as Record<string, unknown>;
    } catch {
      // A row written by hand: shown without its data.
    }
    return {
      id: String(r.id),
      type: r.type,
      user: user
        ? { id: String(user.id), name: user.name || user.email, username: user.email, email: user.email }
        : null,
      sentry_app: null,
      data,
      dateCreated: isoDate(r.created_at),
    };
  });
}

/** The issue's first_seen, which Sentry's activity list always ends with. */
function firstSeen(ctx: IssueContext) {
  return {
    id: `first-seen-${ctx.issue.id}`,
    type: "first_seen",
    user: null,
    sentry_app: null,
    data: {},
    dateCreated: isoDate(ctx.issue.first_seen),
  };
}

async function listActivity(req: IRequest, env: Env) {
  const ctx = await issueFor(req, env, "event:read");
  const rows = await issueActivity(shardDb(env, ctx.org.shard), ctx.issue.id, null, {
    limit: 100,
    offset: 0,
  });
  return json({ activity: [...(await activityJson(env, rows)), firstSeen(ctx)] });
}

async function listNotes(req: IRequest, env: Env) {
  const ctx = await issueFor(req, env, "event:read");
  const url = new URL(req.url);
  const page = pageFrom(url);
  const rows = await issueActivity(shardDb(env, ctx.org.shard), ctx.issue.id, ["note"], {
    limit: page.limit + 1,
    offset: page.offset,
  });
  return json(await activityJson(env, rows.slice(0, page.limit)), 200, {
    link: linkHeader(url, page, rows.length > page.limit),
  });
}

async function addNote(req: IRequest, env: Env) {
  const ctx = await issueFor(req, env, "event:write");
  const body = objectBody(await readJsonBody(req, MAX_API_JSON_BYTES));
  const text = body.text;
  if (typeof text !== "string" || text.trim() === "") throw badRequest("text: this field is required");
  if (text.length > MAX_NOTE_CHARS)
    throw badRequest(`text: ensure this field has no more than ${MAX_NOTE_CHARS} characters`);
  const [row] = await addActivity(
    shardDb(env, ctx.org.shard),
    [ctx.issue.id],
    { type: "note", userId: ctx.caller.identity.userId, data: { text } },
    nowSeconds(),
  );
  if (!row) throw badRequest("The note could not be stored");
  const [note] = await activityJson(env, [row]);
  return json(note, 201);
}

async function removeNote(req: IRequest, env: Env) {
  const ctx = await issueFor(req, env, "event:write");
  const noteId = Number(param(req, "noteId"));
  if (!Number.isSafeInteger(noteId) || noteId <= 0) throw notFound();
  const userId = ctx.caller.identity.userId;
  // An organization token wrote no note.
  if (userId === null) throw forbidden();
  if (!(await deleteNote(shardDb(env, ctx.org.shard), ctx.issue.id, noteId, userId))) throw notFound();
  return new Response(null, { status: 204 });
}

export function registerIssueActivityRoutes(router: AppRouter): void {
  for (const base of ["/api/0/issues/:issueId", "/api/0/organizations/:org/issues/:issueId"]) {
    router.get(`${base}/activities/`, listActivity);
    router.get(`${base}/notes/`, listNotes);
    router.post(`${base}/notes/`, addNote);
    router.delete(`${base}/notes/:noteId/`, removeNote);
  }
}
