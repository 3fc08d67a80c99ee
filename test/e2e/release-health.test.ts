// Release health from real SDKs against Faultline under `wrangler dev`: @sentry/node 11 (its process
// session; healthy, errored and crashing runs of a small app) and Debian's python3-sentry-sdk
// (application-mode session updates and request-mode aggregates). Crash-free rates read through the
// sessions API and the releases' healthData, against numbers worked out here from the runs.
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT } from "../../scripts/local-server.mjs";
import { apiClient } from "./api-client.ts";
import { waitForSpool } from "./spool-wait.ts";

const server = inject("faultline");
const api = apiClient(server);
const run = randomBytes(3).toString("hex");
const NODE_RELEASE = `health-node@${run}`;
const PYTHON_RELEASE = `health-python@${run}`;

type Outcome = "healthy" | "errored" | "crashed";
/** What each run does, by user: the expected numbers are counted from these lists. */
const NODE_RUNS: [string, Outcome][] = [
  ["node-u1", "healthy"],
  ["node-u2", "healthy"],
  ["node-u3", "errored"],
  ["node-u4", "crashed"],
];
const PYTHON_APP_SESSIONS: [string, Outcome][] = [
  ["py-user-1", "healthy"],
  ["py-user-2", "errored"],
  ["py-user-3", "crashed"],
];
const PYTHON_REQUESTS: Outcome[] = ["healthy", "healthy", "healthy", "errored"];

function expected(sessions: Outcome[], users: [string, Outcome][]) {
  const crashed = sessions.filter((s) => s === "crashed").length;
  const crashedUsers = new Set(users.filter(([, o]) => o === "crashed").map(([u]) => u)).size;
  const userCount = new Set(users.map(([u]) => u)).size;
  return {
    sessions: sessions.length,
    crashFreeSessions: 1 - crashed / sessions.length,
    users: userCount,
    crashFreeUsers: 1 - crashedUsers / userCount,
    byStatus: {
      healthy: sessions.filter((s) => s === "healthy").length,
      errored: sessions.filter((s) => s === "errored").length,
      crashed,
    },
  };
}

interface SessionsAnswer {
  groups: { by: Record<string, string>; totals: Record<string, number> }[];
}

const FIELDS = ["sum(session)", "count_unique(user)", "crash_free_rate(session)", "crash_free_rate(user)"]
  .map((f) => `field=${encodeURIComponent(f)}`)
  .join("&");

async function totalsOf(release: string) {
  const res = await api<SessionsAnswer>(
    "GET",
    `/organizations/${server.orgSlug}/sessions/?${FIELDS}&groupBy=release&statsPeriod=24h&query=${encodeURIComponent(`release:"${release}"`)}`,
  );
  expect(res.status).toBe(200);
  return res.body.groups.find((g) => g.by.release === release)?.totals ?? {};
}

async function statusesOf(release: string) {
  const res = await api<SessionsAnswer>(
    "GET",
    `/organizations/${server.orgSlug}/sessions/?field=sum(session)&groupBy=session.status&statsPeriod=24h&query=${encodeURIComponent(`release:"${release}"`)}`,
  );
  return Object.fromEntries(res.body.groups.map((g) => [g.by["session.status"], g.totals["sum(session)"]]));
}

describe("release health from real SDKs", () => {
  beforeAll(async () => {
    for (const [user, outcome] of NODE_RUNS) {
      const scenario = outcome === "crashed" ? "crash" : outcome;
      const result = spawnSync(process.execPath, [join(ROOT, "test/e2e/clients/node-session-app.mjs")], {
        env: {
          ...process.env,
          SENTRY_DSN: server.dsn,
          RELEASE: NODE_RELEASE,
          USER_ID: user,
          SCENARIO: scenario,
        },
        encoding: "utf8",
        timeout: 60_000,
      });
      // The crashing run dies of its uncaught exception, as it should.
      expect(result.status, result.stderr).toBe(outcome === "crashed" ? 1 : 0);
    }
    execFileSync("/usr/bin/python3", [join(ROOT, "test/e2e/clients/python_health_app.py")], {
      env: { ...process.env, SENTRY_DSN: server.dsn, RELEASE: PYTHON_RELEASE },
      encoding: "utf8",
      timeout: 60_000,
    });
    await waitForSpool(server);
  });

  it("@sentry/node: one process session per run, crash-free sessions and users as the runs ended", async () => {
    const want = expected(
      NODE_RUNS.map(([, o]) => o),
      NODE_RUNS,
    );
    const totals = await totalsOf(NODE_RELEASE);
    expect(totals["sum(session)"]).toBe(want.sessions);
    expect(totals["crash_free_rate(session)"]).toBeCloseTo(want.crashFreeSessions, 10);
    expect(totals["count_unique(user)"]).toBe(want.users);
    expect(totals["crash_free_rate(user)"]).toBeCloseTo(want.crashFreeUsers, 10);
    expect(await statusesOf(NODE_RELEASE)).toMatchObject(want.byStatus);
  });

  it("python sentry_sdk: session updates and request-mode aggregates counted together", async () => {
    const want = expected(
      [...PYTHON_APP_SESSIONS.map(([, o]) => o), ...PYTHON_REQUESTS],
      PYTHON_APP_SESSIONS,
    );
    const totals = await totalsOf(PYTHON_RELEASE);
    expect(totals["sum(session)"]).toBe(want.sessions);
    expect(totals["crash_free_rate(session)"]).toBeCloseTo(want.crashFreeSessions, 10);
    expect(totals["count_unique(user)"]).toBe(want.users);
    expect(totals["crash_free_rate(user)"]).toBeCloseTo(want.crashFreeUsers, 10);
    expect(await statusesOf(PYTHON_RELEASE)).toMatchObject(want.byStatus);
  });

  it("the releases list with health=1 shows the same rates as percentages, and adoption", async () => {
    const res = await api<{ version: string; projects: { healthData: Record<string, number> }[] }[]>(
      "GET",
      `/projects/${server.orgSlug}/${server.projectSlug}/releases/?health=1&query=${encodeURIComponent(run)}`,
    );
    const node = res.body.find((r) => r.version === NODE_RELEASE)?.projects[0]?.healthData;
    const want = expected(
      NODE_RUNS.map(([, o]) => o),
      NODE_RUNS,
    );
    expect(node?.totalSessions).toBe(want.sessions);
    expect(node?.crashFreeSessions).toBeCloseTo(100 * want.crashFreeSessions, 8);
    expect(node?.crashFreeUsers).toBeCloseTo(100 * want.crashFreeUsers, 8);
    const projectSessions = node?.totalProjectSessions24h ?? 0;
    expect(projectSessions).toBeGreaterThanOrEqual(want.sessions + 7);
    expect(node?.sessionsAdoption).toBeCloseTo((100 * want.sessions) / projectSessions, 8);
  });
});
