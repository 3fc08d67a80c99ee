// Sends one error with the real @sentry/node SDK (for the alert e2e test): its message comes from
// ERROR_MESSAGE, so each run is grouped into the issue the test wants. Prints {"eventId": …}.
import * as Sentry from "@sentry/node";

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: "alerts-e2e@1.0.0",
  environment: "e2e",
  shutdownTimeout: 5000,
});

function chargeCard(order) {
  throw new Error(process.env.ERROR_MESSAGE ?? `card declined for order ${order}`);
}

let eventId = null;
try {
  chargeCard(17);
} catch (error) {
  eventId = Sentry.captureException(error);
}
await Sentry.close(5000);
console.log(JSON.stringify({ eventId }));
