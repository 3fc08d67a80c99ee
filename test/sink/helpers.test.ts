// faultline/testing's helpers against a real sink (Miniflare, the production Worker), fed raw envelopes
// so every field is known: filters, ordering, waits and their errors, outcomes, reset, the summary.

import { type FaultlineSink, startFaultline } from "faultline/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errorEvent, messageEvent, newId, sendEnvelope } from "./envelopes.ts";

let sink: FaultlineSink;
const reports: string[] = [];

beforeAll(async () => {
  sink = await startFaultline({ report: (text) => reports.push(text) });
});
afterAll(async () => {
  await sink?.close();
});
beforeEach(async () => {
  await sink.reset();
});

describe("startFaultline", () => {
  it("answers a DSN and API of its own on a free port of 127.0.0.1", async () => {
    expect(sink.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sink.dsn).toMatch(
      new RegExp(`^http://[0-9a-f]{32}@127\\.0\\.0\\.1:${new URL(sink.url).port}/\\d+$`),
    );
    expect(sink.authToken).toMatch(/^sntryu_/);
    expect({ org: sink.org, project: sink.project }).toEqual({ org: "faultline", project: "default" });
    expect(sink.connection).toEqual({
      url: sink.url,
      dsn: sink.dsn,
      authToken: sink.authToken,
      org: "faultline",
      project: "default",
    });
    const response = await sink.api("/api/0/projects/faultline/default/");
    expect(((await response.json()) as { id: string }).id).toBe(String(sink.projectId));
  });

  it("runs two sinks side by side, each with its own state", async () => {
    const other = await startFaultline();
    try {
      expect(other.url).not.toBe(sink.url);
      expect(await sendEnvelope(other.dsn, [errorEvent("only in the other sink")])).toBe(200);
      await other.waitForEvent({ message: "only in the other sink" });
      expect(await sink.events()).toEqual([]);
    } finally {
      await other.close();
    }
  });
});

describe("reading what arrived", () => {
  it("lists events oldest first, filtered by level, text, tag, release and trace id", async () => {
    const traceId = newId();
    await sendEnvelope(sink.dsn, [
      errorEvent("first failure", { release: "app@1.0", tags: { region: "eu" } }),
    ]);
    await sendEnvelope(sink.dsn, [errorEvent("second failure", { release: "app@2.0", traceId })]);
    await sendEnvelope(sink.dsn, [messageEvent("cache warmed", "info")]);

    const all = await sink.events();
    expect(all.map((e) => e.title)).toEqual([
      "TypeError: first failure",
      "TypeError: second failure",
      "cache warmed",
    ]);
    expect((await sink.events({ level: "info" })).map((e) => e.message)).toEqual(["cache warmed"]);
    expect((await sink.events({ message: /second/ })).map((e) => e.release)).toEqual(["app@2.0"]);
    expect((await sink.events({ tags: { region: "eu" } })).map((e) => e.release)).toEqual(["app@1.0"]);
    expect((await sink.events({ traceId })).map((e) => e.exceptions[0]?.value)).toEqual(["second failure"]);
    expect(await sink.events({ release: "app@3.0" })).toEqual([]);
    expect(await sink.events((e) => e.exceptions.length === 0)).toHaveLength(1);

    const one = all[0]!;
    expect(one.issueId).not.toBeNull();
    expect(await sink.event(one.id)).toMatchObject({ id: one.id, title: one.title });
    expect(await sink.event(newId())).toBeNull();
  });

  it("groups into issues, and filters issues by their own fields and by their events'", async () => {
    for (const release of ["app@1.0", "app@1.0", "app@2.0"])
      await sendEnvelope(sink.dsn, [errorEvent("x is undefined", { release })]);
    await sendEnvelope(sink.dsn, [errorEvent("y is null", { level: "warning" })]);

    const issues = await sink.issues();
    expect(issues.map((i) => [i.shortId, i.title, i.count])).toEqual([
      ["DEFAULT-1", "TypeError: x is undefined", 3],
      ["DEFAULT-2", "TypeError: y is null", 1],
    ]);
    expect((await sink.issues({ level: "warning" })).map((i) => i.shortId)).toEqual(["DEFAULT-2"]);
    expect((await sink.issues({ release: "app@2.0" })).map((i) => i.shortId)).toEqual(["DEFAULT-1"]);
    expect((await sink.issues({ message: "y is null" })).map((i) => i.shortId)).toEqual(["DEFAULT-2"]);
    const issue = await sink.waitForIssue({ message: "x is undefined" });
    expect(issue.metadata).toMatchObject({ type: "TypeError", value: "x is undefined" });
  });

  it("waits for an event sent later", async () => {
    setTimeout(() => void sendEnvelope(sink.dsn, [errorEvent("arrives late")]), 300);
    const started = Date.now();
    const event = await sink.waitForEvent({ message: "arrives late" }, { timeout: 5000 });
    expect(event.title).toBe("TypeError: arrives late");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it("fails a wait with what arrived instead and what was dropped", async () => {
    await sendEnvelope(sink.dsn, [errorEvent("x is undefined", { release: "1.0" })]);
    await sendEnvelope(sink.dsn, [{ type: "client_report", payload: clientReport() }]);
    await sink.settled();
    const failure = await sink.waitForEvent({ message: "never sent" }, { timeout: 300 }).catch((e) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(String(failure.message)).toMatch(
      /^waitForEvent timed out after 300 ms waiting for \{"message":"never sent"\}; 1 event arrived: \[error\] "TypeError: x is undefined" \(release 1\.0\); dropped: client_discard \(queue_overflow\) ×2 error$/,
    );
    const none = await sink
      .waitForIssue((i) => i.level === "fatal", { timeout: 100 })
      .catch((e: Error) => e.message);
    expect(none).toMatch(
      /^waitForIssue timed out after 100 ms waiting for a predicate; 1 issue arrived: DEFAULT-1 \[error\]/,
    );
    await sink.reset();
    const empty = await sink.waitForEvent(undefined, { timeout: 100 }).catch((e: Error) => e.message);
    expect(empty).toBe("waitForEvent timed out after 100 ms waiting for any; no events arrived");
  });

  it("counts outcomes: accepted items and SDK discards", async () => {
    await sendEnvelope(sink.dsn, [errorEvent("counted")]);
    await sendEnvelope(sink.dsn, [{ type: "client_report", payload: clientReport() }]);
    expect(await sink.outcomes()).toEqual(
      expect.arrayContaining([
        { outcome: "accepted", reason: "", category: "error", quantity: 1 },
        { outcome: "client_discard", reason: "queue_overflow", category: "error", quantity: 2 },
      ]),
    );
    expect(await sink.outcomes({ outcome: "client_discard" })).toHaveLength(1);
  });
});

describe("reset", () => {
  it("clears events, issues and outcomes; the DSN stays valid and grouping starts over", async () => {
    await sendEnvelope(sink.dsn, [errorEvent("before reset")]);
    await sink.waitForIssue({ message: "before reset" });
    await sink.reset();
    expect(await sink.events()).toEqual([]);
    expect(await sink.issues()).toEqual([]);
    expect(await sink.outcomes()).toEqual([]);
    expect(await sendEnvelope(sink.dsn, [errorEvent("before reset")])).toBe(200);
    const issue = await sink.waitForIssue();
    expect([issue.shortId, issue.count]).toEqual(["DEFAULT-1", 1]);
  });

  it("is refused without a token that may delete events", async () => {
    const response = await fetch(`${sink.url}/_faultline/reset/faultline/default/`, { method: "POST" });
    expect(response.status).toBe(403);
  });
});

describe("close", () => {
  it("prints a summary of issues, counts and drops when asked", async () => {
    const reporting = await startFaultline({ report: (text) => reports.push(text) });
    await sendEnvelope(reporting.dsn, [errorEvent("x is undefined")]);
    await sendEnvelope(reporting.dsn, [errorEvent("x is undefined")]);
    await sendEnvelope(reporting.dsn, [{ type: "client_report", payload: clientReport() }]);
    await reporting.close();
    await reporting.close();
    expect(reports.at(-1)).toBe(
      [
        `Faultline sink ${reporting.url}: 2 events in 1 issues, 0 transactions, 0 logs; dropped: client_discard (queue_overflow) ×2 error`,
        `  DEFAULT-1 [error] "TypeError: x is undefined" ×2 (status unresolved)`,
      ].join("\n"),
    );
    await expect(fetch(`${reporting.url}/_health`)).rejects.toThrow();
  });
});

function clientReport() {
  return {
    timestamp: Date.now() / 1000,
    discarded_events: [{ reason: "queue_overflow", category: "error", quantity: 2 }],
  };
}
