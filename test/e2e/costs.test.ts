// The cost meter with a real SDK and a real browser: @sentry/node reports an error to a new project of the
// `wrangler dev` server, the project's "Usage" settings page in Debian's chromium shows what it cost in
// units and dollars, an owner sets a monthly budget the month's spend is already past through the page's
// form, the page says "Shedding", and the SDK's next error is refused: its receipt says `cost_budget`.
import { execFileSync } from "node:child_process";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { apiClient } from "./api-client.ts";
import { launchChromium, signedInPage } from "./chromium.ts";

const server = inject("faultline");
const api = apiClient(server);

/** @sentry/node in a child process: one exception, flushed; prints its event id. */
function captureWithNode(dsn: string, message: string): string {
  const script = `
    import * as Sentry from "@sentry/node";
    Sentry.init({ dsn: process.env.SENTRY_DSN });
    const id = Sentry.captureException(new Error(process.env.MESSAGE));
    await Sentry.flush(10000);
    console.log(JSON.stringify({ id }));
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, SENTRY_DSN: dsn, MESSAGE: message },
    encoding: "utf8",
    timeout: 60_000,
  });
  return (JSON.parse(out.trim().split("\n").pop() ?? "{}") as { id: string }).id.replaceAll("-", "");
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("cost meter in the browser, with @sentry/node", () => {
  let browser: Browser;
  let page: Page;
  let slug = "";
  let dsn = "";

  beforeAll(async () => {
    const created = await api<{ id: string; slug: string }>(
      "POST",
      `/teams/${server.orgSlug}/default/projects/`,
      { name: "Metered shop" },
    );
    expect(created.status).toBe(201);
    slug = created.body.slug;
    const keys = await api<{ public: string }[]>("GET", `/projects/${server.orgSlug}/${slug}/keys/`);
    dsn = `http://${keys.body[0]?.public}@127.0.0.1:${server.port}/${created.body.id}`;
    browser = await launchChromium();
    page = await signedInPage(browser, server);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("shows the SDK's traffic in units and dollars, and sheds it once the budget set in the page is reached", async () => {
    const stored = captureWithNode(dsn, "metered checkout failure");
    const base = `/projects/${server.orgSlug}/${slug}`;
    await until(
      () => api<{ status: string }>("GET", `${base}/events/${stored}/receipt/`),
      (r) => r.body.status === "stored",
      "the first error to be stored",
    );
    await page.goto(`${server.url}/settings/${server.orgSlug}/projects/${slug}/usage/`);
    const main = page.locator("main");
    await expect.poll(() => main.textContent()).toContain("Usage and costs");
    expect(await main.textContent()).toContain("No budget");
    const total = (await page.locator("[data-total]").textContent()) ?? "";
    expect(total).toMatch(/^\$/);
    expect(total).not.toBe("$0.00");
    expect(await main.textContent()).toMatch(/\d+ rows written/);

    await page.getByLabel("Dollars per month (empty: no budget)").fill("0.0000001");
    await page.getByRole("button", { name: "Save budget" }).click();
    await page.waitForURL((u) => u.search.includes("done=saved"));
    expect(await page.locator("[data-state]").getAttribute("data-state")).toBe("shedding");
    expect(await main.textContent()).toContain("Shedding");

    const refused = captureWithNode(dsn, "over budget checkout failure");
    const receipt = await until(
      () => api<{ status: string; reason?: string }>("GET", `${base}/events/${refused}/receipt/`),
      (r) => r.body.status === "dropped",
      "the refused error's receipt",
    );
    expect(receipt.body.reason).toBe("cost_budget");

    // The budget removed through the API, the page says so.
    expect((await api("PUT", `${base}/usage/`, { monthlyBudgetUsd: null })).status).toBe(200);
    await page.reload();
    expect(await page.locator("[data-state]").getAttribute("data-state")).toBe("ok");
  });
});
