// A burst over the DSN key's rate limit: Faultline answers 429 and counts the drop; the SDK then backs
// off and reports what it discarded. Both show in outcomes(). A file of its own: the SDK stays backed
// off for the rest of the minute, which would swallow the errors of other tests in this process.
import * as Sentry from "@sentry/node";
import { type FaultlineSink, startFaultline } from "faultline/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { initSentry, withoutDedupe } from "../src/sentry.mjs";
import { listen } from "../src/server.mjs";

let faultline: FaultlineSink;
let service: { url: string; close: () => Promise<unknown> };

beforeAll(async () => {
  faultline = await startFaultline();
  initSentry(faultline.dsn, withoutDedupe);
  service = await listen();
});
afterAll(async () => {
  await service?.close();
  await Sentry.close(2000);
  await faultline?.close();
});

/** Sets the DSN key's rate limit through the REST API, as a project admin would. */
async function limitKey(rateLimit: { window: number; count: number } | null): Promise<void> {
  const base = `/api/0/projects/${faultline.org}/${faultline.project}/keys/`;
  const [key] = (await (await faultline.api(base)).json()) as { id: string }[];
  const response = await faultline.api(`${base}${key?.id}/`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rateLimit }),
  });
  expect(response.status).toBe(200);
}

it("shows a rate-limited burst in outcomes()", async () => {
  await limitKey({ window: 60, count: 2 });
  try {
    for (let i = 0; i < 6; i++) await fetch(`${service.url}/orders/17`);
    await Sentry.flush(2000);

    expect(await faultline.events()).toHaveLength(2);
    const dropped = await faultline.outcomes({ category: "error" });
    const serverSide = dropped.filter((o) => o.outcome === "rate_limited");
    expect(serverSide).toEqual([expect.objectContaining({ reason: "key_quota" })]);
    // Whatever the server did not refuse itself, the SDK dropped while backing off.
    const clientSide = dropped.filter((o) => o.outcome === "client_discard");
    const total = [...serverSide, ...clientSide].reduce((n, o) => n + o.quantity, 0);
    expect(total).toBe(4);
  } finally {
    await limitKey(null);
  }
});
