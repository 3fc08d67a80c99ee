// The project settings page's data scrubbing and inbound filter forms, and the event page's "Scrubbed
// data" panel: an admin saves settings in the page, the API and ingest follow them, a member cannot.
import { describe, expect, it } from "vitest";
import { createTenant, envelope, eventRow, newEventId, postEnvelope } from "./helpers.ts";
import { call } from "./tenant-helpers.ts";
import { addUser, get, post, signIn } from "./ui-helpers.ts";

describe("privacy settings in the web UI", () => {
  it("saves scrubbing and filters from the settings page and shows what was scrubbed on the event", async () => {
    const t = await createTenant();
    const admin = await signIn(await addUser(t, "admin"));
    const settings = `/settings/${t.orgSlug}/projects/${t.projectSlug}/`;
    const page = await (await get(admin, settings)).text();
    expect(page).toContain("Data scrubbing");
    expect(page).toContain("Inbound filters");

    const saved = await post(admin, settings, {
      action: "scrubbing",
      dataScrubber: "1",
      dataScrubberDefaults: "1",
      scrubIPAddresses: "1",
      sensitiveFields: "customer_ref\n",
      safeFields: "",
    });
    expect(saved.status).toBe(303);
    const filters = await post(admin, settings, {
      action: "filters",
      localhost: "1",
      errorMessages: "*ignore me*",
    });
    expect(filters.status).toBe(303);
    const project = await call<Record<string, unknown>>(
      t.token,
      "GET",
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/`,
    );
    expect(project.body).toMatchObject({
      scrubIPAddresses: true,
      sensitiveFields: ["customer_ref"],
      options: { "filters:error_messages": "*ignore me*" },
    });
    const list = await call<{ id: string; active: unknown }[]>(
      t.token,
      "GET",
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/filters/`,
    );
    expect(list.body.find((f) => f.id === "localhost")?.active).toBe(true);
    expect(await get(admin, settings).then((r) => r.text())).toContain('name="localhost" value="1" checked');

    const id = newEventId();
    const event = {
      event_id: id,
      message: "checkout failed",
      extra: { password: "hunter2", customer_ref: "C-77" },
      user: { id: "u1", ip_address: "203.0.113.5" },
    };
    await postEnvelope(t, envelope({ event_id: id }, [{ type: "event" }, JSON.stringify(event)]));
    const row = await eventRow(t.projectId, id);
    expect(JSON.stringify(row)).not.toMatch(/hunter2|C-77|203\.0\.113\.5/);
    const issueId = String(row?.issue_id);
    const detail = await (
      await get(admin, `/organizations/${t.orgSlug}/issues/${issueId}/events/${id}/`)
    ).text();
    expect(detail).toContain("Scrubbed data");
    expect(detail).toContain("extra.password");
    expect(detail).toContain("a password, token or other secret");
    expect(detail).toContain("extra.customer_ref");
    expect(detail).toContain("one of the project&#39;s sensitive fields");
    expect(detail).toContain("user.ip_address");
    expect(detail).toContain("[Filtered]");

    const ignored = newEventId();
    const res = await postEnvelope(
      t,
      envelope({ event_id: ignored }, [
        { type: "event" },
        JSON.stringify({ event_id: ignored, message: "please ignore me now" }),
      ]),
    );
    expect(res.status).toBe(200);
    expect(await eventRow(t.projectId, ignored)).toBeNull();
  });

  it("a member sees the settings but cannot change them", async () => {
    const t = await createTenant();
    const member = await signIn(await addUser(t, "member"));
    const settings = `/settings/${t.orgSlug}/projects/${t.projectSlug}/`;
    const res = await post(member, settings, { action: "filters", localhost: "1" });
    expect(res.status).toBe(403);
    const list = await call<{ id: string; active: unknown }[]>(
      t.token,
      "GET",
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/filters/`,
    );
    expect(list.body.find((f) => f.id === "localhost")?.active).toBe(false);
  });

  it("finds an event by id: stored with a link, dropped with the reason, never seen", async () => {
    const t = await createTenant();
    const b = await signIn(await addUser(t, "member"));
    const issues = await (await get(b, `/organizations/${t.orgSlug}/issues/`)).text();
    expect(issues).toContain("Find an event");
    const stored = newEventId();
    await postEnvelope(
      t,
      envelope({ event_id: stored }, [
        { type: "event" },
        JSON.stringify({ event_id: stored, message: "found" }),
      ]),
    );
    await call(t.token, "PUT", `/api/0/projects/${t.orgSlug}/${t.projectSlug}/`, {
      options: { "filters:releases": "*-dev" },
    });
    const dropped = newEventId();
    await postEnvelope(
      t,
      envelope({ event_id: dropped }, [
        { type: "event" },
        JSON.stringify({ event_id: dropped, message: "x", release: "a-dev" }),
      ]),
    );
    const find = (id: string) => get(b, `/organizations/${t.orgSlug}/events/find/?id=${id}`);
    const storedPage = await (await find(stored)).text();
    expect(storedPage).toContain("Stored");
    expect(storedPage).toContain(`/events/${stored}/`);
    const droppedPage = await (await find(dropped)).text();
    expect(droppedPage).toContain("Dropped");
    expect(droppedPage).toContain("inbound filter on releases");
    expect(droppedPage).toContain("release-version");
    expect(await (await find(newEventId())).text()).toContain("Never received");
    const settings = await (await get(b, `/settings/${t.orgSlug}/projects/${t.projectSlug}/`)).text();
    expect(settings).toContain("Outcomes, last 24 hours");
    expect(settings).toMatch(
      /<td>default<\/td><td>filtered<\/td><td><code>release-version<\/code><\/td><td class="num">1<\/td>/,
    );
    expect(settings).toMatch(/<td>default<\/td><td>accepted<\/td>/);
    const bad = await find("nope");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("not an event id");
  });
});
