// Sentry for the service: the DSN comes from the environment in production, from the test sink in tests.
import * as Sentry from "@sentry/node";

export function initSentry(dsn = process.env.SENTRY_DSN, options = {}) {
  Sentry.init({
    dsn,
    release: "orders-service@1.4.0",
    environment: process.env.NODE_ENV ?? "development",
    tracesSampleRate: 1,
    ...options,
  });
}

/**
 * For tests that repeat a failure on purpose: the Dedupe integration drops an error identical to the
 * one before it (the sink's outcomes() shows it as `client_discard (event_processor)`).
 */
export const withoutDedupe = {
  integrations: (defaults) => defaults.filter((integration) => integration.name !== "Dedupe"),
};
