// A small app using the real @sentry/node SDK. The e2e tests run it against Faultline with SENTRY_DSN
// set; it prints what it captured (ids, trace id) as one JSON line so the test can look for it.
import * as Sentry from "@sentry/node";

const scenario = process.env.SCENARIO ?? "full";
const captured = {};

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: "e2e-node@1.0.0",
  environment: "e2e",
  tracesSampleRate: 1,
  enableLogs: true,
  sendClientReports: true,
  // Keep the run short: no default integrations that need network or long timers beyond what we test.
  shutdownTimeout: 5000,
});

function failingDatabaseCall() {
  throw new TypeError("connection refused by db-7.internal");
}

function loadOrder(id) {
  try {
    failingDatabaseCall();
  } catch (cause) {
    throw new Error(`could not load order ${id}`, { cause });
  }
}

if (scenario === "full") {
  Sentry.setUser({ id: "user-42", email: "ada@example.com" });
  Sentry.addBreadcrumb({ category: "auth", message: "user signed in", level: "info" });
  Sentry.addBreadcrumb({
    category: "http",
    message: "GET /orders/17",
    level: "warning",
    data: { status: 500 },
  });
  Sentry.getCurrentScope().addAttachment({
    filename: "state.txt",
    data: "cart=3 items\nstep=pay",
    contentType: "text/plain",
  });
  try {
    loadOrder(17);
  } catch (error) {
    captured.errorEventId = Sentry.captureException(error);
  }
  Sentry.getCurrentScope().clearAttachments();
  captured.messageEventId = Sentry.captureMessage("payment provider slow: 2300ms for order 17", "warning");

  await Sentry.startSpan({ name: "GET /orders/:id", op: "http.server" }, async (root) => {
    captured.traceId = root.spanContext().traceId;
    await Sentry.startSpan({ name: "SELECT orders", op: "db.query" }, async () => {
      await new Promise((r) => setTimeout(r, 15));
    });
    await Sentry.startSpan({ name: "render", op: "function" }, async () => {
      await Sentry.startSpan({ name: "template", op: "function" }, async () => {
        await new Promise((r) => setTimeout(r, 5));
      });
    });
  });

  Sentry.logger.info("order loaded", { orderId: 17 });
  Sentry.logger.error("payment failed", { orderId: 17 });
  captured.checkInId = Sentry.captureCheckIn({ monitorSlug: "nightly-report", status: "ok", duration: 1.5 });
  captured.feedbackEventId = Sentry.captureFeedback({
    message: "The checkout page froze",
    email: "ada@example.com",
    name: "Ada",
  });
} else if (scenario === "burst") {
  // Several errors in a row: a rate-limited key makes the SDK stop sending and count the drops.
  const count = Number(process.env.BURST ?? 5);
  captured.eventIds = [];
  for (let i = 0; i < count; i++) {
    captured.eventIds.push(Sentry.captureException(new Error(`burst error ${i}`)));
    await Sentry.flush(2000);
  }
}

await Sentry.close(5000);
process.stdout.write(`${JSON.stringify(captured)}\n`);
