// Inbound filters over normalized events: each of Sentry's filters, what it leaves alone, the glob and
// IP-range matchers, and the stored form.
import { describe, expect, it } from "vitest";
import {
  globToRegExp,
  type InboundFilters,
  inboundFilterReason,
  ipInRanges,
  NO_FILTERS,
  parseIp,
  parseStoredFilters,
  storeFilters,
} from "../../src/protocol/filters/index.ts";
import { normalizeEvent } from "../../src/protocol/normalize/index.ts";
import type { JsonObject } from "../../src/protocol/types.ts";

const CHROME =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const IE9 = "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)";
const IE11 = "Mozilla/5.0 (Windows NT 6.3; Trident/7.0; rv:11.0) like Gecko";
const SAFARI5 =
  "Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10_6_3; en-us) AppleWebKit/533.16 (KHTML, like Gecko) Version/5.0 Safari/533.16";
const EDGE18 =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19582";
const GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

const event = (payload: JsonObject, itemType: "event" | "transaction" = "event") =>
  normalizeEvent(payload, { receivedAt: 1772359201, itemType });
const withUa = (ua: string, extra: JsonObject = {}) =>
  event({
    platform: "javascript",
    request: { url: "https://shop.example/", headers: { "User-Agent": ua } },
    ...extra,
  });
const reason = (payload: ReturnType<typeof event>, filters: Partial<InboundFilters>, ip?: string) =>
  inboundFilterReason(payload, { ...NO_FILTERS, ...filters }, ip);

describe("inbound filters", () => {
  it("nothing is filtered when no filter is on", () => {
    expect(reason(withUa(GOOGLEBOT, { user: { ip_address: "127.0.0.1" } }), {})).toBeNull();
  });

  it("localhost: the client's loopback address or a localhost URL", () => {
    expect(reason(event({ user: { ip_address: "127.0.0.1" } }), { localhost: true })).toBe("localhost");
    expect(reason(event({ user: { ip_address: "::1" } }), { localhost: true })).toBe("localhost");
    // The sender's own address is not the user's: a local Faultline sees every SDK as 127.0.0.1.
    expect(reason(event({}), { localhost: true }, "127.0.0.1")).toBeNull();
    expect(reason(event({ request: { url: "http://localhost:3000/cart" } }), { localhost: true })).toBe(
      "localhost",
    );
    expect(reason(event({ request: { url: "http://app.localhost/" } }), { localhost: true })).toBe(
      "localhost",
    );
    expect(
      reason(event({ request: { url: "https://shop.example/" } }), { localhost: true }, "203.0.113.9"),
    ).toBeNull();
  });

  it("web crawlers by their User-Agent", () => {
    expect(reason(withUa(GOOGLEBOT), { webCrawlers: true })).toBe("web-crawlers");
    expect(reason(withUa(CHROME), { webCrawlers: true })).toBeNull();
  });

  it("legacy browsers: Sentry's default minimum versions, or chosen subfilters", () => {
    expect(reason(withUa(IE9), { legacyBrowsers: "default" })).toBe("legacy-browsers");
    expect(reason(withUa(SAFARI5), { legacyBrowsers: "default" })).toBe("legacy-browsers");
    expect(reason(withUa(IE11), { legacyBrowsers: "default" })).toBeNull();
    expect(reason(withUa(IE11), { legacyBrowsers: ["ie11"] })).toBe("legacy-browsers");
    expect(reason(withUa(IE9), { legacyBrowsers: ["ie11"] })).toBeNull();
    expect(reason(withUa(EDGE18), { legacyBrowsers: ["edge_pre_79"] })).toBe("legacy-browsers");
    expect(reason(withUa(CHROME), { legacyBrowsers: "default" })).toBeNull();
  });

  it("browser extensions: known messages and extension script sources", () => {
    const fromExtension = event({
      exception: {
        values: [
          {
            type: "TypeError",
            value: "x is undefined",
            stacktrace: { frames: [{ function: "f", abs_path: "chrome-extension://abcdef/content.js" }] },
          },
        ],
      },
    });
    expect(reason(fromExtension, { browserExtensions: true })).toBe("browser-extensions");
    const known = event({ exception: { values: [{ type: "Error", value: "top.GLOBALS is undefined" }] } });
    expect(reason(known, { browserExtensions: true })).toBe("browser-extensions");
    const own = event({
      exception: {
        values: [
          {
            type: "TypeError",
            value: "x",
            stacktrace: { frames: [{ abs_path: "https://shop.example/app.js" }] },
          },
        ],
      },
    });
    expect(reason(own, { browserExtensions: true })).toBeNull();
  });

  it("health-check transactions", () => {
    for (const name of ["GET /healthz", "/api/health", "GET /ping", "kube-probe/1.29", "/ready", "live"]) {
      expect(
        reason(event({ transaction: name, type: "transaction" }, "transaction"), { healthChecks: true }),
        name,
      ).toBe("filtered-transaction");
    }
    expect(
      reason(event({ transaction: "GET /delivery", type: "transaction" }, "transaction"), {
        healthChecks: true,
      }),
    ).toBeNull();
    // An error in a handler named like a probe is still an error.
    expect(
      reason(event({ transaction: "GET /healthz", message: "boom" }), { healthChecks: true }),
    ).toBeNull();
  });

  it("error messages, releases and IP ranges by the project's lists", () => {
    const e = event({
      release: "web@2.0.0-dev",
      exception: { values: [{ type: "ChunkLoadError", value: "Loading chunk 7 failed" }] },
    });
    expect(reason(e, { errorMessages: ["ChunkLoadError: *"] })).toBe("error-message");
    expect(reason(e, { errorMessages: ["*timeout*"] })).toBeNull();
    expect(
      reason(event({ message: "ResizeObserver loop limit exceeded" }), {
        errorMessages: ["resizeobserver loop*"],
      }),
    ).toBe("error-message");
    expect(reason(e, { releases: ["*-dev"] })).toBe("release-version");
    expect(reason(e, { releases: ["web@1.*"] })).toBeNull();
    expect(reason(event({ user: { ip_address: "10.1.2.3" } }), { blockedIps: ["10.0.0.0/8"] })).toBe(
      "ip-address",
    );
    expect(reason(event({}), { blockedIps: ["2001:db8::/32"] }, "2001:db8:1::7")).toBe("ip-address");
    expect(reason(event({}), { blockedIps: ["192.0.2.1"] }, "192.0.2.2")).toBeNull();
  });
});

describe("matchers", () => {
  it("globs: *, ? and {a,b}, whole and case-insensitive", () => {
    expect(globToRegExp("*/health{,/}").test("GET /HEALTH/")).toBe(true);
    expect(globToRegExp("v?.0").test("v2.0")).toBe(true);
    expect(globToRegExp("a.b").test("axb")).toBe(false);
  });

  it("IP addresses and CIDR ranges, v4 and v6", () => {
    expect(parseIp("::1")).toBe(1n);
    expect(parseIp("::ffff:10.0.0.1")).toBe(parseIp("10.0.0.1"));
    expect(parseIp("1.2.3")).toBeUndefined();
    expect(parseIp("1::2::3")).toBeUndefined();
    expect(ipInRanges("172.16.5.4", ["172.16.0.0/12"])).toBe(true);
    expect(ipInRanges("172.32.0.1", ["172.16.0.0/12"])).toBe(false);
    expect(ipInRanges("fe80::1", ["fe80::/10", "garbage"])).toBe(true);
  });

  it("stored filters round-trip; unreadable ones are off", () => {
    const filters: InboundFilters = {
      ...NO_FILTERS,
      localhost: true,
      legacyBrowsers: ["ie9"],
      releases: ["*-dev"],
    };
    expect(parseStoredFilters(storeFilters(filters))).toEqual(filters);
    expect(parseStoredFilters("not json")).toEqual(NO_FILTERS);
    expect(parseStoredFilters('{"legacyBrowsers":["ie9","nope"],"localhost":"yes"}')).toEqual({
      ...NO_FILTERS,
      legacyBrowsers: ["ie9"],
    });
  });
});
