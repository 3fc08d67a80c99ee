// Debian's chromium for the e2e browser tests, and a page signed in as the bootstrap user of the
// `wrangler dev` server the global setup started.
import { type Browser, chromium, type Page } from "playwright-core";
import type { E2eServer } from "./global-setup.ts";

/** Flags for a headless chromium in a container: no sandbox, GPU, QUIC or background traffic. */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_FLAGS });
}

/** A new page of `browser`, signed in through the login form as the server's bootstrap user. */
export async function signedInPage(
  browser: Browser,
  server: E2eServer,
  viewport = { width: 1280, height: 900 },
): Promise<Page> {
  if (!server.password) throw new Error("the e2e global setup must provide the bootstrap user's password");
  const page = await (await browser.newContext({ viewport })).newPage();
  await page.goto(`${server.url}/auth/login/`);
  await page.getByLabel("Email").fill(server.userEmail);
  await page.getByLabel("Password").fill(server.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/auth/"));
  return page;
}
