// Cron monitors from the real sentry-cli 3.8 and @sentry/node 11's withMonitor: `sentry-cli monitors run --schedule …` wraps a command,
// sends its in-progress and final check-ins with the monitor's config, and Faultline creates the
// monitor, records the runs, opens the monitor's issue when a command fails and resolves it when the
// next run succeeds — read back through Sentry's monitor and issue APIs.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { ROOT } from "../../scripts/local-server.mjs";
import { apiClient } from "./api-client.ts";
import { cliHome, runCli, serverEnv } from "./sentry-cli.ts";
import { waitForSpool } from "./spool-wait.ts";

const server = inject("faultline");
const api = apiClient(server);
const home = cliHome();
const slug = `nightly-${randomBytes(3).toString("hex")}`;

function monitorsRun(command: string[]) {
  return runCli(
    [
      "monitors",
      "run",
      "--schedule",
      "*/5 * * * *",
      "--timezone",
      "Europe/Vienna",
      "--check-in-margin",
      "3",
      "--max-runtime",
      "10",
      slug,
      "--",
      ...command,
    ],
    home,
    { ...serverEnv(), SENTRY_DSN: server.dsn },
  );
}

interface MonitorJson {
  slug: string;
  config: Record<string, unknown>;
  environments: { name: string; status: string; nextCheckIn: string | null }[];
}
interface CheckInJson {
  status: string;
  duration: number | null;
}
interface IssueJson {
  id: string;
  title: string;
  status: string;
}

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 40 && !ok(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    value = await read();
  }
  return value;
}

const monitor = () => api<MonitorJson>("GET", `/organizations/${server.orgSlug}/monitors/${slug}/`);
const checkIns = () =>
  api<CheckInJson[]>("GET", `/organizations/${server.orgSlug}/monitors/${slug}/checkins/`);
const monitorIssue = async () => {
  const res = await api<IssueJson[]>(
    "GET",
    `/projects/${server.orgSlug}/${server.projectSlug}/issues/?query=${encodeURIComponent(`"Cron failure: ${slug}"`)}&statsPeriod=24h`,
  );
  return res.body.find((i) => i.title === `Cron failure: ${slug}`) ?? null;
};

describe("sentry-cli monitors run", () => {
  it("creates the monitor from its schedule and records an ok run with its duration", async () => {
    const ok = monitorsRun(["sh", "-c", "sleep 0.2"]);
    expect(ok.code, ok.all).toBe(0);
    await waitForSpool(server);
    const m = await eventually(monitor, (r) => r.status === 200 && r.body.environments[0]?.status === "ok");
    expect(m.body.config).toMatchObject({
      schedule_type: "crontab",
      schedule: "*/5 * * * *",
      timezone: "Europe/Vienna",
      checkin_margin: 3,
      max_runtime: 10,
    });
    expect(m.body.environments[0]).toMatchObject({ name: "production", status: "ok" });
    expect(Date.parse(m.body.environments[0]?.nextCheckIn ?? "") % 300_000).toBe(0);
    const runs = await checkIns();
    // One run: the in-progress check-in and its ok are the same run.
    expect(runs.body).toHaveLength(1);
    expect(runs.body[0]?.status).toBe("ok");
    expect(runs.body[0]?.duration).toBeGreaterThanOrEqual(150);
  });

  it("a failing command is an error run that opens the monitor's issue; the next ok run resolves it", async () => {
    const failed = monitorsRun(["sh", "-c", "exit 3"]);
    expect(failed.code).toBe(3);
    await waitForSpool(server);
    const m = await eventually(monitor, (r) => r.body.environments[0]?.status === "error");
    expect(m.body.environments[0]?.status).toBe("error");
    const issue = await eventually(monitorIssue, (i) => i !== null);
    expect(issue).toMatchObject({ title: `Cron failure: ${slug}`, status: "unresolved" });

    const ok = monitorsRun(["true"]);
    expect(ok.code, ok.all).toBe(0);
    await waitForSpool(server);
    const resolved = await eventually(monitorIssue, (i) => i?.status === "resolved");
    expect(resolved).toMatchObject({ id: issue?.id, status: "resolved" });
    expect((await checkIns()).body.map((c) => c.status)).toEqual(["ok", "error", "ok"]);
  });
});

describe("@sentry/node withMonitor", () => {
  const nodeSlug = `export-${randomBytes(3).toString("hex")}`;
  const runJob = (fail: boolean) =>
    spawnSync(process.execPath, [join(ROOT, "test/e2e/clients/node-monitor-app.mjs")], {
      env: { ...process.env, SENTRY_DSN: server.dsn, MONITOR_SLUG: nodeSlug, ...(fail ? { FAIL: "1" } : {}) },
      timeout: 60_000,
    });

  it("upserts the monitor from the SDK's monitor_config and records its ok and error runs", async () => {
    expect(runJob(false).status).toBe(0);
    expect(runJob(true).status).toBe(0);
    await waitForSpool(server);
    const m = await eventually(
      () => api<MonitorJson>("GET", `/organizations/${server.orgSlug}/monitors/${nodeSlug}/`),
      (r) => r.body?.environments?.[0]?.status === "error",
    );
    expect(m.body.config).toMatchObject({
      schedule_type: "interval",
      schedule: [2, "hour"],
      checkin_margin: 5,
      max_runtime: 15,
    });
    expect(m.body.environments[0]).toMatchObject({ name: "e2e", status: "error" });
    const runs = await api<CheckInJson[]>(
      "GET",
      `/organizations/${server.orgSlug}/monitors/${nodeSlug}/checkins/`,
    );
    expect(runs.body.map((c) => c.status)).toEqual(["error", "ok"]);
    for (const run of runs.body) expect(run.duration).toBeGreaterThanOrEqual(40);
  });
});
