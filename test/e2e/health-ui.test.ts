// Release health and cron monitors in the web UI, in Debian's chromium (playwright-core): sessions from
// @sentry/node runs (three healthy, one crashing) and sentry-cli monitor runs (ok, failing) as the
// user reads them on the releases list and detail, the project home and the Crons pages.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT } from "../../scripts/local-server.mjs";
import { apiClient } from "./api-client.ts";
import { launchChromium, signedInPage } from "./chromium.ts";
import { cliHome, runCli, serverEnv } from "./sentry-cli.ts";
import { waitForSpool } from "./spool-wait.ts";

const server = inject("faultline");
const ARTIFACTS = join(ROOT, "test/e2e/artifacts");
const run = randomBytes(3).toString("hex");
const RELEASE = `health-ui@${run}`;
const SLUG = `ui-cron-${run}`;
const home = cliHome();
const org = server.orgSlug;
const api = apiClient(server);

/** Three healthy runs and one crashing run: crash-free sessions (and users) 3 of 4. */
const RUNS = [
  ["ui-u1", "healthy"],
  ["ui-u2", "healthy"],
  ["ui-u3", "healthy"],
  ["ui-u4", "crash"],
] as const;
const CRASH_FREE = `${((100 * RUNS.filter(([, s]) => s !== "crash").length) / RUNS.length).toFixed(1)}%`;

const mainText = async (page: Page) => (await page.locator("main").textContent()) ?? "";

describe("release health and crons in chromium", () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // A project of its own: another file's crashing run of the same app made its issue elsewhere, so
    // only here is the crash's issue first seen in this release.
    const created = await api<{ id: string; slug: string }>("POST", `/teams/${org}/default/projects/`, {
      name: `Health UI ${run}`,
    });
    expect(created.status).toBe(201);
    const keys = await api<{ public: string }[]>("GET", `/projects/${org}/${created.body.slug}/keys/`);
    const dsn = `http://${keys.body[0]?.public}@127.0.0.1:${server.port}/${created.body.id}`;
    for (const [user, scenario] of RUNS) {
      spawnSync(process.execPath, [join(ROOT, "test/e2e/clients/node-session-app.mjs")], {
        env: { ...process.env, SENTRY_DSN: dsn, RELEASE, USER_ID: user, SCENARIO: scenario },
        timeout: 60_000,
      });
    }
    const cron = (command: string[]) =>
      runCli(["monitors", "run", "-s", "0 * * * *", SLUG, "--", ...command], home, {
        ...serverEnv(),
        SENTRY_PROJECT: created.body.slug,
        SENTRY_DSN: dsn,
      });
    expect(cron(["true"]).code).toBe(0);
    expect(cron(["false"]).code).toBe(1);
    await waitForSpool({ ...server, projectSlug: created.body.slug });
    browser = await launchChromium();
    page = await signedInPage(browser, server);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("the releases list shows the release's crash-free sessions and users and its adoption", async () => {
    await page.goto(`${server.url}/organizations/${org}/releases/`);
    const row = page.locator("tr", { has: page.locator(`a:has-text("${RELEASE}")`) });
    const cells = await row.locator("td").allTextContents();
    // Version, projects, created, released, then the health columns.
    expect(cells[4]).toBe(CRASH_FREE);
    expect(cells[5]).toBe(CRASH_FREE);
    expect(cells[6]).toMatch(/^\d+\.\d%$/);
    expect(await row.locator("svg.spark").count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, "releases-health.png"), fullPage: true });
  });

  it("the release detail shows its health with charts over time, next to its new issues", async () => {
    await page.goto(`${server.url}/organizations/${org}/releases/${encodeURIComponent(RELEASE)}/`);
    const health = page.locator(".panel.health");
    const text = (await health.textContent()) ?? "";
    expect(text).toContain(`Crash-free sessions${CRASH_FREE}`);
    expect(text).toContain(`Crash-free users${CRASH_FREE}`);
    expect(text).toContain(`Sessions (14 d)${RUNS.length}`);
    // The healthy runs exited with their process's duration.
    expect(text).toMatch(/Median duration\d/);
    expect(await health.locator("svg.bars").count()).toBe(2);
    // The crashing run's error is an issue first seen in this release.
    expect(await mainText(page)).toContain(
      "TypeError: cannot read properties of undefined (reading 'total')",
    );
    await page.screenshot({ path: join(ARTIFACTS, "release-health-detail.png"), fullPage: true });
  });

  it("the project home lists the latest releases with their health", async () => {
    await page.goto(`${server.url}/organizations/${org}/`);
    const row = page.locator("table.releases-health tr", { has: page.locator(`a:has-text("${RELEASE}")`) });
    expect(await row.locator("td").allTextContents()).toEqual([RELEASE, CRASH_FREE, CRASH_FREE]);
  });

  it("the Crons page shows the monitor's runs as colored ticks, and its detail links the failure's issue", async () => {
    await page.goto(`${server.url}/organizations/${org}/monitors/`);
    const row = page.locator(`tr[data-monitor="${SLUG}"]`);
    expect(
      await row.locator(".tick").evaluateAll((ticks) => ticks.map((t) => t.getAttribute("data-status"))),
    ).toEqual(["ok", "error"]);
    const colors = await row
      .locator(".tick")
      .evaluateAll((ticks) =>
        ticks.map(
          (t) =>
            (
              globalThis as unknown as { getComputedStyle(e: Element): { backgroundColor: string } }
            ).getComputedStyle(t).backgroundColor,
        ),
      );
    expect(colors[0]).not.toBe(colors[1]);
    expect(await row.textContent()).toContain("production: error");
    await page.screenshot({ path: join(ARTIFACTS, "monitors.png"), fullPage: true });

    await row.getByRole("link", { name: SLUG }).click();
    expect(
      await page
        .locator("table.checkins tbody tr")
        .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-status"))),
    ).toEqual(["error", "ok"]);
    expect(await page.locator("main").textContent()).toContain("0 * * * *");
    await page.locator("a.monitor-issue").click();
    expect(await page.locator("h1").textContent()).toContain(`Cron failure: ${SLUG}`);
  });
});
