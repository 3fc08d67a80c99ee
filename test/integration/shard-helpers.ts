// Tenants on a chosen event shard, and reads of an organization's shard, for the tests that check
// routing (src/db/shards.ts). The organization is created by the storage layer's own function with the
// shard the placement picks; its team and project through the REST API, as a user makes them (the
// project route anchors the project on the shard).
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { organizationShard, shardDb } from "../../src/db/shards.ts";
import { createOrganization } from "../../src/db/tenants.ts";
import type { Tenant } from "./helpers.ts";
import { call, createUser, orgToken } from "./tenant-helpers.ts";

const hex = (bytes: number) =>
  [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");

/** The D1 database of the organization's shard, as the control plane records it. */
export async function shardOf(orgId: number): Promise<D1Database> {
  const name = await organizationShard(env.DB, orgId);
  if (!name) throw new Error(`organization ${orgId} does not exist`);
  return shardDb(env, name);
}

/** An organization on `shard` with an owner, a team, a project (and its DSN key) and an org token. */
export async function createTenantOnShard(shard: string): Promise<Tenant & { ownerToken: string }> {
  const slug = `shard-${hex(4)}`;
  const owner = await createUser(null);
  const org = await createOrganization(env.DB, { slug, name: `Org ${slug}`, shard }, owner.userId);
  if (!org) throw new Error("organization not created");
  const team = await call(owner.token, "POST", `/api/0/organizations/${slug}/teams/`, { slug: "core" });
  expect(team.status).toBe(201);
  const project = await call<{ id: string; slug: string }>(
    owner.token,
    "POST",
    `/api/0/teams/${slug}/core/projects/`,
    { name: "App", slug: "app" },
  );
  expect(project.status).toBe(201);
  const keys = await call<{ id: string; public: string }[]>(
    owner.token,
    "GET",
    `/api/0/projects/${slug}/app/keys/`,
  );
  const key = keys.body[0];
  if (!key) throw new Error("the project has no DSN key");
  return {
    orgId: org.id,
    orgSlug: slug,
    projectId: Number(project.body.id),
    projectSlug: "app",
    keyId: Number(key.id),
    publicKey: key.public,
    token: await orgToken(org.id, "org:read project:read project:write event:read event:write event:admin"),
    ownerToken: owner.token,
  };
}
