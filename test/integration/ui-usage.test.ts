// The project's "Usage" settings page: the month's units and dollars after real ingest, the hourly
// charts, the budget form (owners and admins only; members read), and the "Shedding" state once the
// budget is reached and ingest answers 429.
import { describe, expect, it } from "vitest";
import { createTenant, envelope, newEventId, postEnvelope } from "./helpers.ts";
import { addUser, get, post, signIn } from "./ui-helpers.ts";

const errorEnvelope = (message: string) => {
  const id = newEventId();
  return envelope({ event_id: id }, [{ type: "event" }, JSON.stringify({ event_id: id, message })]);
};

describe("usage settings page", () => {
  it("shows units and dollars, saves a budget, and says when ingest is shed", async () => {
    const t = await createTenant();
    expect((await postEnvelope(t, errorEnvelope("metered"))).status).toBe(200);
    const owner = await signIn(await addUser(t, "owner"));
    const path = `/settings/${t.orgSlug}/projects/${t.projectSlug}/usage/`;
    const html = await (await get(owner, path)).text();
    expect(html).toContain("Usage and costs");
    expect(html).toMatch(/rows written/);
    expect(html).toContain('data-state="ok"');
    expect(html).toContain("No budget");
    expect(html).toMatch(/aria-label="[\d.e-]+ dollars; peak/);
    expect(html).not.toMatch(/data-total>\$0\.00</);

    const bad = await post(owner, path, { action: "budget", monthlyBudgetUsd: "lots" });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Monthly budget: must be a number");
    expect((await post(owner, path, { action: "budget", monthlyBudgetUsd: "0.0000001" })).status).toBe(303);
    expect((await postEnvelope(t, errorEnvelope("refused"))).status).toBe(429);
    const shed = await (await get(owner, path)).text();
    expect(shed).toContain('data-state="shedding"');
    expect(shed).toContain('value="1e-7"');

    const member = await signIn(await addUser(t, "member"));
    const seen = await (await get(member, path)).text();
    expect(seen).toContain("Owners and admins set the monthly budget");
    expect((await post(member, path, { action: "budget", monthlyBudgetUsd: "" })).status).toBe(403);
    expect((await post(owner, path, { action: "budget", monthlyBudgetUsd: "" })).status).toBe(303);
    expect((await postEnvelope(t, errorEnvelope("accepted again"))).status).toBe(200);
  });
});
