// Server-side data scrubbing over normalized events: a table of secrets in every place an SDK puts data,
// what stays untouched, `_meta` remarks, and the project settings (sensitive/safe fields, IPs, off).
import { describe, expect, it } from "vitest";
import { normalizeEvent } from "../../src/protocol/normalize/index.ts";
import {
  DEFAULT_SCRUBBING,
  passesLuhn,
  type ScrubbingSettings,
  scrubAttributes,
  scrubbedPaths,
  scrubEvent,
} from "../../src/protocol/scrub/index.ts";
import type { JsonObject } from "../../src/protocol/types.ts";

const received = 1772359201;
const scrub = (payload: JsonObject, settings: Partial<ScrubbingSettings> = {}) =>
  scrubEvent(normalizeEvent(payload, { receivedAt: received, itemType: "event" }), {
    ...DEFAULT_SCRUBBING,
    ...settings,
  });
const VISA = "4111 1111 1111 1111";
const PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";

describe("default scrubbing", () => {
  it.each([
    ["extra password", { extra: { password: "hunter2" } }, (e: JsonObject) => e.extra],
    [
      "extra nested api key",
      { extra: { config: { apiKey: "k-123", region: "eu" } } },
      (e: JsonObject) => e.extra,
    ],
    [
      "context token",
      { contexts: { app: { access_token: "abc", name: "shop" } } },
      (e: JsonObject) => e.contexts,
    ],
    ["user data secret", { user: { id: "7", data: { secret: "s" } } }, (e: JsonObject) => e.user],
    [
      "breadcrumb data",
      { breadcrumbs: [{ message: "login", data: { passwd: "x" } }] },
      (e: JsonObject) => e.breadcrumbs,
    ],
  ])("%s", (_name, payload, section) => {
    const event = scrub(payload as JsonObject);
    const text = JSON.stringify(section(event as unknown as JsonObject));
    expect(text).toContain("[Filtered]");
    expect(text).not.toMatch(/hunter2|k-123|"abc"|"s"|"x"/);
  });

  it("filters credential headers, session cookies and secret query parameters but keeps the User-Agent", () => {
    const event = scrub({
      request: {
        url: "https://shop.example/cart?token=t0k&page=2",
        headers: {
          Authorization: "Bearer eyJhbGciOi",
          Cookie: "sessionid=abc; theme=dark",
          "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0",
          Accept: "text/html",
        },
        cookies: { sessionid: "abc", theme: "dark" },
        query_string: "token=t0k&page=2",
        data: { card: VISA, password: "pw", qty: 2 },
      },
    });
    expect(event.request).toMatchObject({
      headers: [
        ["Authorization", "[Filtered]"],
        ["Cookie", "[Filtered]"],
        ["User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0"],
        ["Accept", "text/html"],
      ],
      cookies: [
        ["sessionid", "[Filtered]"],
        ["theme", "dark"],
      ],
      query_string: "token=[Filtered]&page=2",
      data: { card: "[Filtered]", password: "[Filtered]", qty: 2 },
    });
    expect(event._meta).toMatchObject({
      request: {
        headers: { "0": { "1": { "": { rem: [["@anything:filter", "s", 0, 10]], len: 17 } } } },
        data: { card: { "": { rem: [["@creditcard:filter", "s", 0, 10]], len: VISA.length } } },
      },
    });
  });

  it("finds secrets inside strings: cards (Luhn-checked), bearer tokens, PEM keys, URL passwords, SSNs, IBANs", () => {
    const event = scrub({
      extra: {
        note: `paid with ${VISA} today`,
        order: "order 4111 1111 1111 1112 (not a card: fails Luhn)",
        header: "Authorization: Bearer abc.def.ghi",
        key: PEM,
        dsn: "postgres://app:s3cret@db.internal/shop",
        ssn: "ssn 078-05-1120",
        iban: "IBAN DE89370400440532013000",
      },
    });
    expect(event.extra).toEqual({
      note: "paid with [Filtered] today",
      order: "order 4111 1111 1111 1112 (not a card: fails Luhn)",
      header: "Authorization: Bearer [Filtered]",
      key: "-----BEGIN PRIVATE KEY-----\n[Filtered]\n-----END PRIVATE KEY-----",
      dsn: "postgres://app:[Filtered]@db.internal/shop",
      ssn: "ssn [Filtered]",
      iban: "IBAN [Filtered]",
    });
    const note = (event._meta as JsonObject).extra as JsonObject;
    expect(note.note).toEqual({ "": { rem: [["@creditcard:filter", "s", 10, 20]], len: 35 } });
    expect(passesLuhn("4111111111111111")).toBe(true);
    expect(passesLuhn("4111111111111112")).toBe(false);
  });

  it("scrubs frame variables, tags, the message and span data, never the exception value, paths or images", () => {
    const event = scrub({
      message: `charge failed for ${VISA}`,
      tags: { session_key: "sk-1", region: "eu" },
      exception: {
        values: [
          {
            type: "AuthError",
            value: "password=hunter2 rejected",
            stacktrace: {
              frames: [
                {
                  function: "login",
                  abs_path: "/home/app/auth.py",
                  vars: { password: "hunter2", user: "ann" },
                },
              ],
            },
          },
        ],
      },
      debug_meta: {
        images: [{ type: "elf", code_file: "/home/app/secret-token.so", debug_id: "0".repeat(32) }],
      },
    });
    expect(event.message).toBe("charge failed for [Filtered]");
    expect(event.tags).toEqual([
      ["session_key", "[Filtered]"],
      ["region", "eu"],
    ]);
    const exception = event.exception?.values[0];
    expect(exception?.value).toBe("password=hunter2 rejected");
    expect(exception?.stacktrace?.frames[0]).toMatchObject({
      abs_path: "/home/app/auth.py",
      vars: { password: "[Filtered]", user: "ann" },
    });
    expect(event.debug_meta?.images[0]?.code_file).toBe("/home/app/secret-token.so");
    expect(scrubbedPaths(event._meta).map((p) => p.path)).toEqual([
      "tags.0.1",
      "message",
      "logentry.formatted",
      "exception.values.0.stacktrace.frames.0.vars.password",
    ]);
  });

  it("leaves an event without secrets as it was, with no _meta", () => {
    const payload = {
      message: "plain",
      extra: { region: "eu", count: 3 },
      tags: { release_channel: "beta" },
    };
    const event = scrub(payload);
    expect(event._meta).toBeUndefined();
    expect(event.extra).toEqual({ region: "eu", count: 3 });
  });
});

describe("project settings", () => {
  it("sensitive fields add keys, safe fields keep keys (and what is under them)", () => {
    const event = scrub(
      { extra: { customer_ref: "C-9", password: "kept", nested: { tenant_secret: "kept too" }, x: "y" } },
      { sensitiveFields: ["customer_ref"], safeFields: ["password", "nested"] },
    );
    expect(event.extra).toEqual({
      customer_ref: "[Filtered]",
      password: "kept",
      nested: { tenant_secret: "kept too" },
      x: "y",
    });
    expect(scrubbedPaths(event._meta)).toEqual([{ path: "extra.customer_ref", rules: ["strip-fields"] }]);
  });

  it("without the defaults only the project's sensitive fields are scrubbed", () => {
    const event = scrub(
      { extra: { password: "pw", card: VISA, internal_id: "i-1" } },
      { dataScrubberDefaults: false, sensitiveFields: ["internal_id"] },
    );
    expect(event.extra).toEqual({ password: "pw", card: VISA, internal_id: "[Filtered]" });
  });

  it("turned off, nothing is scrubbed", () => {
    const event = scrub({ extra: { password: "pw" } }, { dataScrubber: false });
    expect(event.extra).toEqual({ password: "pw" });
    expect(event._meta).toBeUndefined();
  });

  it("IP scrubbing removes the user's and the request's address and replaces addresses in strings", () => {
    const event = scrub(
      {
        user: { id: "7", ip_address: "203.0.113.9" },
        request: { env: { REMOTE_ADDR: "203.0.113.9", SERVER_NAME: "web" } },
        sdk: { name: "sentry.python", version: "2", client_ip: "203.0.113.9" },
        extra: { upstream: "connect to 10.0.0.12:5432 failed", v6: "from 2001:db8::1 via fe80::1" },
      },
      { scrubIpAddresses: true },
    );
    expect(event.user).toEqual({ id: "7" });
    expect(event.request?.env).toEqual({ SERVER_NAME: "web" });
    expect(event.sdk).toEqual({ name: "sentry.python", version: "2" });
    expect(event.extra).toEqual({ upstream: "connect to [ip]:5432 failed", v6: "from [ip] via [ip]" });
    expect(scrubbedPaths(event._meta).map((p) => [p.path, p.rules])).toEqual(
      expect.arrayContaining([
        ["user.ip_address", ["@anything:remove"]],
        ["request.env.REMOTE_ADDR", ["@anything:remove"]],
        ["sdk.client_ip", ["@anything:remove"]],
      ]),
    );
  });

  it("keeps IP addresses by default and Rust paths are never taken for IPv6", () => {
    const event = scrub({ user: { ip_address: "203.0.113.9" }, extra: { f: "std::io::Error at 10.0.0.1" } });
    expect(event.user?.ip_address).toBe("203.0.113.9");
    expect(scrub({ extra: { f: "std::io::Error" } }, { scrubIpAddresses: true }).extra).toEqual({
      f: "std::io::Error",
    });
  });
});

describe("span and log attributes", () => {
  it("filters secret keys and values in plain and typed attributes alike", () => {
    const out = scrubAttributes(
      { "http.request.header.authorization": "Bearer t", "db.statement": `card ${VISA}`, count: 2 },
      {
        "http.request.header.authorization": { type: "string", value: "Bearer t" },
        "db.statement": { type: "string", value: `card ${VISA}` },
        count: { type: "integer", value: 2 },
      },
      DEFAULT_SCRUBBING,
    );
    expect(out.attributes).toEqual({
      "http.request.header.authorization": "[Filtered]",
      "db.statement": "card [Filtered]",
      count: 2,
    });
    expect(out.typedAttributes).toEqual({
      "http.request.header.authorization": { type: "string", value: "[Filtered]" },
      "db.statement": { type: "string", value: "card [Filtered]" },
      count: { type: "integer", value: 2 },
    });
  });
});
