// The real sentry-cli 3.8 (npm @sentry/cli) against Faultline under `wrangler dev`, configured only
// through SENTRY_URL, SENTRY_AUTH_TOKEN, SENTRY_ORG, SENTRY_PROJECT (and SENTRY_DSN for the DSN
// commands); HOME is an empty directory so no .sentryclirc can change anything.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { sqlLocal } from "../../scripts/local-server.mjs";
import { cliHome, FIXTURES, fixtureFacts, runCli, serverEnv } from "./sentry-cli.ts";

const server = inject("faultline");
const sql = (command: string) => sqlLocal(server.persistTo, command);
const home = cliHome();
const fixtureDebugId = fixtureFacts.app?.check?.variants[0]?.debug_id ?? "";

function cli(args: string[], options: { dsn?: boolean; cwd?: string } = {}) {
  const env = options.dsn ? { ...serverEnv(), SENTRY_DSN: server.dsn } : serverEnv();
  return runCli(args, home, env, options.cwd);
}

/** Polls the local D1 until `query` returns rows (DSN commands answer before the write is visible). */
async function rowsEventually(query: string, attempts = 30): Promise<Record<string, unknown>[]> {
  for (let i = 0; i < attempts; i++) {
    const rows = sql(query);
    if (rows.length > 0) return rows;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return [];
}

const q = (value: string) => `'${value.replaceAll("'", "''")}'`;

describe("sentry-cli info", () => {
  it("authenticates with the token and shows the server", () => {
    const info = cli(["info"]);
    expect(info.code, info.all).toBe(0);
    expect(info.stdout).toContain(server.url);
    const status = cli(["info", "--config-status-json"]);
    expect(status.code, status.all).toBe(0);
    const parsed = JSON.parse(status.stdout) as { auth: { successful: boolean }; config: { org: string } };
    expect(parsed.auth.successful).toBe(true);
    expect(parsed.config.org).toBe(server.orgSlug);
  });
});

describe("sentry-cli with an organization token", () => {
  it("takes the server URL and the organization from a sntrys_ token alone", async () => {
    const res = await fetch(`${server.url}/api/0/organizations/${server.orgSlug}/org-auth-tokens/`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "ci" }),
    });
    expect(res.status).toBe(201);
    const { token } = (await res.json()) as { token: string };
    expect(token.startsWith("sntrys_")).toBe(true);
    const version = `org-token@${Date.now()}`;
    // No SENTRY_URL and no SENTRY_ORG: both must come from the token.
    const run = (args: string[]) =>
      runCli(args, home, { SENTRY_AUTH_TOKEN: token, SENTRY_PROJECT: server.projectSlug });
    const info = run(["info", "--config-status-json"]);
    expect(info.code, info.all).toBe(0);
    // The CLI only reached this server (offline, nothing else answers) because the token named it.
    const status = JSON.parse(info.stdout) as { auth: { successful: boolean }; config: { url: string } };
    expect(status.auth.successful).toBe(true);
    expect(status.config.url.replace(/\/$/, "")).toBe(server.url.replace(/\/$/, ""));
    const created = run(["releases", "new", version]);
    expect(created.code, created.all).toBe(0);
    expect(sql(`SELECT version FROM releases WHERE version = ${q(version)}`)).toEqual([{ version }]);
  });
});

describe("sentry-cli releases and deploys", () => {
  const version = `e2e-app@1.0.${Date.now()}`;

  it("new, finalize, list, info", () => {
    const created = cli(["releases", "new", version]);
    expect(created.code, created.all).toBe(0);
    expect(created.all).toContain(version);
    const finalized = cli(["releases", "finalize", version]);
    expect(finalized.code, finalized.all).toBe(0);
    const list = cli(["releases", "list"]);
    expect(list.code, list.all).toBe(0);
    expect(list.stdout).toContain(version);
    const info = cli(["releases", "info", version]);
    expect(info.code, info.all).toBe(0);
    expect(info.stdout).toContain(version);
    const [row] = sql(`SELECT date_released FROM releases WHERE version = ${q(version)}`);
    expect(typeof row?.date_released).toBe("number");
  });

  it("deploys new and list", () => {
    const deploy = cli([
      "deploys",
      "new",
      "--release",
      version,
      "--env",
      "production",
      "--name",
      "e2e deploy",
    ]);
    expect(deploy.code, deploy.all).toBe(0);
    const list = cli(["deploys", "list", "--release", version]);
    expect(list.code, list.all).toBe(0);
    expect(list.stdout).toContain("production");
    expect(list.stdout).toContain("e2e deploy");
  });

  it("delete, after which info reports it missing", () => {
    const deleted = cli(["releases", "delete", version]);
    expect(deleted.code, deleted.all).toBe(0);
    const info = cli(["releases", "info", version]);
    expect(info.code).not.toBe(0);
    expect(sql(`SELECT id FROM releases WHERE version = ${q(version)}`)).toEqual([]);
  });
});

describe("sentry-cli debug-files", () => {
  const recorded = () =>
    sql(
      `SELECT debug_id, code_id, object_name, kind, checksum, features FROM debug_files WHERE project_id = ${server.projectId} ORDER BY id`,
    );

  it("check reports the fixture's debug id", () => {
    const check = cli(["debug-files", "check", "--json", join(FIXTURES, "app")]);
    expect(check.code, check.all).toBe(0);
    const parsed = JSON.parse(check.stdout) as { variants: { debug_id: string }[] };
    expect(parsed.variants[0]?.debug_id).toBe(fixtureDebugId);
  });

  it("upload --wait of the Rust release binary records the same debug id the CLI computes", () => {
    const upload = cli(["debug-files", "upload", "--wait", join(FIXTURES, "app")]);
    expect(upload.code, upload.all).toBe(0);
    expect(upload.all).toContain(fixtureDebugId);
    const rows = recorded();
    expect(rows).toEqual([
      expect.objectContaining({
        debug_id: fixtureDebugId,
        code_id: fixtureFacts.app?.check?.variants[0]?.code_id,
        object_name: "app",
        checksum: fixtureFacts.app?.sha1,
        features: '["symtab","debug","unwind"]',
      }),
    ]);
  });

  it("upload --wait of the split .debug keeps both files under that debug id", () => {
    const upload = cli(["debug-files", "upload", "--wait", join(FIXTURES, "app.debug")]);
    expect(upload.code, upload.all).toBe(0);
    const rows = recorded();
    expect(rows.map((r) => [r.debug_id, r.kind])).toEqual([
      [fixtureDebugId, "lib"],
      [fixtureDebugId, "dbg"],
    ]);
    expect(rows[1]?.checksum).toBe(fixtureFacts["app.debug"]?.sha1);
  });

  it("upload --wait of the source bundle adds the sources under the same debug id", () => {
    const upload = cli(["debug-files", "upload", "--wait", join(FIXTURES, "app.src.zip")]);
    expect(upload.code, upload.all).toBe(0);
    expect(recorded().map((r) => [r.debug_id, r.kind])).toEqual([
      [fixtureDebugId, "lib"],
      [fixtureDebugId, "dbg"],
      [fixtureDebugId, "src"],
    ]);
  });

  it("re-uploading is a no-op", () => {
    const again = cli(["debug-files", "upload", "--wait", join(FIXTURES, "app")]);
    expect(again.code, again.all).toBe(0);
    expect(again.all).toMatch(/Nothing to upload|already/i);
    expect(recorded()).toHaveLength(3);
  });
});

describe("sentry-cli DSN commands", () => {
  it("send-event stores the message and groups it into an issue", async () => {
    const marker = randomUUID();
    const sent = cli(["send-event", "-m", `e2e cli message ${marker}`], { dsn: true });
    expect(sent.code, sent.all).toBe(0);
    const rows = await rowsEventually(
      `SELECT e.event_id, e.issue_id, i.times_seen FROM events e JOIN issues i ON i.id = e.issue_id
       WHERE e.project_id = ${server.projectId} AND e.message LIKE ${q(`%${marker}%`)}`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.issue_id).toEqual(expect.any(Number));
  });

  it("send-envelope stores the envelope's event", async () => {
    const dir = mkdtempSync(join(tmpdir(), "faultline-envelope-"));
    try {
      const eventId = randomUUID().replaceAll("-", "");
      const payload = JSON.stringify({
        event_id: eventId,
        timestamp: Date.now() / 1000,
        platform: "native",
        level: "error",
        message: "e2e envelope from sentry-cli",
      });
      const file = join(dir, "event.envelope");
      writeFileSync(
        file,
        `${JSON.stringify({ event_id: eventId })}\n${JSON.stringify({ type: "event", length: Buffer.byteLength(payload) })}\n${payload}\n`,
      );
      const sent = cli(["send-envelope", file], { dsn: true });
      expect(sent.code, sent.all).toBe(0);
      const rows = await rowsEventually(
        `SELECT event_id, issue_id FROM events WHERE project_id = ${server.projectId} AND event_id = ${q(eventId)}`,
      );
      expect(rows).toEqual([{ event_id: eventId, issue_id: expect.any(Number) }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("monitors run stores the in-progress and ok check-ins and keeps the command's exit code", async () => {
    const slug = `e2e-job-${Date.now()}`;
    const run = cli(["monitors", "run", slug, "--", "true"], { dsn: true });
    expect(run.code, run.all).toBe(0);
    const rows = await rowsEventually(
      `SELECT status FROM check_ins WHERE project_id = ${server.projectId} AND monitor_slug = ${q(slug)} AND status = 'ok'`,
    );
    expect(rows).toHaveLength(1);
    const all = sql(`SELECT status FROM check_ins WHERE monitor_slug = ${q(slug)} ORDER BY id`);
    expect(all.map((r) => r.status)).toEqual(["in_progress", "ok"]);
    expect(cli(["monitors", "run", `${slug}-fail`, "--", "false"], { dsn: true }).code).toBe(1);
  });
});
