// The same sink from node:test (no vitest): start it, point the SDK at it, assert what arrived.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import * as Sentry from "@sentry/node";
import { startFaultline } from "faultline/testing";
import { initSentry } from "../../src/sentry.mjs";
import { listen } from "../../src/server.mjs";

let faultline;
let service;

before(async () => {
  faultline = await startFaultline();
  initSentry(faultline.dsn);
  service = await listen();
});
after(async () => {
  await service.close();
  await Sentry.close(2000);
  await faultline.close();
});

test("a healthy service reports no errors; a missing order reports one", async () => {
  assert.equal((await fetch(`${service.url}/health`)).status, 200);
  await Sentry.flush(2000);
  assert.deepEqual(await faultline.events(), []);

  await fetch(`${service.url}/orders/404`);
  const event = await faultline.waitForEvent({ message: "reading 'items'" });
  assert.equal(event.level, "error");
  assert.ok(event.breadcrumbs.some((b) => b.message === "loading order 404"));
});
