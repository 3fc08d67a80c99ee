// The test sink's Worker (built into dist/worker/ by scripts/build-testing.mjs): Faultline's own Worker
// and Durable Object, unchanged, plus two routes only the sink has:
//   POST /_faultline/reset/{org}/{project}/  clears the project's telemetry between tests
//     (src/project/telemetry-reset.ts). The caller is checked by asking the API itself with the
//     caller's credentials: the token must see the project and hold `event:admin`, the scope Sentry
//     asks for to delete events.
//   POST /_faultline/sql  runs statements in one D1 batch for startFaultline() (migrations, the default
//     tenant), with the secret it bound for this start. Miniflare's own D1 proxy would do, but its
//     synchronous machinery hangs a process started with `--input-type=module` (`node -e`).
import type { Env } from "../../src/env.ts";
import app from "../../src/index.ts";
import { clearTelemetry } from "../../src/project/index.ts";

export { ProjectDO } from "../../src/index.ts";

interface SinkEnv extends Env {
  /** Random per start, known only to the Node process that started the sink. */
  FAULTLINE_SINK_SECRET?: string;
}

interface SqlStatement {
  sql: string;
  params?: (string | number | null)[];
}

const RESET = /^\/_faultline\/reset\/([^/]+)\/([^/]+)\/?$/;

const detail = (status: number, text: string) => Response.json({ detail: text }, { status });

async function reset(request: Request, env: Env, ctx: ExecutionContext, org: string, project: string) {
  const ask = (path: string) =>
    app.fetch(
      new Request(new URL(path, request.url), {
        headers: { authorization: request.headers.get("authorization") ?? "" },
      }),
      env,
      ctx,
    );
  const who = await ask("/api/0/");
  if (!who.ok) return who;
  const { auth } = (await who.json()) as { auth: { scopes: string[] } | null };
  if (!auth?.scopes.includes("event:admin"))
    return detail(403, "Resetting the sink needs a token with the event:admin scope.");
  const found = await ask(`/api/0/projects/${org}/${project}/`);
  if (!found.ok) return found;
  const { id } = (await found.json()) as { id: string };
  if (!(await clearTelemetry(env, Number(id))))
    return detail(503, "The project's spool did not reach D1 in time; nothing was deleted. Try again.");
  return new Response(null, { status: 204 });
}

async function sql(request: Request, env: SinkEnv): Promise<Response> {
  const secret = env.FAULTLINE_SINK_SECRET;
  if (!secret || request.headers.get("authorization") !== `Bearer ${secret}`) return detail(404, "Not found");
  const { statements, binding } = (await request.json()) as { statements: SqlStatement[]; binding?: string };
  // Migrations go to every shard (a D1 binding named DB or SHARD_<n>); anything else to the control plane.
  const name = binding ?? "DB";
  const db = /^(DB|SHARD_[0-9]+)$/.test(name)
    ? (env as unknown as Record<string, D1Database>)[name]
    : undefined;
  if (!db) return detail(400, `No D1 binding named ${name}.`);
  const results = await db.batch(statements.map((s) => db.prepare(s.sql).bind(...(s.params ?? []))));
  return Response.json({ rows: results[results.length - 1]?.results ?? [] });
}

export default {
  async fetch(request, env, ctx): Promise<Response> {
    const { pathname } = new URL(request.url);
    const match = RESET.exec(pathname);
    // The slugs stay as the path has them (encoded): they go into the API's path as they came.
    if (match && request.method === "POST") return reset(request, env, ctx, match[1] ?? "", match[2] ?? "");
    if (pathname === "/_faultline/sql" && request.method === "POST") return sql(request, env);
    return app.fetch(request, env, ctx);
  },
  scheduled: (controller, env, ctx) => app.scheduled(controller, env, ctx),
} satisfies ExportedHandler<SinkEnv>;
