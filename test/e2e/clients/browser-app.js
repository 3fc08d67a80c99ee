// A page's script using @sentry/browser, bundled by the e2e test with esbuild and served from an origin
// other than Faultline's. The test drives it through buttons and reads what it reported through the API.
import * as Sentry from "@sentry/browser";

const sent = [];
// SDK 11 streams spans by default; `?lifecycle=static` sends transactions as SDKs before it did.
const lifecycle = new URLSearchParams(location.search).get("lifecycle") === "static" ? "static" : "stream";
Sentry.init({
  dsn: window.FAULTLINE_DSN,
  release: "e2e-browser@1.0.0",
  environment: "e2e",
  integrations: [Sentry.browserTracingIntegration()],
  tracesSampleRate: 1,
  traceLifecycle: lifecycle,
});
// The pageload span ends once the page has been idle for a second; the test waits for that.
window.faultlineIdle = () => Sentry.getActiveSpan() === undefined;
Sentry.setUser({ id: "browser-user-7" });
Sentry.getClient()?.on("afterSendEvent", (event) => {
  sent.push({ type: event.type ?? "error", id: event.event_id, transaction: event.transaction });
});

// The click's work runs in its own span (as an app instruments a user action), so its fetch and XHR
// spans have a parent once the pageload has ended.
document.getElementById("work")?.addEventListener("click", async () => {
  await Sentry.startSpan({ name: "load order", op: "ui.action" }, async (span) => {
    window.faultlineWorkTrace = Sentry.spanToJSON(span).trace_id;
    console.log("loading order", 17);
    await fetch("/api/order?via=fetch").then((res) => res.text());
    await new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open("GET", "/api/order?via=xhr");
      xhr.onloadend = resolve;
      xhr.send();
    });
  });
  history.pushState({}, "", "/orders/17");
  window.faultlineMessageId = Sentry.captureMessage("browser checkout slow", "warning");
  document.body.dataset.worked = "yes";
});

document.getElementById("boom")?.addEventListener("click", () => {
  throw new TypeError("cart is undefined in the browser");
});

// The test ends the running navigation transaction instead of waiting for it to go idle, then flushes.
window.faultlineFinish = async () => {
  Sentry.getActiveSpan()?.end();
  await Sentry.flush(10_000);
  return sent;
};
