// Event and issue JSON as Sentry's API serves them, from stored rows and normalized payloads; issue
// update bodies; tag summaries.
import { describe, expect, it } from "vitest";
import {
  type EventRecord,
  eventTags,
  serializeEvent,
  serializeEventListItem,
} from "../../src/api/serializers/event.ts";
import {
  eventEntries,
  frameContext,
  pairs,
  serializeFrame,
} from "../../src/api/serializers/event-entries.ts";
import {
  effectiveStatus,
  type IssueRecord,
  parseIssueUpdate,
  serializeIssue,
  summarizeTags,
} from "../../src/api/serializers/issue.ts";
import { FaultlineError } from "../../src/errors.ts";

const row: EventRecord = {
  project_id: 2,
  event_id: "a".repeat(32),
  issue_id: 7,
  type: "error",
  timestamp: 1_700_000_000.5,
  received: 1_700_000_001,
  level: "error",
  platform: "native",
  release: "api@1.4.0",
  environment: "production",
  user_key: "id:42",
  title: "ParseError: bad header",
  message: null,
  transaction_name: null,
};

const payload = {
  event_id: "a".repeat(32),
  level: "error",
  platform: "native",
  tags: [
    ["server", "eu-1"],
    ["level", "ignored-duplicate"],
  ],
  user: { id: "42", email: "dev@example.com" },
  sdk: { name: "sentry.rust", version: "0.34.0", integrations: ["x"] },
  contexts: { os: { name: "Linux", version: "6.1" } },
  extra: { attempt: 2 },
  logentry: { message: "failed %s", formatted: "failed parsing" },
  exception: {
    values: [
      {
        type: "ParseError",
        value: "bad header",
        mechanism: { type: "panic", handled: false },
        stacktrace: {
          frames: [
            { function: "std::rt::lang_start", in_app: false, instruction_addr: "0x1000" },
            {
              function: "main::outer",
              raw_function: "main::outer::h123",
              symbol: "_ZN4main5outer17h11d7de59a7ffb60aE",
              filename: "main.rs",
              abs_path: "/build/src/main.rs",
              package: "/srv/api/app",
              lineno: 4,
              colno: 9,
              in_app: true,
              instruction_addr: "0x55d0c0814342",
              symbol_addr: "0x55d0c0814320",
              image_addr: "0x55d0c0800000",
              symbolicator_status: "symbolicated",
              pre_context: ["fn outer() {", "  let x = 1;"],
              context_line: "  parse(x)?;",
              post_context: ["}"],
              vars: { x: "1" },
            },
          ],
        },
        raw_stacktrace: { frames: [{ instruction_addr: "0x55d0c0814342" }] },
      },
    ],
  },
  threads: { values: [{ id: 1, name: "main", crashed: true, current: true }] },
  breadcrumbs: {
    values: [
      { timestamp: 1_700_000_000, type: "default", category: "log", level: "info", message: "starting" },
    ],
  },
  request: {
    url: "https://api.example.com/x",
    method: "POST",
    headers: { "User-Agent": "curl", "Content-Type": "application/json; charset=utf-8" },
    query_string: "a=1&b=2",
    cookies: [["session", "s"]],
  },
  debug_meta: {
    images: [{ type: "elf", code_file: "/srv/api/app", debug_id: "a0981e9a-287a-de45-d465-43c3f2d86206" }],
  },
  errors: [{ type: "value_too_long", name: "extra.big" }],
};

describe("frames", () => {
  it("serializes frames in camelCase with numbered context lines", () => {
    const frame = serializeFrame(
      payload.exception.values[0]!.stacktrace.frames[1]! as Parameters<typeof serializeFrame>[0],
    );
    expect(frame).toMatchObject({
      function: "main::outer",
      rawFunction: "main::outer::h123",
      symbol: "_ZN4main5outer17h11d7de59a7ffb60aE",
      filename: "main.rs",
      absPath: "/build/src/main.rs",
      package: "/srv/api/app",
      lineNo: 4,
      colNo: 9,
      inApp: true,
      instructionAddr: "0x55d0c0814342",
      symbolAddr: "0x55d0c0814320",
      imageAddr: "0x55d0c0800000",
      symbolicatorStatus: "symbolicated",
      vars: { x: "1" },
    });
    expect(frame.context).toEqual([
      [2, "fn outer() {"],
      [3, "  let x = 1;"],
      [4, "  parse(x)?;"],
      [5, "}"],
    ]);
  });
  it("has no context without a line number or context line", () => {
    expect(frameContext({ lineno: 3 })).toEqual([]);
    expect(frameContext({ context_line: "x" })).toEqual([]);
  });
  it("shows numeric addresses in hex and unknown in_app as false", () => {
    const frame = serializeFrame({ instruction_addr: 4096 });
    expect(frame.instructionAddr).toBe("0x1000");
    expect(frame.inApp).toBe(false);
  });
});

describe("entries", () => {
  const entries = eventEntries(payload as never);
  const byType = new Map(entries.map((e) => [e.type, e.data as Record<string, unknown>]));
  it("lists the typed blocks in Sentry's order", () => {
    expect(entries.map((e) => e.type)).toEqual([
      "exception",
      "message",
      "threads",
      "breadcrumbs",
      "request",
      "debugmeta",
    ]);
  });
  it("serializes exceptions with stack traces, raw stack traces and system frames", () => {
    const data = byType.get("exception") as {
      values: {
        type: string;
        mechanism: unknown;
        stacktrace: { hasSystemFrames: boolean };
        rawStacktrace: { frames: unknown[] };
      }[];
      hasSystemFrames: boolean;
      excOmitted: unknown;
    };
    expect(data.hasSystemFrames).toBe(true);
    expect(data.excOmitted).toBeNull();
    expect(data.values[0]?.type).toBe("ParseError");
    expect(data.values[0]?.mechanism).toEqual({ type: "panic", handled: false });
    expect(data.values[0]?.stacktrace.hasSystemFrames).toBe(true);
    expect(data.values[0]?.rawStacktrace.frames).toHaveLength(1);
  });
  it("serializes message, breadcrumbs, request and debug images", () => {
    expect(byType.get("message")).toEqual({
      formatted: "failed parsing",
      message: "failed %s",
      params: null,
    });
    const crumbs = byType.get("breadcrumbs") as { values: { timestamp: string; message: string }[] };
    expect(crumbs.values[0]).toMatchObject({ message: "starting", timestamp: "2023-11-14T22:13:20.000Z" });
    expect(byType.get("request")).toMatchObject({
      method: "POST",
      query: [
        ["a", "1"],
        ["b", "2"],
      ],
      headers: [
        ["Content-Type", "application/json; charset=utf-8"],
        ["User-Agent", "curl"],
      ],
      cookies: [["session", "s"]],
      inferredContentType: "application/json",
    });
    expect((byType.get("debugmeta") as { images: unknown[] }).images).toHaveLength(1);
  });
  it("leaves a message entry out of an exception event without a logentry", () => {
    const { logentry: _dropped, ...rest } = payload;
    expect(eventEntries({ ...rest, message: "x" } as never).map((e) => e.type)).not.toContain("message");
    expect(eventEntries({ message: "only text" }).map((e) => e.type)).toEqual(["message"]);
  });
  it("survives malformed payloads", () => {
    expect(eventEntries({ exception: "nope", threads: [1], request: 3 } as never)).toEqual([]);
  });
});

describe("pairs", () => {
  it("turns objects, lists and query strings into sorted pairs", () => {
    expect(pairs({ b: "2", a: "1" })).toEqual([
      ["a", "1"],
      ["b", "2"],
    ]);
    expect(pairs("?x=1")).toEqual([["x", "1"]]);
    expect(pairs([["k", "v"], "junk"])).toEqual([["k", "v"]]);
    expect(pairs(null)).toEqual([]);
  });
});

describe("eventTags", () => {
  it("combines the event's tags with derived ones, sent tags first, sorted by key", () => {
    const tags = eventTags(row, payload as never);
    const map = new Map(tags.map((t) => [t.key, t.value]));
    expect(map.get("server")).toBe("eu-1");
    expect(map.get("release")).toBe("api@1.4.0");
    expect(map.get("environment")).toBe("production");
    expect(map.get("user")).toBe("id:42");
    expect(map.get("url")).toBe("https://api.example.com/x");
    expect(map.get("handled")).toBe("no");
    expect(map.get("mechanism")).toBe("panic");
    expect(map.get("os.name")).toBe("Linux");
    expect(map.get("os")).toBe("Linux 6.1");
    expect(tags.map((t) => t.key)).toEqual([...tags.map((t) => t.key)].sort());
  });

  it("tags the mechanism of the last exception of a chain, the one raised (as Sentry does)", () => {
    const chained = {
      exception: {
        values: [
          { type: "TypeError", value: "cause", mechanism: { type: "chained", handled: true } },
          { type: "Error", value: "raised", mechanism: { type: "onuncaughtexception", handled: false } },
        ],
      },
    };
    const map = new Map(eventTags(row, chained as never).map((t) => [t.key, t.value]));
    expect(map.get("mechanism")).toBe("onuncaughtexception");
    expect(map.get("handled")).toBe("no");
  });
});

describe("serializeEvent", () => {
  it("serves the list item shape from a row alone", () => {
    const item = serializeEventListItem(row, null);
    expect(item).toMatchObject({
      id: row.event_id,
      eventID: row.event_id,
      groupID: "7",
      projectID: "2",
      title: "ParseError: bad header",
      dateCreated: "2023-11-14T22:13:20.500Z",
      "event.type": "error",
      user: null,
    });
    expect(item.tags).toContainEqual({ key: "level", value: "error" });
  });
  it("serves the full event", () => {
    const event = serializeEvent(row, payload as never, {
      projectSlug: "api",
      fingerprints: ["h1"],
      metadata: { type: "ParseError", value: "bad header" },
      culprit: "main::outer",
      release: null,
      previousEventID: null,
      nextEventID: "b".repeat(32),
      size: 1234,
    });
    expect(event).toMatchObject({
      eventID: row.event_id,
      groupID: "7",
      type: "error",
      dateReceived: "2023-11-14T22:13:21.000Z",
      message: "failed parsing",
      culprit: "main::outer",
      location: "main.rs:4",
      fingerprints: ["h1"],
      sdk: { name: "sentry.rust", version: "0.34.0" },
      contexts: { os: { name: "Linux", version: "6.1" } },
      context: { attempt: 2 },
      user: { id: "42", email: "dev@example.com", username: null, ip_address: null },
      nextEventID: "b".repeat(32),
      previousEventID: null,
      size: 1234,
      projectSlug: "api",
    });
    expect(event.errors).toEqual([
      { type: "value_too_long", message: "value_too_long", data: { name: "extra.big" } },
    ]);
    expect(event.entries.map((e) => e.type)).toContain("exception");
  });
});

const issue: IssueRecord = {
  id: 7,
  project_id: 2,
  primary_hash: "h",
  type: "error",
  title: "ParseError: bad header",
  culprit: "main::outer",
  level: "error",
  platform: "native",
  logger: null,
  metadata: '{"type":"ParseError","value":"bad header"}',
  status: "unresolved",
  substatus: "new",
  resolution: null,
  resolved_at: null,
  first_seen: 1_700_000_000,
  last_seen: 1_700_000_100,
  times_seen: 42,
  user_count: 3,
  first_release: null,
  last_release: null,
  is_bookmarked: 0,
  has_seen: 1,
  assigned_to: null,
  short_id: 3,
  status_details: null,
};
const issueCtx = {
  project: { id: 2, slug: "api", name: "API", platform: "rust" },
  orgSlug: "acme",
  origin: "https://errors.example.com",
  now: 1_700_000_200,
  assignee: null,
};

describe("serializeIssue", () => {
  it("serves Sentry's issue shape", () => {
    expect(serializeIssue(issue, issueCtx)).toMatchObject({
      id: "7",
      shortId: "API-3",
      permalink: "https://errors.example.com/organizations/acme/issues/7/",
      status: "unresolved",
      substatus: "new",
      statusDetails: {},
      count: "42",
      userCount: 3,
      hasSeen: true,
      isBookmarked: false,
      project: { id: "2", slug: "api", name: "API", platform: "rust" },
      metadata: { type: "ParseError", value: "bad header" },
      firstSeen: "2023-11-14T22:13:20.000Z",
      numComments: 0,
      isPublic: false,
      annotations: [],
      priority: "high",
    });
  });
  it("shows resolutions and ignores in statusDetails", () => {
    const resolved = serializeIssue(
      {
        ...issue,
        status: "resolved",
        substatus: null,
        resolution: '{"type":"in_next_release","release":"1.0"}',
      },
      issueCtx,
    );
    expect(resolved.statusDetails).toEqual({ inNextRelease: true });
    expect(resolved.substatus).toBeNull();
    const inRelease = serializeIssue(
      { ...issue, status: "resolved", resolution: '{"type":"in_release","release":"2.0"}' },
      issueCtx,
    );
    expect(inRelease.statusDetails).toEqual({ inRelease: "2.0" });
    const ignored = serializeIssue(
      {
        ...issue,
        status: "ignored",
        substatus: "archived_until_condition_met",
        status_details: '{"ignoreUntil":1700003600,"ignoreDuration":60}',
      },
      issueCtx,
    );
    expect(ignored.status).toBe("ignored");
    expect(ignored.statusDetails).toEqual({ ignoreUntil: "2023-11-14T23:13:20.000Z" });
  });
  it("reads an ignore that ran out as unresolved", () => {
    const expired = { ...issue, status: "ignored" as const, status_details: '{"ignoreUntil":1700000100}' };
    expect(effectiveStatus(expired, issueCtx.now)).toBe("unresolved");
    const counted = {
      ...issue,
      status: "ignored" as const,
      status_details: '{"ignoreCount":10,"countAtIgnore":30}',
    };
    expect(effectiveStatus(counted, issueCtx.now)).toBe("unresolved");
    expect(effectiveStatus({ ...counted, times_seen: 35 }, issueCtx.now)).toBe("ignored");
  });
});

describe("parseIssueUpdate", () => {
  const now = 1_700_000_000;
  it("reads statuses as sentry-cli and the web UI send them", () => {
    expect(parseIssueUpdate({ status: "resolved" }, now).status).toEqual({ status: "resolved" });
    expect(parseIssueUpdate({ status: "resolvedInNextRelease", snoozeDuration: null }, now).status).toEqual({
      status: "resolvedInNextRelease",
    });
    expect(parseIssueUpdate({ status: "resolved", statusDetails: { inRelease: "1.2" } }, now).status).toEqual(
      {
        status: "resolvedInRelease",
        release: "1.2",
      },
    );
    expect(parseIssueUpdate({ statusDetails: { inNextRelease: true } }, now).status).toEqual({
      status: "resolvedInNextRelease",
    });
    expect(parseIssueUpdate({ status: "muted" }, now).status).toEqual({
      status: "ignored",
      ignore: {},
      substatus: "archived_forever",
    });
    expect(
      parseIssueUpdate({ status: "ignored", statusDetails: { ignoreDuration: 30 } }, now).status,
    ).toEqual({
      status: "ignored",
      ignore: { ignoreDuration: 30, ignoreUntil: now + 1800 },
      substatus: "archived_until_condition_met",
    });
  });
  it("reads the ignore conditions from the body when there is no statusDetails (Sentry's MCP server)", () => {
    expect(
      parseIssueUpdate(
        { status: "ignored", substatus: "archived_until_condition_met", ignoreCount: 100, ignoreWindow: 60 },
        now,
      ).status,
    ).toEqual({
      status: "ignored",
      ignore: { ignoreCount: 100, ignoreWindow: 60 },
      substatus: "archived_until_condition_met",
    });
    expect(parseIssueUpdate({ ignoreUserCount: 5 }, now).status).toEqual({
      status: "ignored",
      ignore: { ignoreUserCount: 5 },
      substatus: "archived_until_condition_met",
    });
    expect(parseIssueUpdate({ inRelease: "1.2" }, now).status).toEqual({
      status: "resolvedInRelease",
      release: "1.2",
    });
  });
  it("reads assignment, seen and bookmark flags", () => {
    expect(parseIssueUpdate({ assignedTo: "", hasSeen: true, isBookmarked: false }, now)).toEqual({
      assignedTo: null,
      hasSeen: true,
      isBookmarked: false,
    });
    expect(parseIssueUpdate({ assignedTo: "user:3" }, now).assignedTo).toBe("user:3");
  });
  it("refuses invalid bodies", () => {
    for (const body of [[], { status: "sleeping" }, { hasSeen: "yes" }, { merge: 1 }, { statusDetails: 3 }]) {
      expect(() => parseIssueUpdate(body, now)).toThrow(FaultlineError);
    }
  });
});

describe("summarizeTags", () => {
  it("groups values per key, most frequent first", () => {
    const summary = summarizeTags([
      { key: "level", value: "error", count: 3, first_seen: 1, last_seen: 2 },
      { key: "level", value: "fatal", count: 5, first_seen: 1, last_seen: 3 },
      { key: "release", value: "1.0", count: 1, first_seen: 1, last_seen: 1 },
    ]);
    expect(summary.map((s) => s.key)).toEqual(["level", "release"]);
    expect(summary[0]).toMatchObject({ key: "level", name: "Level", totalValues: 8, uniqueValues: 2 });
    expect(summary[0]?.topValues.map((v) => v.value)).toEqual(["fatal", "error"]);
  });
});
