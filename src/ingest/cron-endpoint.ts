// Sentry's HTTP check-ins (`GET|POST /api/{project_id}/cron/{monitor_slug}/{sentry_key}/`, or without
// the key in the path and with it in the query or an auth header), as a crontab line sends them with
// curl: `?status=in_progress|ok|error`, optionally `check_in_id`, `environment` and `duration`; or a
// JSON body, the check-in itself (with `monitor_config` to create or update the monitor). The request
// becomes a `check_in` envelope item and takes the envelope path. As Relay does, the answer is `202`
// with no body, never a 429 (a rate-limited check-in is counted and dropped): a cron job has no SDK to
// back off. A check-in without an id is the nil id, which the project's monitor clock reads as Sentry
// does: `in_progress` starts a run, `ok`/`error` ends the newest run in progress.
import type { Env } from "../env.ts";
import { FaultlineError } from "../errors.ts";
import { MAX_STORE_BODY_BYTES } from "../limits.ts";
import { parseProjectIdPath } from "../protocol/auth.ts";
import { readBodyCapped } from "../protocol/decode.ts";
import { NIL_CHECK_IN_ID } from "../protocol/items/check-in.ts";
import type { Envelope, JsonObject } from "../protocol/types.ts";
import { authenticateRequest, ingestEnvelope } from "./endpoints.ts";

const STATUSES = new Set(["in_progress", "ok", "error"]);

/** The check-in a query string describes (Relay's MonitorQuery). */
function checkInFromQuery(slug: string, query: URLSearchParams): JsonObject {
  const status = query.get("status");
  if (status === null) throw new FaultlineError(400, "missing field `status` in the query string");
  if (!STATUSES.has(status))
    throw new FaultlineError(400, `invalid status: ${status} (expected in_progress, ok or error)`);
  const checkIn: JsonObject = { monitor_slug: slug, status, check_in_id: NIL_CHECK_IN_ID };
  const id = query.get("check_in_id");
  if (id !== null) {
    const hex = id.replace(/-/g, "").toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(hex)) throw new FaultlineError(400, "invalid check_in_id: expected a UUID");
    checkIn.check_in_id = hex;
  }
  const environment = query.get("environment");
  if (environment) checkIn.environment = environment;
  const duration = query.get("duration");
  if (duration !== null) {
    const seconds = Number(duration);
    if (!Number.isFinite(seconds) || seconds < 0)
      throw new FaultlineError(400, "invalid duration: expected seconds");
    checkIn.duration = seconds;
  }
  return checkIn;
}

/** The check-in a JSON body is, its slug the path's. */
async function checkInFromBody(request: Request, slug: string): Promise<JsonObject> {
  const body = await readBodyCapped(request.body, MAX_STORE_BODY_BYTES);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new FaultlineError(400, "invalid JSON body");
  }
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new FaultlineError(400, "invalid check-in: expected a JSON object");
  return { check_in_id: NIL_CHECK_IN_ID, ...(value as JsonObject), monitor_slug: slug };
}

export async function handleCron(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
  pathProject: string,
  slug: string,
  pathKey: string | null,
): Promise<Response> {
  const projectId = parseProjectIdPath(pathProject);
  const url = new URL(request.url);
  if (pathKey !== null) url.searchParams.set("sentry_key", pathKey);
  const who = await authenticateRequest(
    new Request(url, { headers: request.headers }),
    env,
    projectId,
    (work) => ctx.waitUntil(work),
  );
  const json = (request.headers.get("content-type") ?? "").startsWith("application/json");
  const checkIn = json ? await checkInFromBody(request, slug) : checkInFromQuery(slug, url.searchParams);
  const envelope: Envelope = {
    headers: {},
    items: [
      {
        type: "check_in",
        headers: { type: "check_in" },
        payload: new TextEncoder().encode(JSON.stringify(checkIn)),
      },
    ],
  };
  const answer = await ingestEnvelope(request, env, ctx, envelope, who);
  if (answer.ok || answer.status === 429) return new Response(null, { status: 202 });
  return answer;
}
