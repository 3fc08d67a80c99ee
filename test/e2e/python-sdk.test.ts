// Debian's python3-sentry-sdk (1.9.10) against Faultline: gzip to /store/ for errors, envelopes for
// transactions.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT, sqlLocal } from "../../scripts/local-server.mjs";
import { waitForSpool } from "./spool-wait.ts";
import { traceIdLiteral } from "./trace-id-sql.ts";

const server = inject("faultline");
const sql = (command: string) => sqlLocal(server.persistTo, command);
const PYTHON = "/usr/bin/python3";

describe("python sentry_sdk", () => {
  let captured: Record<string, string>;
  beforeAll(async () => {
    if (!existsSync(PYTHON))
      throw new Error("python3-sentry-sdk is required: .ci/run installs it with apt-get");
    const out = execFileSync(PYTHON, [join(ROOT, "test/e2e/clients/python_app.py")], {
      env: { ...process.env, SENTRY_DSN: server.dsn },
      encoding: "utf8",
      timeout: 60_000,
    });
    captured = JSON.parse(out.trim().split("\n").pop() ?? "{}") as Record<string, string>;
    await waitForSpool(server);
  });

  it("stores the exception sent gzip-compressed to /store/, grouped with a Python title", () => {
    const [row] = sql(
      `SELECT e.platform, e.release, i.title, i.culprit FROM events e JOIN issues i ON i.id = e.issue_id WHERE e.event_id = '${captured.errorEventId}'`,
    );
    expect(row?.platform).toBe("python");
    expect(row?.release).toBe("e2e-python@2.0.0");
    expect(row?.title).toBe("ValueError: invalid literal for int() with base 10: 'seventeen'");
    expect(String(row?.culprit)).toContain("parse_quantity");
  });

  it("stores the message event", () => {
    const [row] = sql(`SELECT level, title FROM events WHERE event_id = '${captured.messageEventId}'`);
    expect(row).toEqual({ level: "info", title: "cache miss for key user:1234" });
  });

  it("stores the transaction and its spans from the envelope", () => {
    const [tx] = sql(
      `SELECT type, transaction_name FROM events WHERE trace_id = ${traceIdLiteral(captured.traceId)} AND type = 'transaction'`,
    );
    expect(tx).toEqual({ type: "transaction", transaction_name: "nightly-import" });
    const spans = sql(
      `SELECT name, op, is_segment FROM spans WHERE trace_id = '${captured.traceId}' ORDER BY is_segment DESC`,
    );
    // sentry-python 1.9 also records an `http` span (`http.client` in newer SDKs) when its own transport
    // sends the earlier events while the transaction is open: the segment, the db span, maybe that one.
    expect(spans[0]).toMatchObject({ is_segment: 1, name: "nightly-import" });
    expect(spans.filter((s) => s.is_segment === 1)).toHaveLength(1);
    expect(spans).toContainEqual(expect.objectContaining({ op: "db", is_segment: 0 }));
    for (const span of spans.slice(1)) expect(["db", "http", "http.client"]).toContain(span.op);
  });
});
