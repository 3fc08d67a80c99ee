// The real sentry-cli (npm @sentry/cli) as the end-to-end tests run it: HOME is an empty directory so no
// .sentryclirc can change anything, and all configuration comes through the environment.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, inject } from "vitest";
import { ROOT } from "../../scripts/local-server.mjs";

const CLI = join(ROOT, "node_modules", ".bin", "sentry-cli");
export const FIXTURES = join(ROOT, "test", "fixtures", "debug-files");

/** What test/fixtures/debug-files/expected.json records of each fixture file. */
export interface FixtureFacts {
  sha1: string;
  check: { variants: { debug_id: string; code_id: string }[] } | null;
}
export const fixtureFacts: Record<string, FixtureFacts> = JSON.parse(
  readFileSync(join(FIXTURES, "expected.json"), "utf8"),
);

/** An empty HOME for this test file's sentry-cli runs, removed after its tests. */
export function cliHome(): string {
  const home = mkdtempSync(join(tmpdir(), "faultline-cli-home-"));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  return home;
}

/** The environment that points sentry-cli at the local server's organization, project and token. */
export function serverEnv(): Record<string, string> {
  const server = inject("faultline");
  return {
    SENTRY_URL: server.url,
    SENTRY_AUTH_TOKEN: server.token,
    SENTRY_ORG: server.orgSlug,
    SENTRY_PROJECT: server.projectSlug,
  };
}

/** Runs sentry-cli with PATH, HOME and `env` as its whole environment. */
export function runCli(args: string[], home: string, env: Record<string, string>, cwd = ROOT) {
  const result = spawnSync(CLI, args, {
    cwd,
    encoding: "utf8",
    timeout: 120_000,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, ...env },
  });
  return {
    code: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    all: `${result.stdout}${result.stderr}`,
  };
}
