// Worker entry: one router for ingest and API, one error boundary, CORS on ingest responses.
import type { Env } from "./env.ts";
import { isIngestPath, withIngestCors } from "./http/cors.ts";
import { errorResponse } from "./http/responses.ts";
import { buildRouter } from "./http/router.ts";

const router = buildRouter();

export default {
  async fetch(request, env, ctx): Promise<Response> {
    let response: Response;
    try {
      response = (await router.fetch(request, env, ctx)) as Response;
    } catch (error) {
      response = errorResponse(error);
    }
    return isIngestPath(new URL(request.url).pathname) ? withIngestCors(response) : response;
  },
} satisfies ExportedHandler<Env>;

export { ProjectDO } from "./project/project-do.ts";
