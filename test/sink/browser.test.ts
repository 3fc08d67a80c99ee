// The sink as a browser reaches it in a Playwright test: a page served from another origin sends an
// envelope the way the browser SDK's fetch transport does (key in the query, text/plain, so no
// preflight) and one with a preflight (a sentry-trace header); CORS lets both through and the helpers
// see them.
import { createServer, type Server } from "node:http";
import { type FaultlineSink, startFaultline } from "faultline/testing";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];

/** The page's reporting function (PAGE). */
interface Reporter {
  report(dsn: string, message: string, headers: Record<string, string>): Promise<number>;
}

let sink: FaultlineSink;
let browser: Browser;
let page: Server;
let pageUrl = "";

const PAGE = `<!doctype html><script>
async function report(dsn, message, headers) {
  const url = new URL(dsn);
  const eventId = crypto.randomUUID().replaceAll("-", "");
  const event = JSON.stringify({ event_id: eventId, level: "error", platform: "javascript", message });
  const body = [JSON.stringify({ event_id: eventId }), JSON.stringify({ type: "event" }), event].join("\\n");
  const target = url.protocol + "//" + url.host + "/api" + url.pathname + "/envelope/?sentry_key=" + url.username + "&sentry_version=7";
  const response = await fetch(target, { method: "POST", body, headers });
  return response.status;
}
</script>`;

beforeAll(async () => {
  sink = await startFaultline();
  page = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(PAGE));
  await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
  const address = page.address();
  pageUrl = `http://localhost:${typeof address === "object" && address ? address.port : 0}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => page?.close(resolve));
  await sink?.close();
});

describe("a browser page reporting to the sink", () => {
  it("gets its envelopes through CORS, with and without a preflight", async () => {
    const tab = await browser.newPage();
    await tab.goto(pageUrl);
    const report = (message: string, headers: Record<string, string>) =>
      tab.evaluate(([dsn, text, extra]) => (globalThis as unknown as Reporter).report(dsn, text, extra), [
        sink.dsn,
        message,
        headers,
      ] as const);
    const simple = await report("from the page", { "content-type": "text/plain;charset=UTF-8" }).catch(
      (e) => {
        console.log("EVAL", String(e).slice(0, 600));
        throw new Error("x");
      },
    );
    // A sentry-trace header (as with tracing on) is not a simple header: the browser asks first.
    const preflighted = await report("after a preflight", {
      "sentry-trace": `${"a".repeat(32)}-${"b".repeat(16)}-1`,
    });
    expect([simple, preflighted]).toEqual([200, 200]);
    expect((await sink.waitForEvent({ message: "from the page" })).level).toBe("error");
    await sink.waitForEvent({ message: "after a preflight" });
  });
});
