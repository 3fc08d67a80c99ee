// `faultline/testing`: Faultline as a local envelope sink a test can assert against. Start it in-process,
// point an SDK at its DSN, exercise the app, then ask what arrived:
//
//   const faultline = await startFaultline();
//   Sentry.init({ dsn: faultline.dsn });
//   const event = await faultline.waitForEvent({ message: "boom" });
//
// `faultline/testing/client` has the same helpers without Miniflare, for code that reaches a sink
// started elsewhere (a workerd test, a browser).
export { connectFaultline } from "./client.js";
export { type FaultlineSink, type StartOptions, startFaultline } from "./start.js";
export type * from "./types.js";
