// API tokens. User tokens: `GET/POST/DELETE /api/0/api-tokens/` (a user manages their own `sntryu_`
// tokens with a user token; a new token cannot carry scopes the calling token lacks). Organization
// tokens: `GET/POST /api/0/organizations/{org}/org-auth-tokens/` and `GET/DELETE …/{id}/`, minted in
// Sentry's `sntrys_` format with this server's own root URL and the organization slug (sentry-cli reads
// both from the token). Only SHA-256 hashes are stored; the plain token is in the creation response only.
import type { IRequest } from "itty-router";
import {
  deleteToken,
  findUserToken,
  getOrgToken,
  insertToken,
  listOrgTokens,
  listUserTokens,
} from "../../db/api-tokens.ts";
import { badRequest, FaultlineError } from "../../errors.ts";
import { type AppRouter, param } from "../../http/app-router.ts";
import { readJsonBody } from "../../http/json-body.ts";
import { json } from "../../http/responses.ts";
import { MAX_API_JSON_BYTES } from "../../limits.ts";
import { authenticate, notFound } from "../access.ts";
import { linkHeader, pageFrom } from "../pagination.ts";
import {
  ORG_TOKEN_SCOPES,
  parseOrgTokenCreate,
  parseUserTokenCreate,
  serializeOrgToken,
  serializeUserToken,
} from "../serializers/api-token.ts";
import { objectBody } from "../slugs.ts";
import { organizationWithAny, originOf, requireUser } from "../tenant-access.ts";
import { lastCharacters, mintOrgToken, mintUserToken } from "../token-format.ts";
import { sha256Hex } from "../tokens.ts";

/** The token a `DELETE /api-tokens/` names: `tokenId` (or `token`) in the body or the query. */
async function tokenToDelete(req: IRequest): Promise<{ id: number } | { hash: string }> {
  const url = new URL(req.url);
  const body =
    req.headers.get("content-length") === "0" ? {} : objectBody(await readJsonBody(req, 64 * 1024));
  const value =
    body.tokenId ?? body.token ?? url.searchParams.get("tokenId") ?? url.searchParams.get("token");
  if (typeof value === "number" && Number.isSafeInteger(value)) return { id: value };
  if (typeof value === "string" && /^\d{1,15}$/.test(value)) return { id: Number(value) };
  if (typeof value === "string" && value.length > 0) return { hash: await sha256Hex(value) };
  throw badRequest("Name the token to delete with tokenId");
}

function orgTokenId(req: IRequest): number {
  const raw = param(req, "tokenId");
  if (!/^\d{1,15}$/.test(raw)) throw notFound();
  return Number(raw);
}

export function registerApiTokenRoutes(router: AppRouter): void {
  router.get("/api/0/api-tokens/", async (req, env) => {
    const caller = await authenticate(req, env);
    const rows = await listUserTokens(env.DB, requireUser(caller));
    return json(rows.map((r) => serializeUserToken(r)));
  });

  router.post("/api/0/api-tokens/", async (req, env) => {
    const caller = await authenticate(req, env);
    const userId = requireUser(caller);
    const input = parseUserTokenCreate(await readJsonBody(req, MAX_API_JSON_BYTES));
    const beyond = input.scopes.filter((s) => !caller.identity.scopes.has(s));
    if (beyond.length > 0)
      throw new FaultlineError(
        403,
        `The calling token cannot grant scopes it does not hold: ${beyond.join(", ")}`,
      );
    const token = mintUserToken();
    const row = await insertToken(env.DB, {
      tokenHash: await sha256Hex(token),
      tokenLastCharacters: lastCharacters(token),
      name: input.name,
      userId,
      organizationId: null,
      scopes: input.scopes,
    });
    return json(serializeUserToken(row, token), 201);
  });

  router.delete("/api/0/api-tokens/", async (req, env) => {
    const caller = await authenticate(req, env);
    const userId = requireUser(caller);
    const row = await findUserToken(env.DB, userId, await tokenToDelete(req));
    if (!row) throw notFound();
    await deleteToken(env.DB, row.id);
    return new Response(null, { status: 204 });
  });

  const orgBase = "/api/0/organizations/:org/org-auth-tokens";

  router.get(`${orgBase}/`, async (req, env) => {
    const caller = await authenticate(req, env);
    const org = await organizationWithAny(env, caller, param(req, "org"), ["org:read"]);
    const url = new URL(req.url);
    const page = pageFrom(url);
    const { rows, hasMore } = await listOrgTokens(env.DB, org.id, page);
    return json(
      rows.map((r) => serializeOrgToken(r)),
      200,
      { link: linkHeader(url, page, hasMore) },
    );
  });

  router.post(`${orgBase}/`, async (req, env) => {
    const caller = await authenticate(req, env);
    const org = await organizationWithAny(env, caller, param(req, "org"), ["org:write"]);
    requireUser(caller);
    const input = parseOrgTokenCreate(await readJsonBody(req, MAX_API_JSON_BYTES));
    const token = mintOrgToken({ url: originOf(req), org: org.slug });
    const row = await insertToken(env.DB, {
      tokenHash: await sha256Hex(token),
      tokenLastCharacters: lastCharacters(token),
      name: input.name,
      userId: null,
      organizationId: org.id,
      scopes: ORG_TOKEN_SCOPES,
    });
    return json(serializeOrgToken(row, token), 201);
  });

  router.get(`${orgBase}/:tokenId/`, async (req, env) => {
    const caller = await authenticate(req, env);
    const org = await organizationWithAny(env, caller, param(req, "org"), ["org:read"]);
    const row = await getOrgToken(env.DB, org.id, orgTokenId(req));
    if (!row) throw notFound();
    return json(serializeOrgToken(row));
  });

  router.delete(`${orgBase}/:tokenId/`, async (req, env) => {
    const caller = await authenticate(req, env);
    const org = await organizationWithAny(env, caller, param(req, "org"), ["org:write"]);
    const row = await getOrgToken(env.DB, org.id, orgTokenId(req));
    if (!row) throw notFound();
    await deleteToken(env.DB, row.id);
    return new Response(null, { status: 204 });
  });
}
