// The real @sentry/browser SDK (npm, bundled with esbuild) in Debian's chromium, on a page served from an
// origin other than Faultline's, so every request the SDK makes is cross-origin. Asserted through the REST
// API: browser/OS contexts and tags derived from the User-Agent, searchable, in the tag distribution; the
// SDK's breadcrumbs with every field (ui.click, console, fetch, xhr, navigation, sentry.event); the spans
// of the pageload and navigation, streamed (SDK 11's default) through the trace API and sent as
// transactions (`traceLifecycle: "static"`) through the event API.
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type ServedPage, servePage } from "./browser-page.ts";
import { waitForSpool } from "./spool-wait.ts";

const server = inject("faultline");
const FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];

interface SentEvent {
  type: string;
  id: string;
  transaction?: string;
}
interface ApiEvent {
  eventID: string;
  groupID: string | null;
  title: string;
  type: string;
  contexts: Record<string, Record<string, unknown>>;
  tags: { key: string; value: string }[];
  entries: { type: string; data: unknown }[];
  user: { id: string | null } | null;
}
interface TraceNode {
  op: string;
  description: string | null;
  is_transaction: boolean;
  additional_attributes: Record<string, unknown>;
  children: TraceNode[];
  errors?: { event_id: string }[];
  event_id: string;
}
interface Crumb {
  type: string;
  category: string | null;
  level: string;
  message: string | null;
  data: Record<string, unknown> | null;
  event_id: string | null;
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${server.url}/api/0${path}`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
const projectPath = `/projects/${server.orgSlug}/${server.projectSlug}`;
const tagsOf = (event: ApiEvent) => Object.fromEntries(event.tags.map((t) => [t.key, t.value]));

/** What test/e2e/clients/browser-app.js puts on the page's window. */
interface PageGlobals {
  navigator: { userAgent: string };
  faultlineIdle: () => boolean;
  faultlineFinish: () => Promise<SentEvent[]>;
  faultlineMessageId?: string;
  faultlineWorkTrace?: string;
}

/** One visit: load the page, click "Load order" then "Check out", end the navigation and flush. */
async function visit(browser: Browser, origin: string, lifecycle: "stream" | "static") {
  const page: Page = await browser.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(`${origin}/?lifecycle=${lifecycle}`);
  // The callbacks run in the page, where globalThis is the window the app script decorated.
  await page.waitForFunction(() => "faultlineFinish" in globalThis);
  const userAgent = await page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.userAgent);
  await page.waitForFunction(() => (globalThis as unknown as PageGlobals).faultlineIdle());
  await page.click("#work");
  await page.waitForSelector("body[data-worked=yes]");
  const { messageId, workTrace } = await page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals;
    return { messageId: String(w.faultlineMessageId), workTrace: String(w.faultlineWorkTrace) };
  });
  await page.click("#boom");
  const sent = await page.evaluate(() => (globalThis as unknown as PageGlobals).faultlineFinish());
  await page.close();
  const errorId = sent.find((e) => e.type === "error" && e.id !== messageId)?.id ?? "";
  return { userAgent, workTrace, messageId, errorId, sent, pageErrors };
}

/** Every node of a trace tree, depth first. */
function flatten(nodes: TraceNode[]): TraceNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children ?? [])]);
}

describe("@sentry/browser 11 in chromium", () => {
  let browser: Browser;
  let served: ServedPage;
  let streamed: Awaited<ReturnType<typeof visit>>;
  let staticRun: Awaited<ReturnType<typeof visit>>;

  beforeAll(async () => {
    // `localhost` here and 127.0.0.1 for Faultline: two origins.
    served = await servePage(server.dsn);
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: FLAGS });
    streamed = await visit(browser, served.origin, "stream");
    staticRun = await visit(browser, served.origin, "static");
    await waitForSpool(server);
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it("sent the message and the uncaught error cross-origin, and transactions when static", () => {
    expect(streamed.pageErrors).toEqual(["cart is undefined in the browser"]);
    expect(streamed.sent.map((e) => e.type).sort()).toEqual(["error", "error"]);
    expect(streamed.sent.map((e) => e.id)).toContain(streamed.messageId);
    expect(staticRun.sent.map((e) => e.type).sort()).toEqual([
      "error",
      "error",
      "transaction",
      "transaction",
      "transaction",
    ]);
  });

  it("derives browser, OS and device from the User-Agent into contexts and tags", async () => {
    const chromeVersion = /HeadlessChrome\/([\d.]+)/.exec(streamed.userAgent)?.[1];
    expect(chromeVersion).toBeDefined();
    const event = await api<ApiEvent>(`${projectPath}/events/${streamed.messageId}/`);
    expect(event.contexts.browser).toEqual({
      type: "browser",
      name: "Chrome Headless",
      version: chromeVersion,
    });
    expect(event.contexts.os).toEqual({ type: "os", name: "Linux" });
    expect(tagsOf(event)).toMatchObject({
      browser: `Chrome Headless ${chromeVersion}`,
      "browser.name": "Chrome Headless",
      os: "Linux",
      "os.name": "Linux",
      level: "warning",
      release: "e2e-browser@1.0.0",
    });
    expect(event.user?.id).toBe("browser-user-7");
  });

  it("finds the error's issue by browser.name and counts it in the tag distribution", async () => {
    const issues = await api<{ id: string; title: string }[]>(
      `${projectPath}/issues/?query=${encodeURIComponent('browser.name:"Chrome Headless" is:unresolved')}`,
    );
    const titles = issues.map((i) => i.title);
    expect(titles).toContain("TypeError: cart is undefined in the browser");
    expect(titles).toContain("browser checkout slow");
    const none = await api<unknown[]>(
      `${projectPath}/issues/?query=${encodeURIComponent("browser.name:Firefox")}`,
    );
    expect(none).toEqual([]);
    const issue = issues.find((i) => i.title.startsWith("TypeError")) as { id: string };
    const tag = await api<{ key: string; topValues: { value: string; count: number }[] }>(
      `/issues/${issue.id}/tags/browser.name/`,
    );
    expect(tag.topValues).toEqual([expect.objectContaining({ value: "Chrome Headless", count: 2 })]);
    const os = await api<{ topValues: { value: string }[] }>(`/issues/${issue.id}/tags/os.name/`);
    expect(os.topValues.map((v) => v.value)).toEqual(["Linux"]);
  });

  it("keeps the SDK's breadcrumbs whole, the sentry.event crumb with its event id", async () => {
    const event = await api<ApiEvent>(`${projectPath}/events/${streamed.errorId}/`);
    expect(event.title).toBe("TypeError: cart is undefined in the browser");
    const entry = event.entries.find((e) => e.type === "breadcrumbs")?.data as
      | { values: Crumb[] }
      | undefined;
    const crumbs = entry?.values ?? [];
    const byCategory = (category: string) => crumbs.filter((c) => c.category === category);
    expect(byCategory("ui.click").map((c) => c.message)).toEqual([
      "body > button#work",
      "body > button#boom",
    ]);
    expect(byCategory("console")[0]).toMatchObject({
      level: "info",
      message: "loading order 17",
      data: { arguments: ["loading order", 17], logger: "console" },
    });
    for (const [category, via] of [
      ["fetch", "via=fetch"],
      ["xhr", "via=xhr"],
    ] as const) {
      const [crumb] = byCategory(category);
      expect(crumb).toMatchObject({
        type: "http",
        data: expect.objectContaining({ method: "GET", status_code: 200 }),
      });
      expect(String(crumb?.data?.url)).toContain(via);
    }
    expect(byCategory("navigation").at(-1)?.data).toEqual({ from: "/?lifecycle=stream", to: "/orders/17" });
    expect(byCategory("sentry.event")).toEqual([
      expect.objectContaining({
        level: "warning",
        message: "browser checkout slow",
        event_id: streamed.messageId,
      }),
    ]);
  });

  it("shows streamed spans through the trace API", async () => {
    const message = await api<ApiEvent>(`${projectPath}/events/${streamed.messageId}/`);
    const trace = (id: string) => api<TraceNode[]>(`/organizations/${server.orgSlug}/trace/${id}/`);
    const navigation = flatten(await trace(String(message.contexts.trace?.trace_id)));
    expect(navigation.find((n) => n.is_transaction && n.op === "navigation")).toBeDefined();
    const work = flatten(await trace(streamed.workTrace));
    const action = work.find((n) => n.is_transaction && n.op === "ui.action");
    expect(action?.description).toBe("load order");
    const http = flatten(action?.children ?? []).filter((n) => n.op === "http.client");
    expect(http.map((n) => String(n.additional_attributes["url.full"]).split("?")[1]).sort()).toEqual([
      "via=fetch",
      "via=xhr",
    ]);
  });

  it("shows a static transaction's spans through the event API", async () => {
    const transactions = staticRun.sent.filter((e) => e.type === "transaction");
    const events = await Promise.all(
      transactions.map((t) => api<ApiEvent>(`${projectPath}/events/${t.id}/`)),
    );
    expect(events.map((e) => e.title).sort()).toEqual(["/", "/orders/17", "load order"]);
    const pageload = events.find((e) => e.title === "/");
    const spansOf = (event: ApiEvent | undefined) =>
      (event?.entries.find((e) => e.type === "spans")?.data ?? []) as {
        op: string;
        description: string;
        data: Record<string, unknown>;
      }[];
    expect(spansOf(pageload).map((s) => s.op)).toEqual(
      expect.arrayContaining(["browser.request", "resource.script"]),
    );
    const work = events.find((e) => e.title === "load order");
    const http = spansOf(work).filter((s) => s.op === "http.client");
    expect(http.map((s) => String(s.data["url.full"]).split("?")[1]).sort()).toEqual([
      "via=fetch",
      "via=xhr",
    ]);
    expect(http.map((s) => s.description)).toEqual(["GET /api/order", "GET /api/order"]);
    expect(work?.contexts.browser?.name).toBe("Chrome Headless");
  });
});
