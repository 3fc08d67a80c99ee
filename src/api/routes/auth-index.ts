// `GET /api/0/`: who the token is (sentry-cli `info` and `login`). Without a token Sentry answers with
// nulls; an unknown token is 401 `{"detail": "Invalid token"}`. Organization tokens have no user.
// `GET /api/0/auth/`: the signed-in user alone (Sentry's MCP server's `whoami`). Sentry answers 400 to a
// caller that is no user: no credentials, or an organization token.

import { getUser } from "../../db/tenants.ts";
import { badRequest } from "../../errors.ts";
import type { AppRouter } from "../../http/app-router.ts";
import { json } from "../../http/responses.ts";
import { authenticate } from "../access.ts";
import { serializeUser } from "../serializers/member.ts";

export function registerAuthIndexRoutes(router: AppRouter): void {
  router.get("/api/0/", async (req, env) => {
    if (!req.headers.get("authorization")) return json({ version: "0", auth: null, user: null });
    const caller = await authenticate(req, env);
    const { identity } = caller;
    const user =
      identity.userId !== null && identity.organizationId === null
        ? await getUser(env.DB, identity.userId)
        : null;
    return json({
      version: "0",
      auth: { scopes: [...identity.scopes].sort() },
      user: user ? serializeUser(user) : null,
    });
  });

  router.get("/api/0/auth/", async (req, env) => {
    if (!req.headers.get("authorization")) throw badRequest("Authentication credentials were not provided");
    const { identity } = await authenticate(req, env);
    const user =
      identity.userId !== null && identity.organizationId === null
        ? await getUser(env.DB, identity.userId)
        : null;
    if (!user) throw badRequest("This token belongs to an organization, not to a user");
    return json(serializeUser(user));
  });
}
