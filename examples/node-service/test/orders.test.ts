// The service's vitest suite with Faultline as its Sentry: a real @sentry/node, a real server, and
// assertions on what the service reported — the same grouping as production.
import * as Sentry from "@sentry/node";
import { type FaultlineSink, startFaultline } from "faultline/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { initSentry, withoutDedupe } from "../src/sentry.mjs";
import { listen } from "../src/server.mjs";

let faultline: FaultlineSink;
let service: { url: string; close: () => Promise<unknown> };

beforeAll(async () => {
  faultline = await startFaultline({ report: true });
  initSentry(faultline.dsn, withoutDedupe);
  service = await listen();
});
afterAll(async () => {
  await service?.close();
  await Sentry.close(2000);
  await faultline?.close();
});
beforeEach(async () => {
  await faultline.reset();
});

describe("GET /orders/:id", () => {
  it("reports a failing request as exactly one issue, with the user and a breadcrumb", async () => {
    const response = await fetch(`${service.url}/orders/17`, { headers: { "x-user-id": "user-42" } });
    expect(response.status).toBe(500);

    const issue = await faultline.waitForIssue({ message: "reading 'items'" });
    expect(issue.title).toBe("TypeError: Cannot read properties of undefined (reading 'items')");
    await Sentry.flush(2000);
    expect(await faultline.issues()).toHaveLength(1);

    const [event] = await faultline.events({ issueId: issue.id });
    expect(event?.user?.id).toBe("user-42");
    expect(event?.release).toBe("orders-service@1.4.0");
    expect(event?.breadcrumbs).toContainEqual(
      expect.objectContaining({ category: "orders", message: "loading order 17" }),
    );
  });

  it("reports nothing for a request that succeeds", async () => {
    const response = await fetch(`${service.url}/orders/1`);
    expect(await response.json()).toEqual({ total: 9 });
    await Sentry.flush(2000);
    expect(await faultline.events()).toEqual([]);
  });

  it("groups the same failure into the same issue", async () => {
    for (const user of ["user-1", "user-2"])
      await fetch(`${service.url}/orders/17`, { headers: { "x-user-id": user } });
    await Sentry.flush(2000);
    const [issue] = await faultline.issues();
    expect(issue).toMatchObject({ count: 2, userCount: 2 });
  });
});
