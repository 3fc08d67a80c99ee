// Contexts derived from the User-Agent and client hints (real UA strings of desktop and mobile browsers and
// of crawlers), the tags Sentry derives from contexts, and breadcrumbs kept with every field.
import { describe, expect, it } from "vitest";
import { MAX_BREADCRUMB_EXTRA_FIELDS } from "../../src/limits.ts";
import {
  contextsFromUserAgent,
  type NormalizeContext,
  normalizeEvent,
  parseBrandList,
} from "../../src/protocol/normalize/index.ts";

const ctx: NormalizeContext = { receivedAt: 1772359201, itemType: "event" };
const fromUa = (userAgent: string) => contextsFromUserAgent({ userAgent });

describe("User-Agent → contexts", () => {
  it.each([
    [
      "Chrome on Windows (frozen at 10)",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      { name: "Chrome", version: "131.0.0.0" },
      { name: "Windows", version: ">=10" },
      undefined,
    ],
    [
      "Edge on Windows",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86",
      { name: "Edge", version: "131.0.2903.86" },
      { name: "Windows", version: ">=10" },
      undefined,
    ],
    [
      "Safari on macOS (frozen at 10.15.7)",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
      { name: "Safari", version: "17.4" },
      { name: "Mac OS", version: ">=10.15.7" },
      { family: "Macintosh", model: "Macintosh", brand: "Apple" },
    ],
    [
      "Firefox on Linux",
      "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
      { name: "Firefox", version: "133.0" },
      { name: "Linux" },
      undefined,
    ],
    [
      "Safari on iPhone",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
      { name: "Mobile Safari", version: "17.5" },
      { name: "iOS", version: "17.5" },
      { family: "iPhone", model: "iPhone", brand: "Apple" },
    ],
    [
      "Chrome on an iPad",
      "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
      { name: "Chrome", version: "120.0.6099.119" },
      { name: "iOS", version: "16.6" },
      { family: "iPad", model: "iPad", brand: "Apple" },
    ],
    [
      "Chrome on a Samsung phone",
      "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
      { name: "Chrome", version: "131.0.6778.81" },
      { name: "Android", version: "14" },
      { family: "Samsung SM-S918B", model: "SM-S918B", brand: "Samsung" },
    ],
    [
      "Chrome on a Xiaomi phone",
      "Mozilla/5.0 (Linux; Android 13; 2201117TG) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
      { name: "Chrome", version: "120.0.0.0" },
      { name: "Android", version: "13" },
      { family: "Xiaomi 2201117TG", model: "2201117TG", brand: "Xiaomi" },
    ],
    [
      "Googlebot (desktop)",
      "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      { name: "Googlebot", version: "2.1" },
      undefined,
      { family: "Spider", brand: "Google" },
    ],
    [
      "Googlebot rendering as a Chrome phone",
      "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.204 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
      { name: "Googlebot", version: "2.1" },
      { name: "Android", version: "6.0.1" },
      { family: "Spider", brand: "Google" },
    ],
    [
      "Bingbot",
      "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
      { name: "BingCrawler", version: "2.0" },
      undefined,
      { family: "Spider", brand: "Bing" },
    ],
    ["curl", "curl/8.5.0", undefined, undefined, undefined],
  ])("%s", (_name, userAgent, browser, os, device) => {
    const derived = fromUa(userAgent);
    expect(derived.browser).toEqual(browser && { type: "browser", ...browser });
    expect(derived.os).toEqual(os && { type: "os", ...os });
    expect(derived.device).toEqual(device && { type: "device", ...device });
  });

  it("client hints win over the frozen User-Agent", () => {
    const derived = contextsFromUserAgent({
      userAgent:
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
      secChUa: '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
      secChUaFullVersionList:
        '"Not_A Brand";v="24.0.0.0", "Chromium";v="131.0.6778.86", "Google Chrome";v="131.0.6778.86"',
      secChUaPlatform: '"Android"',
      secChUaPlatformVersion: '"14.0.0"',
      secChUaModel: '"SM-S918B"',
    });
    expect(derived).toEqual({
      browser: { type: "browser", name: "Chrome", version: "131.0.6778.86" },
      os: { type: "os", name: "Android", version: "14.0.0" },
      device: { type: "device", model: "SM-S918B" },
    });
  });

  it("falls back to the User-Agent when the hints name only Chromium and grease brands", () => {
    const derived = contextsFromUserAgent({
      userAgent:
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
      secChUa: '"Chromium";v="156", "Not-A.Brand";v="24"',
      secChUaPlatform: '"Linux"',
      secChUaModel: '""',
    });
    expect(derived.browser).toEqual({ type: "browser", name: "Chrome", version: "156.0.0.0" });
    expect(derived.os).toEqual({ type: "os", name: "Linux" });
    expect(derived.device).toBeUndefined();
  });

  it("reads structured brand lists with quoted separators", () => {
    expect(parseBrandList('"A;B, C";v="1", "Edge";v="2";x=1, token;v=3')).toEqual([
      { brand: "A;B, C", version: "1" },
      { brand: "Edge", version: "2" },
      { brand: "token", version: "3" },
    ]);
    expect(parseBrandList("")).toBeUndefined();
  });
});

describe("normalization derives contexts and tags", () => {
  const chromeOnMac =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

  it("a browser event gets browser, os and device contexts and Sentry's tags", () => {
    const event = normalizeEvent(
      {
        platform: "javascript",
        request: { url: "https://app.example/", headers: { "User-Agent": chromeOnMac } },
      },
      ctx,
    );
    expect(event.contexts).toEqual({
      browser: { type: "browser", name: "Chrome", version: "131.0.0.0" },
      os: { type: "os", name: "Mac OS", version: ">=10.15.7" },
      device: { type: "device", family: "Macintosh", model: "Macintosh", brand: "Apple" },
    });
    expect(event.tags).toEqual([
      ["os", "Mac OS >=10.15.7"],
      ["os.name", "Mac OS"],
      ["browser", "Chrome 131.0.0.0"],
      ["browser.name", "Chrome"],
      ["device", "Macintosh"],
      ["device.family", "Macintosh"],
    ]);
  });

  it("never replaces a context the SDK sent, and a server event's client OS is client_os", () => {
    const event = normalizeEvent(
      {
        platform: "node",
        contexts: { os: { name: "Linux", version: "6.1.0" }, browser: { name: "Custom", version: "1" } },
        request: { headers: [["user-agent", chromeOnMac]] },
        tags: { browser: "pinned" },
      },
      ctx,
    );
    expect(event.contexts?.os).toEqual({ name: "Linux", version: "6.1.0" });
    expect(event.contexts?.browser).toEqual({ name: "Custom", version: "1" });
    expect(event.contexts?.client_os).toEqual({ type: "os", name: "Mac OS", version: ">=10.15.7" });
    expect(Object.fromEntries(event.tags)).toMatchObject({
      browser: "pinned",
      "browser.name": "Custom",
      os: "Linux 6.1.0",
      "os.name": "Linux",
      client_os: "Mac OS >=10.15.7",
      "client_os.name": "Mac OS",
    });
  });

  it("an event without a User-Agent only gets the tags of the contexts it sent", () => {
    const event = normalizeEvent(
      { platform: "rust", contexts: { runtime: { name: "rustc", version: "1.95.0" } } },
      ctx,
    );
    expect(event.contexts).toEqual({ runtime: { name: "rustc", version: "1.95.0" } });
    expect(event.tags).toEqual([
      ["runtime", "rustc 1.95.0"],
      ["runtime.name", "rustc"],
    ]);
  });
});

describe("breadcrumbs keep every field", () => {
  it("keeps event_id, the legacy `ty` and fields outside the schema", () => {
    const event = normalizeEvent(
      {
        timestamp: 1772359100,
        breadcrumbs: [
          {
            timestamp: 1772359000,
            category: "sentry.event",
            level: "error",
            message: "Error: boom",
            event_id: "5D0C57B6-1C2B-4F8C-9E5B-3D5E7B4E2A11",
          },
          { timestamp: 1772359001, ty: "http", category: "fetch", data: { url: "/api", status_code: 500 } },
          { timestamp: 1772359002, message: "x", origin: "auto.ui.browser", future_field: { a: [1, 2] } },
          { timestamp: 1772359003, message: "bad id", event_id: "not-an-id" },
        ],
      },
      ctx,
    );
    expect(event.breadcrumbs?.values).toEqual([
      {
        timestamp: 1772359000,
        type: "default",
        category: "sentry.event",
        level: "error",
        message: "Error: boom",
        event_id: "5d0c57b61c2b4f8c9e5b3d5e7b4e2a11",
      },
      {
        timestamp: 1772359001,
        type: "http",
        category: "fetch",
        level: "info",
        data: { url: "/api", status_code: 500 },
      },
      {
        timestamp: 1772359002,
        type: "default",
        level: "info",
        message: "x",
        origin: "auto.ui.browser",
        future_field: { a: [1, 2] },
      },
      { timestamp: 1772359003, type: "default", level: "info", message: "bad id" },
    ]);
    expect(event.errors?.map((e) => e.name)).toEqual(["breadcrumbs.values.3.event_id"]);
  });

  it("keeps at most MAX_BREADCRUMB_EXTRA_FIELDS fields outside the schema", () => {
    const crumb: Record<string, unknown> = { timestamp: 1772359000, message: "many" };
    for (let i = 0; i < MAX_BREADCRUMB_EXTRA_FIELDS + 5; i++) crumb[`f${i}`] = i;
    const event = normalizeEvent({ breadcrumbs: [crumb] }, ctx);
    const kept = event.breadcrumbs?.values[0] ?? {};
    expect(Object.keys(kept).filter((k) => k.startsWith("f"))).toHaveLength(MAX_BREADCRUMB_EXTRA_FIELDS);
    expect(event.errors?.map((e) => `${e.type}:${e.name}`)).toEqual(["too_many_values:breadcrumbs.values.0"]);
  });
});
