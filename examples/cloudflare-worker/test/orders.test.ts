// Runs inside workerd (@cloudflare/vitest-plugin): requests go to the Worker under test, whose
// Sentry SDK sends to the sink's DSN by URL; the assertions read the sink through its REST API.
import { exports } from "cloudflare:workers";
import { connectFaultline } from "faultline/testing/client";
import { beforeEach, describe, expect, inject, it } from "vitest";

const faultline = connectFaultline(inject("faultline"));

beforeEach(async () => {
  await faultline.reset();
});

describe("orders worker", () => {
  it("reports the exception that escaped the handler, with the request's trace", async () => {
    // The exception escapes the handler (the runtime would answer 500); the SDK reported it first.
    await expect(exports.default.fetch("https://orders.example/orders/17")).rejects.toThrow(
      "order 17 not found",
    );

    const event = await faultline.waitForEvent({ message: "order 17 not found" });
    expect(event.title).toBe("Error: order 17 not found");
    expect(event.release).toBe("orders-worker@2.0.0");
    expect(event.exceptions[0]).toMatchObject({ type: "Error", handled: false });
    expect(event.breadcrumbs.map((b) => b.message)).toContain("loading order 17");
    expect(event.traceId).toMatch(/^[0-9a-f]{32}$/);

    const transaction = await faultline.waitForTransaction({ traceId: event.traceId ?? "" });
    expect(transaction).toMatchObject({ op: "http.server", url: "https://orders.example/orders/17" });
  });

  it("reports nothing for a healthy request", async () => {
    const response = await exports.default.fetch("https://orders.example/health");
    expect(await response.json()).toEqual({ ok: true });
    await faultline.waitForTransaction({ url: "/health" });
    expect(await faultline.events()).toEqual([]);
  });
});
