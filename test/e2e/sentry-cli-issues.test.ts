// The real sentry-cli's issue and event commands against Faultline under `wrangler dev`: what
// `issues list`, `issues resolve|mute|unresolve` and `events list` print, and the status they leave,
// read back through the REST API as any client would.
import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { cliHome, runCli, serverEnv } from "./sentry-cli.ts";

const server = inject("faultline");
const home = cliHome();
const cli = (args: string[], dsn = false) =>
  runCli(args, home, dsn ? { ...serverEnv(), SENTRY_DSN: server.dsn } : serverEnv());

interface ApiIssue {
  id: string;
  title: string;
  status: string;
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${server.token}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

/** Sends a message with sentry-cli and waits for its issue to be listed by the API. */
async function issueFor(message: string): Promise<ApiIssue> {
  const sent = cli(["send-event", "-m", message], true);
  expect(sent.code, sent.all).toBe(0);
  for (let i = 0; i < 40; i++) {
    const issues = await api<ApiIssue[]>(
      `/api/0/projects/${server.orgSlug}/${server.projectSlug}/issues/?query=&statsPeriod=24h`,
    );
    const found = issues.find((issue) => issue.title === message);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no issue for ${message}`);
}

const statusOf = async (id: string) => (await api<ApiIssue>(`/api/0/issues/${id}/`)).status;

/** The table row sentry-cli printed for an issue id, split into its cells. */
function rowOf(table: string, id: string): string[] | undefined {
  return table
    .split("\n")
    .map((line) => line.split("|").map((cell) => cell.trim()))
    .find((cells) => cells[1] === id);
}

describe("sentry-cli issues and events", () => {
  it("issues list prints each issue with its short id, title and status", async () => {
    const marker = randomUUID();
    const issue = await issueFor(`cli listed ${marker}`);
    const listed = cli(["issues", "list"]);
    expect(listed.code, listed.all).toBe(0);
    expect(listed.stdout).toMatch(
      /Issue ID\s*\|\s*Short ID\s*\|\s*Title\s*\|\s*Last seen\s*\|\s*Status\s*\|\s*Level/,
    );
    const row = rowOf(listed.stdout, issue.id);
    expect(row?.[2]).toMatch(/^[A-Z0-9-]+-[0-9A-HJKMNP-TV-Z]+$/);
    expect(row?.slice(3)).toEqual([
      `cli listed ${marker}`,
      expect.stringMatching(/^\d{4}-/),
      "unresolved",
      "error",
      "",
    ]);
  });

  it("issues resolve, mute and unresolve change the status the API and the list show", async () => {
    const marker = randomUUID();
    const issue = await issueFor(`cli lifecycle ${marker}`);
    const other = await issueFor(`cli bystander ${marker}`);

    const resolved = cli(["issues", "resolve", "-i", issue.id]);
    expect(resolved.code, resolved.all).toBe(0);
    expect(resolved.stdout).toContain("new status: resolved");
    expect(await statusOf(issue.id)).toBe("resolved");
    expect(rowOf(cli(["issues", "list"]).stdout, issue.id)?.[5]).toBe("resolved");

    const muted = cli(["issues", "mute", "-i", issue.id]);
    expect(muted.code, muted.all).toBe(0);
    expect(muted.stdout).toContain("new status: muted");
    // Sentry calls a muted issue "ignored".
    expect(await statusOf(issue.id)).toBe("ignored");

    const unresolved = cli(["issues", "unresolve", "-i", issue.id]);
    expect(unresolved.code, unresolved.all).toBe(0);
    expect(await statusOf(issue.id)).toBe("unresolved");
    // Selecting one issue by id never touches another.
    expect(await statusOf(other.id)).toBe("unresolved");
  });

  it("events list prints the project's events with their ids, dates and titles", async () => {
    const marker = randomUUID();
    const sent = cli(["send-event", "-m", `cli event ${marker}`], true);
    expect(sent.code, sent.all).toBe(0);
    const eventId = /Event id: ([0-9a-f-]{36})/.exec(sent.stdout)?.[1];
    expect(eventId, sent.all).toBeDefined();
    let row: string[] | undefined;
    for (let i = 0; i < 40 && !row; i++) {
      const listed = cli(["events", "list", "--max-rows", "200"]);
      expect(listed.code, listed.all).toBe(0);
      row = rowOf(listed.stdout, eventId ?? "");
      if (!row) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(row?.slice(2, 4)).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT/), `cli event ${marker}`]);
  });
});
