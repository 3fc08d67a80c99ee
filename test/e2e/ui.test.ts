// The web UI in a real browser: Debian's chromium driven by playwright-core against `wrangler dev`.
// Sign in as the bootstrap user, triage an error sent by @sentry/node (cause chain, resolve, regression),
// open its trace, copy a DSN, create a token, check escaping of hostile event data, and check that a
// member of another organization gets nothing. Screenshots of each main page go to test/e2e/artifacts/.
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT, sqlLocal } from "../../scripts/local-server.mjs";
import { hashPassword } from "../../scripts/password.mjs";
import { waitForSpool } from "./spool-wait.ts";

const server = inject("faultline");
const sql = (command: string) => sqlLocal(server.persistTo, command);
const ARTIFACTS = join(ROOT, "test/e2e/artifacts");
const CHROMIUM = "/usr/bin/chromium";
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function runNodeApp(): Record<string, unknown> {
  const out = execFileSync(process.execPath, [join(ROOT, "test/e2e/clients/node-app.mjs")], {
    env: { ...process.env, SENTRY_DSN: server.dsn },
    encoding: "utf8",
    timeout: 60_000,
  });
  return JSON.parse(out.trim().split("\n").pop() ?? "{}") as Record<string, unknown>;
}

async function signIn(context: BrowserContext, email: string, password: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  expect(page.url()).toContain("/auth/login/");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/auth/"));
  return page;
}

/** The main content's text (including collapsed frames, which only need to be present). */
const mainText = async (page: Page): Promise<string> => (await page.locator("main").textContent()) ?? "";

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

describe("web UI in chromium", () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let captured: Record<string, unknown>;
  let issuePath = "";
  const dialogs: string[] = [];
  const org = server.orgSlug;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    if (!server.password) throw new Error("the e2e global setup must provide the bootstrap user's password");
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    captured = runNodeApp();
    await waitForSpool(server);
    page = await signIn(context, server.userEmail, server.password);
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("shows the organization's projects and the @sentry/node error with its cause chain", async () => {
    await page.goto(`${server.url}/organizations/${org}/`);
    await expect(page.getByRole("heading", { name: "Projects" })).toBeTruthy();
    await shot(page, "org-home");
    await page.goto(`${server.url}/organizations/${org}/issues/?project=${server.projectSlug}`);
    const link = page.getByRole("link", { name: "Error: could not load order 17" });
    await shot(page, "issue-stream");
    await link.click();
    await page.waitForURL(/\/issues\/\d+\/$/);
    issuePath = new URL(page.url()).pathname;
    const text = await mainText(page);
    expect(text).toContain("connection refused by db-7.internal");
    // Root cause first, then the error that wrapped it.
    const chain = await page.locator("section.exc h3").allInnerTexts();
    expect(chain[0]).toContain("TypeError");
    expect(chain[chain.length - 1]).toMatch(/^Error/);
    expect(text).toContain("Root cause");
    expect(text).toContain("user signed in");
    expect(text).toContain("state.txt");
    expect(text).toContain("release e2e-node@1.0.0");
    await shot(page, "issue-detail");
  });

  it("resolves the issue, and the next event from the SDK shows it regressed", async () => {
    await page.goto(`${server.url}${issuePath}`);
    await page.getByRole("button", { name: "Resolve", exact: true }).click();
    await page.waitForLoadState();
    expect(await mainText(page)).toContain("Resolved");
    runNodeApp();
    await waitForSpool(server);
    await page.goto(`${server.url}${issuePath}`);
    expect(await mainText(page)).toContain("Regressed");
    await page.goto(
      `${server.url}/organizations/${org}/issues/?project=${server.projectSlug}&query=is%3Aregressed`,
    );
    expect(await page.getByRole("link", { name: "Error: could not load order 17" }).count()).toBe(1);
    await shot(page, "issue-stream-regressed");
  });

  it("downloads the event's attachment", async () => {
    await page.goto(`${server.url}${issuePath}events/oldest/`);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "state.txt" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("state.txt");
  });

  it("opens the trace of the transaction as a waterfall", async () => {
    await page.goto(`${server.url}/organizations/${org}/performance/trace/${String(captured.traceId)}/`);
    const text = await mainText(page);
    for (const name of ["GET /orders/:id", "SELECT orders", "render", "template"])
      expect(text).toContain(name);
    await shot(page, "trace");
  });

  it("copies the DSN from the client keys page", async () => {
    await page.goto(`${server.url}/settings/${org}/projects/${server.projectSlug}/keys/`);
    await page.getByRole("button", { name: "Copy" }).first().click();
    const copied = await page.evaluate<string>("navigator.clipboard.readText()");
    expect(copied).toBe(server.dsn);
    await shot(page, "settings-keys");
  });

  it("creates an API token that is shown once and works", async () => {
    await page.goto(`${server.url}/settings/account/api/auth-tokens/`);
    await page.getByLabel("Name").fill("e2e token");
    await page.getByRole("button", { name: "Create token" }).click();
    const token = await page.locator("#new-token").inputValue();
    expect(token).toMatch(/^sntryu_[0-9a-f]{64}$/);
    await shot(page, "settings-tokens");
    const res = await fetch(`${server.url}/api/0/organizations/${org}/projects/`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    await page.reload();
    expect(await page.content()).not.toContain(token);
  });

  it("renders hostile event data as text", async () => {
    const xss = "<img src=x onerror=alert(1)><script>alert(2)</script>";
    const eventId = "e2e0000000000000000000000000a55e";
    const event = {
      event_id: eventId,
      platform: "javascript",
      level: "error",
      message: `hello ${xss}`,
      tags: { evil: xss },
      breadcrumbs: [{ category: "ui", message: `crumb ${xss}`, timestamp: Date.now() / 1000 }],
      exception: {
        values: [
          {
            type: "XssError",
            value: `value ${xss}`,
            stacktrace: { frames: [{ filename: `${xss}.js`, function: "f", lineno: 1, in_app: true }] },
          },
        ],
      },
    };
    const body = `${JSON.stringify({ event_id: eventId })}\n${JSON.stringify({ type: "event" })}\n${JSON.stringify(event)}\n`;
    const key = new URL(server.dsn).username;
    const res = await fetch(
      `${server.url}/api/${server.projectId}/envelope/?sentry_key=${key}&sentry_version=7`,
      {
        method: "POST",
        body,
      },
    );
    expect(res.status).toBe(200);
    let issueId: unknown;
    for (let i = 0; i < 50 && !issueId; i++) {
      issueId = sql(`SELECT issue_id FROM events WHERE event_id = '${eventId}'`)[0]?.issue_id;
      if (!issueId) await new Promise((r) => setTimeout(r, 100));
    }
    await page.goto(`${server.url}/organizations/${org}/issues/${String(issueId)}/`);
    const text = await mainText(page);
    expect(text).toContain("value <img src=x onerror=alert(1)>");
    expect(text).toContain("crumb <img");
    expect(await page.locator("main img").count()).toBe(0);
    await page.goto(
      `${server.url}/organizations/${org}/issues/?project=${server.projectSlug}&query=XssError`,
    );
    expect(await page.locator("main img").count()).toBe(0);
    expect(dialogs).toEqual([]);
    await shot(page, "xss-escaped");
  });

  it("is readable at 360 px and reachable by keyboard", async () => {
    const small = await context.newPage();
    await small.setViewportSize({ width: 360, height: 780 });
    for (const [name, path] of [
      ["mobile-issue-stream", `/organizations/${org}/issues/?project=${server.projectSlug}`],
      ["mobile-issue-detail", issuePath],
    ] as const) {
      await small.goto(`${server.url}${path}`);
      const overflow = await small.evaluate<number>(
        "document.documentElement.scrollWidth - window.innerWidth",
      );
      expect(overflow, name).toBeLessThanOrEqual(0);
      await shot(small, name);
    }
    await small.keyboard.press("Tab");
    expect(await small.evaluate<string>("document.activeElement && document.activeElement.textContent")).toBe(
      "Skip to content",
    );
    await small.close();
  });

  it("gives a member of another organization nothing of this one", async () => {
    const email = "outsider@other.example";
    const password = "outsider-password-123";
    sql(
      `INSERT INTO organizations (slug, name, created_at) VALUES ('other-org', 'Other', 0);
       INSERT INTO users (email, name, password_hash, created_at) VALUES ('${email}', 'Outsider', '${hashPassword(password)}', 0);
       INSERT INTO memberships (organization_id, user_id, role, created_at) SELECT o.id, u.id, 'owner', 0 FROM organizations o, users u WHERE o.slug = 'other-org' AND u.email = '${email}'`,
    );
    const other = await browser.newContext();
    const outsider = await signIn(other, email, password);
    const issueId = issuePath.split("/").filter(Boolean).pop();
    for (const path of [
      `/organizations/${org}/`,
      `/organizations/${org}/issues/`,
      issuePath,
      `${issuePath}events/oldest/`,
      `/organizations/${org}/performance/trace/${String(captured.traceId)}/`,
      `/organizations/${org}/releases/`,
      `/settings/${org}/projects/${server.projectSlug}/keys/`,
      `/settings/${org}/members/`,
      `/organizations/other-org/issues/${issueId}/`,
    ]) {
      const res = await outsider.goto(`${server.url}${path}`);
      expect(res?.status(), path).toBe(404);
      expect(await outsider.content()).not.toContain("could not load order");
    }
    // The trace id is not secret, but the outsider's own organization shows none of this trace.
    await outsider.goto(
      `${server.url}/organizations/other-org/performance/trace/${String(captured.traceId)}/`,
    );
    expect(await mainText(outsider)).toContain("No spans or errors");
    await shot(outsider, "outsider-404");
    await other.close();
  });
});
