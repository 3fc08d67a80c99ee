// The test sink's Worker (built into dist/worker/ by scripts/build-testing.mjs): Faultline's own Worker
// and Durable Object, unchanged, plus one route only the sink has: `POST /_faultline/reset/{org}/{project}/`
// clears the project's telemetry between tests (src/project/telemetry-reset.ts). It checks the caller
// by asking the API itself, with the caller's credentials: the token must see the project and hold
// `event:admin`, the scope Sentry asks for to delete events.
import type { Env } from "../../src/env.ts";
import app from "../../src/index.ts";
import { clearTelemetry } from "../../src/project/index.ts";

export { ProjectDO } from "../../src/index.ts";

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

export default {
  async fetch(request, env, ctx): Promise<Response> {
    const match = RESET.exec(new URL(request.url).pathname);
    // The slugs stay as the path has them (encoded): they go into the API's path as they came.
    if (match && request.method === "POST") return reset(request, env, ctx, match[1] ?? "", match[2] ?? "");
    return app.fetch(request, env, ctx);
  },
  scheduled: (controller, env, ctx) => app.scheduled(controller, env, ctx),
} satisfies ExportedHandler<Env>;
