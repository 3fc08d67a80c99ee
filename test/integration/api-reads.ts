// The API reads the storage-equivalence tests compare (rows in one format against rows in another):
// a GET that must answer 200, discover with fields sorted by id, and the ids an issue search finds.
import { expect } from "vitest";
import type { Tenant } from "./helpers.ts";
import { call } from "./tenant-helpers.ts";

type Query = [string, string][];

/** GET /api/0/{path}; fails the test (showing the body) unless it answers 200. */
export async function apiGet(t: Tenant, path: string, query: Query = []): Promise<unknown> {
  const qs = query.length > 0 ? `?${new URLSearchParams(query)}` : "";
  const res = await call<unknown>(t.token, "GET", `/api/0/${path}${qs}`);
  expect([path, res.status, res.body]).toEqual([path, 200, res.body]);
  return res.body;
}

/** The organization's discover answer for these fields and query, sorted by event id. */
export function discoverById(
  t: Tenant,
  fields: readonly string[],
  query: string,
  extra: Query = [["statsPeriod", "14d"]],
): Promise<unknown> {
  return apiGet(t, `organizations/${t.orgSlug}/events/`, [
    ...fields.map((f): [string, string] => ["field", f]),
    ["sort", "id"],
    ["query", query],
    ...extra,
  ]);
}

/** The ids of the project's issues this search finds, in the stream's order. */
export async function issueIdsFound(t: Tenant, query: string): Promise<unknown[]> {
  const body = await apiGet(t, `projects/${t.orgSlug}/${t.projectSlug}/issues/`, [["query", query]]);
  return (body as { id: unknown }[]).map((i) => i.id);
}
