// A small app using the real @sentry/node SDK with release health on (its default process session):
// SCENARIO=healthy exits normally, SCENARIO=errored reports a handled error first, SCENARIO=crash dies
// of an uncaught exception. RELEASE and USER_ID come from the environment.
import * as Sentry from "@sentry/node";

const scenario = process.env.SCENARIO ?? "healthy";

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: process.env.RELEASE,
  environment: "e2e",
  initialScope: { user: { id: process.env.USER_ID } },
  shutdownTimeout: 5000,
});

if (scenario === "errored") {
  Sentry.captureException(new Error("could not reach the price service"));
  await Sentry.flush(5000);
}
if (scenario === "crash") {
  setTimeout(() => {
    throw new TypeError("cannot read properties of undefined (reading 'total')");
  }, 10);
}
