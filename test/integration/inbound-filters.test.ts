// Inbound filters through the API and the real ingest path: Sentry's filter list and `PUT …/filters/{id}/`,
// the list options of `PUT /projects/…/`, and events each filter drops — answered 200 like Relay, never
// stored, counted as `filtered` with the filter's id as the reason in stats_v2.
import { describe, expect, it } from "vitest";
import { createTenant, envelope, newEventId, postEnvelope, type Tenant } from "./helpers.ts";
import { call } from "./tenant-helpers.ts";

const IE9 = "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)";
const GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const CHROME =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

interface FilterJson {
  id: string;
  active: boolean | string[];
  name: string;
  description: string;
}
interface StatsBody {
  groups: { by: Record<string, string>; totals: Record<string, number> }[];
}

async function sendEvent(
  t: Tenant,
  payload: object,
  type = "event",
): Promise<{ id: string; status: number }> {
  const id = newEventId();
  const res = await postEnvelope(
    t,
    envelope({ event_id: id }, [{ type }, JSON.stringify({ event_id: id, ...payload })]),
  );
  return { id, status: res.status };
}

const stored = async (t: Tenant, id: string) =>
  (await call(t.token, "GET", `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${id}/`)).status === 200;

async function filteredReasons(t: Tenant): Promise<Record<string, number>> {
  const res = await call<StatsBody>(
    t.token,
    "GET",
    `/api/0/organizations/${t.orgSlug}/stats_v2/?field=sum(quantity)&groupBy=reason&outcome=filtered&statsPeriod=1d&interval=1d`,
  );
  expect(res.status, res.text).toBe(200);
  return Object.fromEntries(res.body.groups.map((g) => [g.by.reason, g.totals["sum(quantity)"] ?? 0]));
}

describe("inbound filters", () => {
  it("lists Sentry's filters, all off for a new project, and turns them on and off", async () => {
    const t = await createTenant();
    const path = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/filters/`;
    const list = await call<FilterJson[]>(t.token, "GET", path);
    expect(list.status).toBe(200);
    expect(list.body.map((f) => [f.id, f.active])).toEqual([
      ["browser-extensions", false],
      ["localhost", false],
      ["filtered-transaction", false],
      ["legacy-browsers", false],
      ["web-crawlers", false],
    ]);
    expect((await call(t.token, "PUT", `${path}localhost/`, { active: true })).status).toBe(201);
    expect(
      (await call(t.token, "PUT", `${path}legacy-browsers/`, { subfilters: ["ie9", "ie10"] })).status,
    ).toBe(201);
    const after = await call<FilterJson[]>(t.token, "GET", path);
    expect(after.body.find((f) => f.id === "localhost")?.active).toBe(true);
    expect(after.body.find((f) => f.id === "legacy-browsers")?.active).toEqual(["ie9", "ie10"]);
    for (const [filter, body] of [
      ["nope/", { active: true }],
      ["localhost/", { active: "yes" }],
      ["legacy-browsers/", { subfilters: ["ie4"] }],
    ] as const) {
      const res = await call<{ detail: string }>(t.token, "PUT", `${path}${filter}`, body);
      expect(res.status, filter).toBe(filter === "nope/" ? 404 : 400);
      expect(res.body.detail).toEqual(expect.any(String));
    }
  });

  it("drops what each filter matches, answers 200, stores nothing and counts the reason", async () => {
    const t = await createTenant();
    const filters = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/filters/`;
    for (const id of ["localhost", "web-crawlers", "filtered-transaction", "browser-extensions"]) {
      await call(t.token, "PUT", `${filters}${id}/`, { active: true });
    }
    await call(t.token, "PUT", `${filters}legacy-browsers/`, { active: true });
    const project = await call<{ options: Record<string, string> }>(
      t.token,
      "PUT",
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/`,
      {
        options: {
          "filters:error_messages": "ChunkLoadError: *\n*ResizeObserver loop*",
          "filters:releases": "*-dev",
          "filters:blacklisted_ips": "10.0.0.0/8",
        },
      },
    );
    expect(project.body.options).toEqual({
      "filters:error_messages": "ChunkLoadError: *\n*ResizeObserver loop*",
      "filters:releases": "*-dev",
      "filters:blacklisted_ips": "10.0.0.0/8",
    });

    const web = (ua: string, url = "https://shop.example/cart") => ({
      platform: "javascript",
      request: { url, headers: { "User-Agent": ua } },
    });
    const dropped = [
      await sendEvent(t, { message: "from a laptop", ...web(CHROME, "http://localhost:3000/") }),
      await sendEvent(t, { message: "from a crawler", ...web(GOOGLEBOT) }),
      await sendEvent(t, { message: "from IE 9", ...web(IE9) }),
      await sendEvent(t, {
        exception: {
          values: [
            {
              type: "TypeError",
              value: "a is null",
              stacktrace: { frames: [{ function: "f", abs_path: "chrome-extension://abc/inject.js" }] },
            },
          ],
        },
      }),
      await sendEvent(t, {
        exception: { values: [{ type: "ChunkLoadError", value: "Loading chunk 3 failed" }] },
      }),
      await sendEvent(t, { message: "ResizeObserver loop limit exceeded" }),
      await sendEvent(t, { message: "on a dev build", release: "web@2.1.0-dev" }),
      await sendEvent(t, { message: "from the office", user: { ip_address: "10.20.30.40" } }),
      await sendEvent(
        t,
        {
          type: "transaction",
          transaction: "GET /healthz",
          start_timestamp: Date.now() / 1000 - 1,
          timestamp: Date.now() / 1000,
          contexts: { trace: { trace_id: newEventId(), span_id: "a".repeat(16), op: "http.server" } },
        },
        "transaction",
      ),
    ];
    const kept = await sendEvent(t, { message: "a real error", release: "web@2.1.0", ...web(CHROME) });
    for (const d of dropped) {
      expect(d.status).toBe(200);
      expect(await stored(t, d.id)).toBe(false);
    }
    expect(kept.status).toBe(200);
    expect(await stored(t, kept.id)).toBe(true);
    expect(await filteredReasons(t)).toEqual({
      localhost: 1,
      "web-crawlers": 1,
      "legacy-browsers": 1,
      "browser-extensions": 1,
      "error-message": 2,
      "release-version": 1,
      "ip-address": 1,
      "filtered-transaction": 1,
    });
  });

  it("drops the streamed spans of a health check (span v2, segment named like a probe)", async () => {
    const t = await createTenant();
    await call(
      t.token,
      "PUT",
      `/api/0/projects/${t.orgSlug}/${t.projectSlug}/filters/filtered-transaction/`,
      {
        active: true,
      },
    );
    const now = Date.now() / 1000;
    const span = (id: string, segment: string, isSegment: boolean) => ({
      trace_id: newEventId(),
      span_id: id,
      name: segment,
      status: "ok",
      is_segment: isSegment,
      start_timestamp: now - 1,
      end_timestamp: now,
      attributes: {
        "sentry.op": { type: "string", value: "http.server" },
        "sentry.segment.name": { type: "string", value: segment },
      },
    });
    const items = [span("a".repeat(16), "GET /healthz", true), span("b".repeat(16), "GET /orders", true)];
    const res = await postEnvelope(
      t,
      envelope({}, [
        { type: "span", item_count: 2, content_type: "application/vnd.sentry.items.span.v2+json" },
        JSON.stringify({ version: 2, items }),
      ]),
    );
    expect(res.status).toBe(200);
    const q = new URLSearchParams({ dataset: "spans", project: String(t.projectId), field: "transaction" });
    const found = await call<{ data: { transaction: string }[] }>(
      t.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/events/?${q}`,
    );
    expect(found.body.data.map((d) => d.transaction)).toEqual(["GET /orders"]);
    const stats = await call<StatsBody>(
      t.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/stats_v2/?field=sum(quantity)&groupBy=reason&groupBy=category&outcome=filtered&statsPeriod=1d&interval=1d`,
    );
    expect(stats.body.groups.map((g) => [g.by.reason, g.by.category, g.totals["sum(quantity)"]])).toEqual([
      ["filtered-transaction", "span", 1],
    ]);
  });
});
