// Inbound filters with real SDK traffic: a project set up through the API with Sentry's filters on, then
// @sentry/browser in chromium (from localhost, as Googlebot, as Internet Explorer 9) and @sentry/node (a
// filtered message, a canary release, a health-check transaction) report to it. What was filtered is
// never stored and shows in stats_v2 under the filter's reason; the one unfiltered error is stored.
import { execFileSync } from "node:child_process";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { apiClient } from "./api-client.ts";
import { type ServedPage, servePage } from "./browser-page.ts";
import { waitForSpool } from "./spool-wait.ts";

const server = inject("faultline");
const FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];
const GOOGLEBOT =
  "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.204 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const IE9 = "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)";

const api = apiClient(server);

/** Runs @sentry/node in a child process: a message, an error on a canary release, a health check. */
function runNode(dsn: string): { ids: string[] } {
  const script = `
    import * as Sentry from "@sentry/node";
    Sentry.init({ dsn: process.env.SENTRY_DSN, release: "shop@3.0.0", tracesSampleRate: 1, traceLifecycle: "static" });
    const ids = [Sentry.captureMessage("this one is ignored by the filter")];
    Sentry.withScope((scope) => {
      scope.setTag("x", "y");
      ids.push(Sentry.captureEvent({ message: "a canary build error", release: "shop@3.1.0-canary" }));
    });
    Sentry.startSpan({ name: "GET /healthz", op: "http.server", forceTransaction: true }, () => {});
    ids.push(Sentry.captureException(new Error("a real error from node")));
    await Sentry.flush(10000);
    console.log(JSON.stringify({ ids }));
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, SENTRY_DSN: dsn },
    encoding: "utf8",
    timeout: 60_000,
  });
  return JSON.parse(out.trim().split("\n").pop() ?? "{}") as { ids: string[] };
}

describe("inbound filters with real SDKs", () => {
  let browser: Browser;
  let local: ServedPage;
  let remote: ServedPage;
  let slug = "";
  let nodeIds: string[] = [];

  beforeAll(async () => {
    const created = await api<{ id: string; slug: string }>(
      "POST",
      `/teams/${server.orgSlug}/default/projects/`,
      { name: "Filtered shop" },
    );
    expect(created.status).toBe(201);
    slug = created.body.slug;
    const keys = await api<{ public: string }[]>("GET", `/projects/${server.orgSlug}/${slug}/keys/`);
    const dsn = `http://${keys.body[0]?.public}@127.0.0.1:${server.port}/${created.body.id}`;
    for (const id of ["localhost", "web-crawlers", "legacy-browsers", "filtered-transaction"]) {
      expect(
        (await api("PUT", `/projects/${server.orgSlug}/${slug}/filters/${id}/`, { active: true })).status,
      ).toBe(201);
    }
    await api("PUT", `/projects/${server.orgSlug}/${slug}/`, {
      options: { "filters:error_messages": "*ignored by the filter*", "filters:releases": "*-canary" },
    });

    // One page on localhost, one on another loopback address that is not "localhost".
    local = await servePage(dsn, "localhost");
    remote = await servePage(dsn, "127.0.0.2");
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: FLAGS });
    for (const [origin, userAgent] of [
      [local.origin, undefined],
      [remote.origin, GOOGLEBOT],
      [remote.origin, IE9],
    ] as const) {
      const context = await browser.newContext(userAgent ? { userAgent } : {});
      const page = await context.newPage();
      await page.goto(`${origin}/?lifecycle=static`);
      await page.waitForFunction(() => "faultlineFinish" in globalThis);
      await page.click("#boom");
      await page.evaluate(() =>
        (globalThis as unknown as { faultlineFinish: () => Promise<unknown> }).faultlineFinish(),
      );
      await context.close();
    }
    nodeIds = runNode(dsn).ids;
    await waitForSpool({ ...server, projectSlug: slug });
  });

  afterAll(async () => {
    await browser?.close();
    await local?.close();
    await remote?.close();
  });

  it("counts each drop under its filter and stores none of them", async () => {
    const stats = await api<{ groups: { by: Record<string, string>; totals: Record<string, number> }[] }>(
      "GET",
      `/organizations/${server.orgSlug}/stats_v2/?field=sum(quantity)&groupBy=reason&groupBy=category&outcome=filtered&project=${(await api<{ id: string }>("GET", `/projects/${server.orgSlug}/${slug}/`)).body.id}&statsPeriod=1d&interval=1d`,
    );
    expect(stats.status).toBe(200);
    // Events count as `error` or `default` (a message without an exception); transactions apart.
    const count = (reason: string, categories: string[]) =>
      stats.body.groups
        .filter((g) => g.by.reason === reason && categories.includes(String(g.by.category)))
        .reduce((n, g) => n + (g.totals["sum(quantity)"] ?? 0), 0);
    const events = ["error", "default"];
    expect(count("localhost", events)).toBe(1);
    expect(count("web-crawlers", events)).toBe(1);
    expect(count("legacy-browsers", events)).toBe(1);
    expect(count("error-message", events)).toBe(1);
    expect(count("release-version", events)).toBe(1);
    expect(count("filtered-transaction", ["transaction"])).toBe(1);

    const [ignored, canary, real] = nodeIds;
    const event = (id: string | undefined) => api("GET", `/projects/${server.orgSlug}/${slug}/events/${id}/`);
    expect((await event(ignored)).status).toBe(404);
    expect((await event(canary)).status).toBe(404);
    expect((await event(real)).status).toBe(200);
    const issues = await api<{ title: string }[]>("GET", `/projects/${server.orgSlug}/${slug}/issues/`);
    expect(issues.body.map((i) => i.title)).toEqual(["Error: a real error from node"]);
  });
});
