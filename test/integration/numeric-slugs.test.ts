// All-digit slugs are refused everywhere one is set (API, UI, storage), so an all-digit path segment
// always names an id and `…/projects/{org}/4/` can never mean both the project slugged 4 and id 4.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createTenant } from "./helpers.ts";
import { call, createUser } from "./tenant-helpers.ts";
import { addUser, post, signIn } from "./ui-helpers.ts";

const DETAIL =
  "Enter a valid slug consisting of lowercase letters, numbers, underscores or hyphens. It cannot be entirely numeric.";

describe("all-digit slugs", () => {
  it("are refused by the API for organizations, teams and projects (create and update)", async () => {
    const t = await createTenant();
    const owner = await createUser(t.orgId, "owner");
    const org = await call(owner.token, "POST", "/api/0/organizations/", { slug: "12345" });
    expect(org.status).toBe(400);
    const team = await call(owner.token, "POST", `/api/0/organizations/${t.orgSlug}/teams/`, { slug: "42" });
    expect(team.status).toBe(400);
    expect(team.body).toEqual({ detail: DETAIL });
    expect(
      (await call(owner.token, "POST", `/api/0/organizations/${t.orgSlug}/teams/`, { slug: "core" })).status,
    ).toBe(201);
    const project = await call(owner.token, "POST", `/api/0/teams/${t.orgSlug}/core/projects/`, {
      slug: "7",
    });
    expect(project.status).toBe(400);
    const rename = await call(owner.token, "PUT", `/api/0/projects/${t.orgSlug}/${t.projectSlug}/`, {
      slug: "7",
    });
    expect(rename.status).toBe(400);
    expect(rename.body).toEqual({ detail: expect.any(String) });
  });

  it("are refused by the UI's project create and rename, and the API keeps resolving digits as ids", async () => {
    const t = await createTenant();
    const browser = await signIn(await addUser(t, "owner"));
    const created = await post(browser, `/settings/${t.orgSlug}/projects/`, { name: "4" });
    expect(created.status).toBe(400);
    expect(await created.text()).toContain("cannot be entirely numeric");
    const renamed = await post(browser, `/settings/${t.orgSlug}/projects/${t.projectSlug}/`, {
      action: "rename",
      name: "Renamed",
      slug: String(t.projectId + 1000),
    });
    expect(renamed.status).toBe(400);
    const row = await env.DB.prepare("SELECT slug, name FROM projects WHERE id = ?")
      .bind(t.projectId)
      .first<{ slug: string; name: string }>();
    expect(row).toEqual({ slug: t.projectSlug, name: expect.any(String) });
    const owner = await createUser(t.orgId, "owner");
    const byId = await call<{ slug: string }>(
      owner.token,
      "GET",
      `/api/0/projects/${t.orgSlug}/${t.projectId}/`,
    );
    expect(byId.status).toBe(200);
    expect(byId.body.slug).toBe(t.projectSlug);
    const orgById = await call<{ slug: string }>(
      owner.token,
      "GET",
      `/api/0/projects/${t.orgId}/${t.projectSlug}/`,
    );
    expect(orgById.body.slug).toBe(t.projectSlug);
  });

  it("cannot be stored by any writer", async () => {
    const t = await createTenant();
    await expect(
      env.DB.prepare("UPDATE projects SET slug = '99' WHERE id = ?").bind(t.projectId).run(),
    ).rejects.toThrow(/entirely numeric/);
    await expect(
      env.DB.prepare("INSERT INTO organizations (slug, name, created_at) VALUES ('31337', 'x', 0)").run(),
    ).rejects.toThrow(/entirely numeric/);
    await expect(
      env.DB.prepare("INSERT INTO teams (organization_id, slug, name, created_at) VALUES (?, '5', 'x', 0)")
        .bind(t.orgId)
        .run(),
    ).rejects.toThrow(/entirely numeric/);
  });
});
