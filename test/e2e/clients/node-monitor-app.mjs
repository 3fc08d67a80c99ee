// A job wrapped in @sentry/node's withMonitor (MONITOR_SLUG from the environment): check-ins with the
// monitor's config, an in-progress one and its ok (or error when FAIL is set).
import * as Sentry from "@sentry/node";

Sentry.init({
  dsn: process.env.SENTRY_DSN,
  release: "e2e-cron@1.0.0",
  environment: "e2e",
  shutdownTimeout: 5000,
});

try {
  await Sentry.withMonitor(
    process.env.MONITOR_SLUG,
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (process.env.FAIL) throw new Error("the export job failed");
    },
    {
      schedule: { type: "interval", value: 2, unit: "hour" },
      checkinMargin: 5,
      maxRuntime: 15,
      timezone: "UTC",
    },
  );
} catch {
  // The error check-in is what this run reports.
}
await Sentry.flush(5000);
