// Ingest credentials: every place SDKs put the key, and each way Relay refuses them.
import { describe, expect, it } from "vitest";
import { FaultlineError } from "../../src/errors.ts";
import {
  checkDsnAgreement,
  extractIngestAuth,
  parseDsn,
  parseProjectIdPath,
} from "../../src/protocol/auth.ts";

const KEY = "0123456789abcdef0123456789abcdef";
const OTHER = "fedcba9876543210fedcba9876543210";
const none = { xSentryAuth: null, authorization: null, query: new URLSearchParams(), envelopeDsn: undefined };

function failure(f: () => unknown): { status: number; detail: string } {
  try {
    f();
  } catch (error) {
    if (error instanceof FaultlineError) return { status: error.status, detail: error.detail };
    throw error;
  }
  return { status: 200, detail: "" };
}

describe("extractIngestAuth", () => {
  it("reads sentry-rust's X-Sentry-Auth header with its stale timestamp and client", () => {
    const auth = extractIngestAuth({
      ...none,
      xSentryAuth: `Sentry sentry_key=${KEY}, sentry_version=7, sentry_timestamp=1754400000.123, sentry_client=sentry.rust/0.34.0`,
    });
    expect(auth).toEqual({
      publicKey: KEY,
      version: 7,
      client: "sentry.rust/0.34.0",
      source: "x-sentry-auth",
    });
  });

  it("reads @sentry/node's query string and ignores unrelated parameters", () => {
    const query = new URLSearchParams(
      `sentry_version=7&sentry_key=${KEY}&sentry_client=sentry.javascript.node%2F11.12.0`,
    );
    expect(extractIngestAuth({ ...none, query })).toMatchObject({ publicKey: KEY, source: "query" });
  });

  it("reads Authorization: Sentry and Basic, and the tunnel's envelope dsn", () => {
    expect(extractIngestAuth({ ...none, authorization: `sentry sentry_key=${KEY}` }).source).toBe(
      "authorization",
    );
    expect(extractIngestAuth({ ...none, authorization: `Basic ${btoa(`${KEY}:x`)}` }).publicKey).toBe(KEY);
    expect(extractIngestAuth({ ...none, envelopeDsn: `https://${KEY}@o1.example.com/42` }).source).toBe(
      "envelope-dsn",
    );
  });

  it.each([
    ["no credentials", none, 401, /missing authorization/],
    [
      "two sources",
      { ...none, xSentryAuth: `Sentry sentry_key=${KEY}`, query: new URLSearchParams(`sentry_key=${KEY}`) },
      401,
      /multiple/,
    ],
    ["no sentry_key", { ...none, xSentryAuth: "Sentry sentry_version=7" }, 401, /bad x-sentry-auth/],
    ["short key", { ...none, xSentryAuth: "Sentry sentry_key=short" }, 400, /public key/],
    [
      "future version",
      { ...none, xSentryAuth: `Sentry sentry_key=${KEY}, sentry_version=99` },
      400,
      /unsupported protocol version \(99\)/,
    ],
    ["bad tunnel dsn", { ...none, envelopeDsn: "nonsense" }, 401, /bad envelope authentication/],
  ])("refuses %s", (_name, inputs, status, detail) => {
    const result = failure(() => extractIngestAuth(inputs));
    expect(result.status).toBe(status);
    expect(result.detail).toMatch(detail);
  });
});

describe("parseDsn", () => {
  it("takes the last path segment as the project and keeps a path prefix", () => {
    expect(parseDsn(`https://${KEY}@example.com/sentry/42`)).toMatchObject({
      publicKey: KEY,
      host: "example.com",
      path: "/sentry/",
      projectId: "42",
      secretKey: null,
    });
    expect(parseDsn(`http://${KEY}:secret@localhost:8787/7`)).toMatchObject({
      port: 8787,
      secretKey: "secret",
    });
  });

  it("refuses DSNs without a key or project", () => {
    expect(failure(() => parseDsn("https://example.com/42")).status).toBe(400);
    expect(failure(() => parseDsn(`https://${KEY}@example.com/abc`)).status).toBe(400);
  });
});

describe("project path and dsn agreement", () => {
  it("parses the project id path parameter or answers 400", () => {
    expect(parseProjectIdPath("42")).toBe(42);
    expect(failure(() => parseProjectIdPath("abc")).detail).toBe("bad project path parameter");
    expect(failure(() => parseProjectIdPath("-1")).status).toBe(400);
  });

  it("requires the envelope dsn to name the request's key and project", () => {
    const auth = extractIngestAuth({ ...none, xSentryAuth: `Sentry sentry_key=${KEY}` });
    expect(() => checkDsnAgreement(auth, `https://${KEY}@h/42`, "42")).not.toThrow();
    expect(() => checkDsnAgreement(auth, undefined, "42")).not.toThrow();
    expect(failure(() => checkDsnAgreement(auth, `https://${OTHER}@h/42`, "42")).detail).toMatch(
      /public key/,
    );
    expect(failure(() => checkDsnAgreement(auth, `https://${KEY}@h/43`, "42")).detail).toMatch(/project id/);
  });
});
