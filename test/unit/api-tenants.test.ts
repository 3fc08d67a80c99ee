// Tenant API pure parts: the sntrys_/sntryu_ token formats sentry-cli parses, slugs, key/project/member
// bodies and the JSON shapes sentry-cli deserialises.
import { describe, expect, it } from "vitest";
import { parseUserTokenCreate } from "../../src/api/serializers/api-token.ts";
import { parseMemberCreate } from "../../src/api/serializers/member.ts";
import { serializeOrganization } from "../../src/api/serializers/organization.ts";
import { parseProjectChanges, parseProjectCreate } from "../../src/api/serializers/project.ts";
import {
  dsnUrls,
  parseProjectKeyChanges,
  parseProjectKeyCreate,
  serializeProjectKey,
} from "../../src/api/serializers/project-key.ts";
import { isValidSlug, slugify } from "../../src/api/slugs.ts";
import { mintOrgToken, mintUserToken, parseOrgToken, rootUrlOf } from "../../src/api/token-format.ts";
import { FaultlineError } from "../../src/errors.ts";

const decodePayload = (token: string): Record<string, unknown> => {
  const [, payload] = /^sntrys_([^_]+)_([^_]+)$/.exec(token) ?? [];
  return JSON.parse(Buffer.from(payload ?? "", "base64").toString("utf8")) as Record<string, unknown>;
};

describe("organization tokens (sntrys_)", () => {
  it("carry the server's root URL and the org slug, base64 with padding, exactly two underscores", () => {
    const token = mintOrgToken({
      url: "https://errors.example.com:8443/some/path?x=1",
      org: "acme",
      iat: 1732400000.5,
    });
    expect(token.startsWith("sntrys_")).toBe(true);
    expect(token.split("_")).toHaveLength(3);
    const [, payload, secret] = token.split("_");
    expect(payload).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect((payload ?? "").length % 4).toBe(0);
    expect(secret).toMatch(/^[A-Za-z0-9+/]{43}$/);
    expect(decodePayload(token)).toEqual({
      iat: 1732400000.5,
      url: "https://errors.example.com:8443",
      region_url: "https://errors.example.com:8443",
      org: "acme",
    });
    expect(parseOrgToken(token)).toEqual({
      iat: 1732400000.5,
      url: "https://errors.example.com:8443",
      region_url: "https://errors.example.com:8443",
      org: "acme",
    });
  });

  it("are different every time and parse back; other strings are not org tokens", () => {
    const a = mintOrgToken({ url: "http://127.0.0.1:8787/", org: "faultline" });
    const b = mintOrgToken({ url: "http://127.0.0.1:8787/", org: "faultline" });
    expect(a).not.toBe(b);
    expect(parseOrgToken(a)?.url).toBe("http://127.0.0.1:8787");
    expect(parseOrgToken(a)?.org).toBe("faultline");
    expect(Math.abs((parseOrgToken(a)?.iat ?? 0) - Date.now() / 1000)).toBeLessThan(5);
    for (const other of [
      "sntryu_abc",
      "sntrys_",
      "sntrys_a_b_c",
      "sntrys_!!!_x",
      `sntrys_${btoa("[1]")}_x`,
    ]) {
      expect(parseOrgToken(other)).toBeNull();
    }
  });

  it("user tokens are sntryu_ + 64 lowercase hex", () => {
    expect(mintUserToken()).toMatch(/^sntryu_[0-9a-f]{64}$/);
    expect(rootUrlOf("http://h:1/a/b")).toBe("http://h:1");
  });
});

describe("slugs", () => {
  it.each([
    ["My Project", "my-project"],
    ["  Ünïcode  Café ", "unicode-cafe"],
    ["123", "123-"],
    ["a".repeat(80), "a".repeat(50)],
  ])("slugify(%j) = %j", (name, slug) => {
    expect(slugify(name)).toBe(slug);
    expect(isValidSlug(slugify(name))).toBe(true);
  });
  it.each(["", "123", "UPPER", "a b", "a/b", "x".repeat(51)])("rejects %j", (slug) => {
    expect(isValidSlug(slug)).toBe(false);
  });
});

describe("request bodies", () => {
  const fails = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(FaultlineError);
      return (error as FaultlineError).status;
    }
    return null;
  };

  it("project create: name and/or slug, platform", () => {
    expect(parseProjectCreate({ name: "Back End", platform: "rust" })).toEqual({
      name: "Back End",
      slug: "back-end",
      platform: "rust",
    });
    expect(parseProjectCreate({ slug: "api" })).toEqual({ name: "api", slug: "api", platform: null });
    expect(fails(() => parseProjectCreate({}))).toBe(400);
    expect(fails(() => parseProjectCreate({ name: "x", slug: "Bad Slug" }))).toBe(400);
    expect(fails(() => parseProjectCreate({ name: "x", platform: "no spaces" }))).toBe(400);
    expect(fails(() => parseProjectCreate([]))).toBe(400);
  });

  it("project changes and rate limits", () => {
    expect(parseProjectChanges({ name: "N", rateLimit: { count: 10, window: 60 } })).toEqual({
      name: "N",
      rateLimitCount: 10,
      rateLimitWindow: 60,
    });
    expect(parseProjectChanges({ rateLimit: null })).toEqual({ rateLimitCount: null, rateLimitWindow: null });
    expect(parseProjectChanges({ rateLimit: { count: 0, window: 60 } })).toEqual({
      rateLimitCount: null,
      rateLimitWindow: null,
    });
    expect(fails(() => parseProjectChanges({ rateLimit: { count: 5 } }))).toBe(400);
    expect(fails(() => parseProjectChanges({ rateLimit: { count: -1, window: 60 } }))).toBe(400);
    expect(fails(() => parseProjectChanges({ rateLimit: { count: 1, window: 86_401 } }))).toBe(400);
    expect(fails(() => parseProjectChanges({ slug: "123" }))).toBe(400);
  });

  it("keys: create defaults, changes", () => {
    expect(parseProjectKeyCreate({})).toEqual({
      label: "Default",
      rateLimitCount: null,
      rateLimitWindow: null,
    });
    expect(parseProjectKeyCreate({ name: "CI", rateLimit: { count: 3, window: 300 } })).toEqual({
      label: "CI",
      rateLimitCount: 3,
      rateLimitWindow: 300,
    });
    expect(parseProjectKeyChanges({ isActive: false, name: "x", browserSdkVersion: "8.x" })).toEqual({
      isActive: false,
      label: "x",
    });
    expect(fails(() => parseProjectKeyChanges({ isActive: "no" }))).toBe(400);
    expect(fails(() => parseProjectKeyChanges({ name: "" }))).toBe(400);
  });

  it("members and user tokens", () => {
    expect(parseMemberCreate({ email: " Dev@Example.COM ", orgRole: "admin" })).toEqual({
      email: "dev@example.com",
      role: "admin",
    });
    expect(parseMemberCreate({ email: "a@b", role: "owner" }).role).toBe("owner");
    expect(parseMemberCreate({ email: "a@b" }).role).toBe("member");
    expect(fails(() => parseMemberCreate({ email: "nope" }))).toBe(400);
    expect(fails(() => parseMemberCreate({ email: "a@b", role: "manager" }))).toBe(400);
    expect(parseUserTokenCreate({ scopes: ["project:read", "project:read"], name: "ci" })).toEqual({
      name: "ci",
      scopes: ["project:read"],
    });
    expect(fails(() => parseUserTokenCreate({ scopes: [] }))).toBe(400);
    expect(fails(() => parseUserTokenCreate({ scopes: ["root"] }))).toBe(400);
  });
});

describe("JSON shapes", () => {
  it("organization has every field sentry-cli requires", () => {
    const org = serializeOrganization(
      { id: 7, slug: "acme", name: "Acme", createdAt: 1732400000 },
      "https://h",
    );
    expect(org).toMatchObject({
      id: "7",
      slug: "acme",
      name: "Acme",
      dateCreated: "2024-11-23T22:13:20.000Z",
      isEarlyAdopter: false,
      require2FA: false,
      requireEmailVerification: false,
      features: [],
      status: { id: "active", name: "active" },
      links: { organizationUrl: "https://h", regionUrl: "https://h" },
    });
  });

  it("key DSNs use the origin, project id and keys", () => {
    const pub = "a".repeat(32);
    const sec = "b".repeat(32);
    const dsn = dsnUrls("http://127.0.0.1:8787", 12, pub, sec);
    expect(dsn.public).toBe(`http://${pub}@127.0.0.1:8787/12`);
    expect(dsn.secret).toBe(`http://${pub}:${sec}@127.0.0.1:8787/12`);
    expect(dsn.minidump).toBe(`http://127.0.0.1:8787/api/12/minidump/?sentry_key=${pub}`);
    expect(dsn.otlp_traces).toBe("http://127.0.0.1:8787/api/12/integration/otlp/v1/traces");
    const key = serializeProjectKey(
      {
        id: 1,
        projectId: 12,
        publicKey: pub,
        secretKey: sec,
        label: "Default",
        isActive: true,
        rateLimitCount: 100,
        rateLimitWindow: 60,
        createdAt: 0,
      },
      "https://errors.example.com",
    );
    expect(key).toMatchObject({
      id: pub,
      name: "Default",
      label: "Default",
      public: pub,
      secret: sec,
      projectId: 12,
      isActive: true,
      rateLimit: { window: 60, count: 100 },
      dateCreated: "1970-01-01T00:00:00.000Z",
    });
    expect(key.dsn.public).toBe(`https://${pub}@errors.example.com/12`);
  });
});

describe("admin CLI (scripts/faultline.mjs)", () => {
  it("mints organization tokens the Worker and sentry-cli parse, and user tokens", async () => {
    const cli = await import("../../scripts/faultline.mjs");
    const token = cli.mintOrgToken("https://errors.example.com/ignored/path", "acme", 1732400000);
    expect(parseOrgToken(token)).toEqual({
      iat: 1732400000,
      url: "https://errors.example.com",
      region_url: "https://errors.example.com",
      org: "acme",
    });
    expect(token.split("_")).toHaveLength(3);
    expect(cli.mintUserToken()).toMatch(/^sntryu_[0-9a-f]{64}$/);
  });

  it("parses positionals and options; quotes SQL literals", async () => {
    const cli = await import("../../scripts/faultline.mjs");
    expect(
      cli.parseArgs(["token", "create", "--org", "acme", "--remote", "--scopes=org:ci project:read"]),
    ).toEqual({
      positionals: ["token", "create"],
      options: { org: "acme", remote: true, scopes: "org:ci project:read" },
    });
    expect(() => cli.parseArgs(["org", "create", "--name"])).toThrow(/needs a value/);
    expect(cli.q("o'brien")).toBe("'o''brien'");
    expect(cli.q(null)).toBe("NULL");
  });
});

describe("project deletion finds project tables from their CREATE statements", () => {
  it("matches a project_id column, not a comment or another column", async () => {
    const { hasProjectIdColumn } = await import("../../src/db/tenant-projects.ts");
    expect(
      hasProjectIdColumn("CREATE TABLE outcomes (\n  project_id INTEGER NOT NULL,\n  hour INTEGER)"),
    ).toBe(true);
    expect(hasProjectIdColumn('CREATE TABLE x (id INTEGER, "project_id" INTEGER)')).toBe(true);
    expect(hasProjectIdColumn("CREATE TABLE y (\n  -- keyed by project_id elsewhere\n  id INTEGER)")).toBe(
      false,
    );
    expect(hasProjectIdColumn("CREATE TABLE z (id INTEGER, last_project_id INTEGER)")).toBe(false);
  });
});
