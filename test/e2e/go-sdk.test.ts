// Debian's sentry-go (0.11) against Faultline: a wrapped error chain, a recovered panic, a message from a
// sentryhttp handler whose request came from a phone browser (User-Agent and client hints), and
// transactions with child spans, all read back through the REST API.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT } from "../../scripts/local-server.mjs";
import { waitForSpool } from "./spool-wait.ts";

const server = inject("faultline");
const projectPath = `/projects/${server.orgSlug}/${server.projectSlug}`;

interface ApiEvent {
  eventID: string;
  groupID: string | null;
  title: string;
  type: string;
  platform: string;
  contexts: Record<string, Record<string, unknown>>;
  tags: { key: string; value: string }[];
  entries: { type: string; data: unknown }[];
}
interface Sent {
  errorEventId: string;
  panicEventId: string;
  sent: { error: string[]; transaction: string[] };
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${server.url}/api/0${path}`, {
    headers: { authorization: `Bearer ${server.token}` },
  });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
const entry = <T>(event: ApiEvent, type: string) =>
  event.entries.find((e) => e.type === type)?.data as T | undefined;
const tagsOf = (event: ApiEvent) => Object.fromEntries(event.tags.map((t) => [t.key, t.value]));

describe("sentry-go 0.11", () => {
  const work = mkdtempSync(join(tmpdir(), "faultline-go-"));
  let run: Sent;

  beforeAll(async () => {
    // GOPATH mode against Debian's packaged sources: no module download.
    const env = {
      ...process.env,
      GO111MODULE: "off",
      GOPATH: "/usr/share/gocode",
      GOCACHE: join(work, "cache"),
    };
    const binary = join(work, "go-app");
    execFileSync("go", ["build", "-o", binary, "main.go"], {
      cwd: join(ROOT, "test/e2e/clients/go-app"),
      env,
      timeout: 300_000,
    });
    const out = execFileSync(binary, {
      env: { ...env, SENTRY_DSN: server.dsn },
      encoding: "utf8",
      timeout: 60_000,
    });
    run = JSON.parse(out.trim().split("\n").pop() ?? "{}") as Sent;
    await waitForSpool(server);
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("keeps the wrapped error chain, root cause first, and groups the recovered panic apart", async () => {
    const error = await api<ApiEvent>(`${projectPath}/events/${run.errorEventId}/`);
    const chain = entry<{ values: { type: string; value: string }[] }>(error, "exception")?.values ?? [];
    expect(chain.map((e) => e.value)).toEqual([
      "connection refused by db-7.internal",
      "load order 17: connection refused by db-7.internal",
      "checkout failed: load order 17: connection refused by db-7.internal",
    ]);
    expect(error.platform).toBe("go");
    const panic = await api<ApiEvent>(`${projectPath}/events/${run.panicEventId}/`);
    expect(panic.title).toBe("runtime.plainError: assignment to entry in nil map");
    expect(panic.groupID).not.toBe(error.groupID);
    expect(tagsOf(panic)).toMatchObject({ level: "fatal", release: "e2e-go@1.0.0", "runtime.name": "go" });
  });

  it("derives the caller's browser and OS from the request's client hints, beside the server's own os", async () => {
    const [message] = (
      await Promise.all(run.sent.error.map((id) => api<ApiEvent>(`${projectPath}/events/${id}/`)))
    ).filter((e) => e.title === "checkout from a phone");
    // Client hints win over the frozen User-Agent ("Android 10; K").
    expect(message?.contexts.browser).toEqual({ type: "browser", name: "Chrome", version: "131" });
    expect(message?.contexts.client_os).toEqual({ type: "os", name: "Android", version: "14.0.0" });
    expect(message?.contexts.os).toEqual({ name: "linux" });
    expect(message && tagsOf(message)).toMatchObject({
      browser: "Chrome 131",
      "browser.name": "Chrome",
      client_os: "Android 14.0.0",
      "client_os.name": "Android",
      "os.name": "linux",
    });
    const found = await api<{ title: string }[]>(
      `${projectPath}/issues/?query=${encodeURIComponent("client_os.name:Android browser.name:Chrome")}`,
    );
    expect(found.map((i) => i.title)).toEqual(["checkout from a phone"]);
  });

  it("shows the transaction's spans through the event API", async () => {
    const transactions = await Promise.all(
      run.sent.transaction.map((id) => api<ApiEvent>(`${projectPath}/events/${id}/`)),
    );
    expect(transactions.map((t) => t.title).sort()).toEqual(["GET /checkout", "process orders"]);
    const task = transactions.find((t) => t.title === "process orders");
    expect(task?.type).toBe("transaction");
    const spans = entry<{ op: string; description: string; parent_span_id: string }[]>(
      task as ApiEvent,
      "spans",
    );
    expect(spans?.map((s) => [s.op, s.description])).toEqual([
      ["db.query", "SELECT * FROM orders WHERE id = $1"],
      ["http.client", "POST https://payments.example/charge"],
    ]);
    expect(new Set(spans?.map((s) => s.parent_span_id))).toEqual(new Set([task?.contexts.trace?.span_id]));
  });
});
