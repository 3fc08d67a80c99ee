// The live tail as users watch it: the project's page in chromium (signed in) and `npm run faultline --
// tail` both see an accepted error and a rate-limited one with its reason, as they are sent.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT } from "../../scripts/local-server.mjs";
import { apiClient } from "./api-client.ts";

const server = inject("faultline");
const FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];

const api = apiClient(server);

async function sendError(projectId: string, key: string, message: string): Promise<number> {
  const id = crypto.randomUUID().replaceAll("-", "");
  const body = [
    JSON.stringify({ event_id: id }),
    JSON.stringify({ type: "event" }),
    JSON.stringify({ event_id: id, message }),
  ];
  const res = await fetch(`${server.url}/api/${projectId}/envelope/?sentry_key=${key}`, {
    method: "POST",
    headers: { "content-type": "application/x-sentry-envelope" },
    body: body.join("\n"),
  });
  await res.arrayBuffer();
  return res.status;
}

describe("live tail", () => {
  let browser: Browser;
  let page: Page;
  let cli: ChildProcess;
  let cliOut = "";
  let cliDone: Promise<number | null>;
  let projectId = "";
  let key = "";

  beforeAll(async () => {
    const created = await api<{ id: string; slug: string }>(
      "POST",
      `/teams/${server.orgSlug}/default/projects/`,
      {
        name: "Tail shop",
      },
    );
    projectId = created.body.id;
    const keys = await api<{ id: string; public: string }[]>(
      "GET",
      `/projects/${server.orgSlug}/${created.body.slug}/keys/`,
    );
    key = keys.body[0]?.public ?? "";
    await api("PUT", `/projects/${server.orgSlug}/${created.body.slug}/keys/${keys.body[0]?.id}/`, {
      rateLimit: { count: 1, window: 60 },
    });

    cli = spawn(
      process.execPath,
      [
        join(ROOT, "scripts/faultline.mjs"),
        "tail",
        "--count",
        "2",
        "--url",
        server.url,
        "--token",
        server.token,
        "--project",
        created.body.slug,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    cli.stdout?.on("data", (chunk: Buffer) => {
      cliOut += chunk.toString();
    });
    cliDone = new Promise((resolve) => cli.on("exit", resolve));

    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: FLAGS });
    page = await browser.newPage();
    await page.goto(`${server.url}/auth/login/`);
    await page.getByLabel("Email").fill(server.userEmail);
    await page.getByLabel("Password").fill(String(server.password));
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => !u.pathname.startsWith("/auth/"));
    await page.goto(`${server.url}/organizations/${server.orgSlug}/projects/${created.body.slug}/tail/`);
    await page.getByText("Live", { exact: true }).waitFor();
    for (let i = 0; i < 100 && !cliOut.includes("# tailing"); i++)
      await new Promise((r) => setTimeout(r, 50));

    expect(await sendError(projectId, key, "watched live")).toBe(200);
    expect(await sendError(projectId, key, "one too many")).toBe(429);
  });

  afterAll(async () => {
    cli?.kill();
    await browser?.close();
  });

  it("shows both on the page, the dropped one with its reason", async () => {
    const list = page.locator("[data-tail-list] li");
    await expect.poll(() => list.count(), { timeout: 10_000 }).toBe(2);
    const texts = await list.allTextContents();
    // Newest first.
    expect(texts[0]).toMatch(/dropped {2}default .*"?one too many"?.*\(rate_limited: key_quota\)/);
    expect(texts[1]).toMatch(/accepted {2}default .*watched live/);
  });

  it("prints both in the CLI and stops after --count", async () => {
    expect(await cliDone).toBe(0);
    const lines = cliOut.trim().split("\n");
    expect(lines[0]).toContain("# tailing");
    expect(lines[1]).toMatch(/accepted +default +.*"watched live"/);
    expect(lines[2]).toMatch(/dropped +default +.*"one too many" +\(rate_limited: key_quota\)/);
  });
});
