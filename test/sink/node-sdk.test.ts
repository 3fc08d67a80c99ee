// The real @sentry/node 11 SDK in the same process as the sink: what a test of a Node app sees. The
// helpers' own polling must stay out of the app's telemetry (no spans, no breadcrumbs of its requests).
import * as Sentry from "@sentry/node";
import { type FaultlineSink, startFaultline } from "faultline/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let sink: FaultlineSink;

beforeAll(async () => {
  sink = await startFaultline();
  Sentry.init({
    dsn: sink.dsn,
    release: "shop@1.2.3",
    environment: "test",
    tracesSampleRate: 1,
  });
});
afterAll(async () => {
  await Sentry.close(2000);
  await sink?.close();
});

describe("@sentry/node against the sink", () => {
  it("stores an exception with its user, breadcrumbs and trace, and the trace's transaction and logs", async () => {
    let traceId = "";
    let eventId = "";
    await Sentry.startSpan({ name: "GET /orders/:id", op: "http.server" }, async (span) => {
      traceId = span.spanContext().traceId;
      Sentry.setUser({ id: "user-7", email: "ada@example.com" });
      Sentry.addBreadcrumb({ category: "orders", message: "loading order 17", level: "info" });
      Sentry.logger.info("order 17 requested");
      eventId = Sentry.captureException(new TypeError("order.total is undefined"));
    });
    await Sentry.flush(2000);

    const event = await sink.waitForEvent({ id: eventId });
    expect(event).toMatchObject({
      title: "TypeError: order.total is undefined",
      level: "error",
      release: "shop@1.2.3",
      environment: "test",
      traceId,
      user: { id: "user-7", email: "ada@example.com" },
    });
    expect(event.breadcrumbs.map((b) => b.message)).toContain("loading order 17");
    const transaction = await sink.waitForTransaction({ traceId });
    expect(transaction).toMatchObject({ name: "GET /orders/:id", op: "http.server", release: "shop@1.2.3" });
    const log = await sink.waitForLog({ message: "order 17 requested" });
    expect(log).toMatchObject({ level: "info", traceId });
  });

  it("keeps the helpers' requests out of the app's spans and breadcrumbs", async () => {
    // The helpers poll the sink over HTTP in this process; a later event must not carry those requests.
    await sink.waitForEvent();
    const eventId = Sentry.captureException(new Error("after polling"));
    await Sentry.flush(2000);
    const event = await sink.waitForEvent({ id: eventId });
    const urls = event.breadcrumbs.map((b) => String(b.data?.url ?? ""));
    expect(urls.filter((u) => u.includes("/api/0/"))).toEqual([]);
    const clientSpans = (await sink.transactions()).filter((t) => t.op === "http.client");
    expect(clientSpans).toEqual([]);
  });
});
