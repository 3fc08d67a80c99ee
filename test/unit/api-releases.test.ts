// Releases and deploys: request bodies as sentry-cli sends them, Sentry's release/deploy JSON, version
// rules and release order.
import { describe, expect, it } from "vitest";
import { parseDeploy, serializeDeploy } from "../../src/api/serializers/deploy.ts";
import {
  compareByReleaseOrder,
  isValidVersion,
  parseReleaseChanges,
  parseReleaseCreate,
  type ReleaseRecord,
  serializeRelease,
  versionInfo,
} from "../../src/api/serializers/release.ts";
import { FaultlineError } from "../../src/errors.ts";

describe("isValidVersion", () => {
  it.each(["orderd@0.3.1", "1.0", "v2+abc", "a b", "x".repeat(250), "Latest-1"])("accepts %s", (v) => {
    expect(isValidVersion(v)).toBe(true);
  });
  it.each(["", ".", "..", "latest", "LATEST", "a/b", "a\\b", "a\nb", "a\tb", "x".repeat(251)])(
    "refuses %j",
    (v) => {
      expect(isValidVersion(v)).toBe(false);
    },
  );
});

describe("parseReleaseCreate", () => {
  it("reads `releases new` (capture of sentry-cli 3.8)", () => {
    const body = {
      version: "orderd@0.3.1",
      projects: ["backend"],
      dateStarted: "2026-11-24T06:52:16.365495929Z",
    };
    expect(parseReleaseCreate(body, { requireProjects: true })).toEqual({
      version: "orderd@0.3.1",
      projects: [{ slug: "backend" }],
      dateStarted: Date.parse("2026-11-24T06:52:16.365Z") / 1000,
    });
  });

  it("takes numbers and digit strings as project ids, with --finalize and --url", () => {
    const body = {
      version: "1",
      projects: [42, "7", "api"],
      dateReleased: "2026-01-01T00:00:00Z",
      url: "https://x",
    };
    expect(parseReleaseCreate(body, { requireProjects: true })).toMatchObject({
      projects: [{ id: 42 }, { id: 7 }, { slug: "api" }],
      dateReleased: Date.parse("2026-01-01T00:00:00Z") / 1000,
      url: "https://x",
    });
  });

  it("reads archive/restore (`projects: []` with a status)", () => {
    expect(
      parseReleaseCreate({ version: "1", projects: [], status: "archived" }, { requireProjects: true }),
    ).toEqual({
      version: "1",
      projects: [],
      status: "archived",
    });
  });

  it.each([
    ["no version", { projects: [] }],
    ["a bad version", { version: "a/b", projects: [] }],
    ["no projects", { version: "1" }],
    ["projects not a list", { version: "1", projects: "api" }],
    ["a project that is an object", { version: "1", projects: [{}] }],
    ["an empty project slug", { version: "1", projects: [""] }],
    ["a bad date", { version: "1", projects: [], dateReleased: "yesterday" }],
    ["a numeric url", { version: "1", projects: [], url: 5 }],
    ["a bad status", { version: "1", projects: [], status: "closed" }],
    ["a body that is a list", []],
  ])("refuses %s with 400", (_, body) => {
    expect(() => parseReleaseCreate(body, { requireProjects: true })).toThrow(FaultlineError);
  });

  it("lets a project-scoped create omit projects", () => {
    expect(parseReleaseCreate({ version: "1" }, { requireProjects: false }).projects).toEqual([]);
  });
});

describe("parseReleaseChanges", () => {
  it("reads `releases finalize` and ignores its projects", () => {
    const body = { projects: ["backend"], dateReleased: "2026-11-24T06:52:16.426725617Z" };
    expect(parseReleaseChanges(body)).toEqual({
      dateReleased: Date.parse("2026-11-24T06:52:16.426Z") / 1000,
    });
  });

  it("stores commits (newest first) and refs as JSON", () => {
    const commits = [
      { id: "b".repeat(40), message: "second", repository: "r", timestamp: "2026-01-02T00:00:00Z" },
      { id: "a".repeat(40), message: "first" },
    ];
    const refs = [{ repository: "r", commit: "b".repeat(40), previousCommit: null }];
    const changes = parseReleaseChanges({ commits, refs });
    expect(changes.commits).toEqual({ json: JSON.stringify(commits), count: 2, lastId: "b".repeat(40) });
    expect(changes.refs).toBe(JSON.stringify(refs));
  });

  it("clears url and ref with null or empty strings", () => {
    expect(parseReleaseChanges({ url: null, ref: "" })).toEqual({ url: null, ref: null });
  });

  it.each([
    ["a commit without id", { commits: [{ message: "x" }] }],
    ["commits not a list", { commits: {} }],
    ["a ref without a commit", { refs: [{ repository: "r" }] }],
    ["a too long url", { url: "u".repeat(201) }],
  ])("refuses %s", (_, body) => {
    expect(() => parseReleaseChanges(body)).toThrow(FaultlineError);
  });
});

describe("serializeRelease", () => {
  const release: ReleaseRecord = {
    id: 17,
    version: "api@1.4.0",
    ref: null,
    url: null,
    status: "open",
    dateAdded: Date.parse("2026-11-24T07:41:57Z") / 1000,
    dateReleased: null,
    commits: null,
    commitCount: 0,
    lastCommitId: null,
  };
  const stats = {
    projects: [{ id: 2, slug: "api", name: "api", platform: "rust", newGroups: 3 }],
    deployCount: 0,
    lastDeploy: null,
    firstEvent: null,
    lastEvent: null,
  };

  it("has the fields sentry-cli requires, projects with slug and name", () => {
    const json = serializeRelease(release, stats);
    expect(json).toMatchObject({
      id: 17,
      version: "api@1.4.0",
      shortVersion: "api@1.4.0",
      status: "open",
      url: null,
      ref: null,
      dateCreated: "2026-11-24T07:41:57.000Z",
      dateReleased: null,
      newGroups: 3,
      commitCount: 0,
      lastCommit: null,
      deployCount: 0,
      lastDeploy: null,
      firstEvent: null,
      lastEvent: null,
      data: {},
      versionInfo: { package: "api", version: { raw: "1.4.0" }, description: "1.4.0", buildHash: null },
    });
    expect(json.projects).toEqual([
      {
        id: 2,
        slug: "api",
        name: "api",
        newGroups: 3,
        platform: "rust",
        platforms: ["rust"],
        hasHealthData: false,
      },
    ]);
  });

  it("shows the newest commit and event dates", () => {
    const withCommits = {
      ...release,
      commits: JSON.stringify([{ id: "c1", message: "fix", timestamp: "2026-01-01T00:00:00Z" }]),
      commitCount: 1,
      lastCommitId: "c1",
      dateReleased: 1_800_000_000,
    };
    const json = serializeRelease(withCommits, {
      ...stats,
      firstEvent: 1_800_000_100,
      lastEvent: 1_800_000_200,
    });
    expect(json.lastCommit).toEqual({ id: "c1", message: "fix", dateCreated: "2026-01-01T00:00:00.000Z" });
    expect(json.dateReleased).toBe("2027-01-15T08:00:00.000Z");
    expect(json.firstEvent).toBe("2027-01-15T08:01:40.000Z");
    expect(json.lastEvent).toBe("2027-01-15T08:03:20.000Z");
  });

  it.each([
    ["api@1.4.0", "api", "1.4.0", null],
    ["1.4.0", null, "1.4.0", null],
    [`a@1.0+${"f".repeat(40)}`, "a", `1.0+${"f".repeat(40)}`, "f".repeat(40)],
    ["@scope/pkg@2.0.0", "@scope/pkg", "2.0.0", null],
  ])("versionInfo(%s)", (version, pkg, raw, buildHash) => {
    expect(versionInfo(version)).toMatchObject({ package: pkg, version: { raw }, buildHash });
  });
});

describe("compareByReleaseOrder", () => {
  const rows = [
    { id: 1, version: "a", dateAdded: 100, dateReleased: 500 },
    { id: 2, version: "b", dateAdded: 200, dateReleased: null },
    { id: 3, version: "c", dateAdded: 200, dateReleased: null },
  ];
  const compare = compareByReleaseOrder(rows);
  it.each([
    ["b", "a", "older"],
    ["a", "b", "newer"],
    ["b", "c", "older"],
    ["c", "c", "equal"],
  ])("%s is %s than %s by COALESCE(date_released, date_added), then id", (a, b, order) => {
    const value = compare(a, b);
    expect(value === null ? "unknown" : value < 0 ? "older" : value > 0 ? "newer" : "equal").toBe(order);
  });
  it("does not know unknown versions", () => {
    expect(compare("a", "zzz")).toBeNull();
  });
});

describe("deploys", () => {
  it("reads `deploys new` (capture of sentry-cli 3.8)", () => {
    const body = {
      environment: "production",
      name: null,
      url: null,
      dateStarted: null,
      dateFinished: "2026-11-24T06:52:16.486820496Z",
    };
    expect(parseDeploy(body, 1)).toEqual({
      environment: "production",
      name: null,
      url: null,
      dateStarted: null,
      dateFinished: Date.parse("2026-11-24T06:52:16.486Z") / 1000,
    });
  });

  it("defaults dateFinished to now", () => {
    expect(parseDeploy({ environment: "staging" }, 1234).dateFinished).toBe(1234);
  });

  it.each([
    ["no environment", {}],
    ["an environment with a slash", { environment: "a/b" }],
    ["a long environment", { environment: "e".repeat(65) }],
    ["a bad date", { environment: "p", dateStarted: "soon" }],
    ["a numeric name", { environment: "p", name: 1 }],
  ])("refuses %s", (_, body) => {
    expect(() => parseDeploy(body, 1)).toThrow(FaultlineError);
  });

  it("writes Sentry's deploy JSON", () => {
    expect(
      serializeDeploy({
        id: 5,
        environment: "production",
        name: null,
        url: "u",
        dateStarted: null,
        dateFinished: 0,
      }),
    ).toEqual({
      id: "5",
      environment: "production",
      name: null,
      url: "u",
      dateStarted: null,
      dateFinished: "1970-01-01T00:00:00.000Z",
    });
  });
});
