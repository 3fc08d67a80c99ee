// A small service instrumented with the real OpenTelemetry JS SDK (npm): spans through
// @opentelemetry/exporter-trace-otlp-proto or -otlp-http (JSON), log records through
// @opentelemetry/exporter-logs-otlp-proto or -otlp-http, sent to Faultline's OTLP endpoints with the
// DSN public key in `x-sentry-auth`. With SENTRY_ERROR=1 it also reports an error with @sentry/node
// inside the same trace. Prints what it sent (trace id, span ids) as one JSON line.

import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { OTLPLogExporter as JsonLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPTraceExporter as JsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";

const dsn = new URL(process.env.SENTRY_DSN);
const protocol = process.env.OTLP_PROTOCOL ?? "protobuf";
const compression = process.env.OTLP_COMPRESSION === "gzip" ? "gzip" : "none";
const tag = process.env.RUN_TAG ?? "run";
const base = `${dsn.protocol}//${dsn.host}/api${dsn.pathname}/integration/otlp`;
const headers = { "x-sentry-auth": `sentry sentry_key=${dsn.username}` };
const options = (signal) => ({ url: `${base}/v1/${signal}`, headers, compression });

const resource = resourceFromAttributes({
  "service.name": "checkout",
  "service.version": process.env.OTLP_RELEASE ?? "checkout@2.4.0",
  "deployment.environment.name": "staging",
});
const TraceExporter = protocol === "json" ? JsonTraceExporter : ProtoTraceExporter;
const LogExporter = protocol === "json" ? JsonLogExporter : ProtoLogExporter;
const tracerProvider = new BasicTracerProvider({
  resource,
  spanProcessors: [new SimpleSpanProcessor(new TraceExporter(options("traces")))],
});
const loggerProvider = new LoggerProvider({
  resource,
  processors: [new SimpleLogRecordProcessor({ exporter: new LogExporter(options("logs")) })],
});
const tracer = tracerProvider.getTracer("checkout-http", "1.2.3");
const logger = loggerProvider.getLogger("checkout-logger");

const out = { protocol, compression };
const root = tracer.startSpan(`POST /checkout ${tag}`, {
  kind: SpanKind.SERVER,
  attributes: { "http.request.method": "POST", "url.path": "/checkout", "run.tag": tag },
});
const rootContext = trace.setSpan(context.active(), root);
out.traceId = root.spanContext().traceId;
out.rootSpanId = root.spanContext().spanId;
const db = tracer.startSpan(
  "SELECT carts",
  {
    kind: SpanKind.CLIENT,
    attributes: { "db.system.name": "postgresql", "db.query.text": "SELECT * FROM carts WHERE id = $1" },
  },
  rootContext,
);
const dbContext = trace.setSpan(rootContext, db);
logger.emit({
  severityNumber: SeverityNumber.WARN,
  severityText: "WARN",
  body: `cart lookup slow ${tag}`,
  attributes: { "cart.id": "c-981", "run.tag": tag },
  context: dbContext,
});
db.addEvent("exception", {
  "exception.type": "PaymentDeclined",
  "exception.message": `card declined ${tag}`,
});
db.setStatus({ code: SpanStatusCode.ERROR, message: "card declined" });
db.end();
out.dbSpanId = db.spanContext().spanId;
logger.emit({
  severityNumber: SeverityNumber.INFO,
  body: `checkout done ${tag}`,
  attributes: { "run.tag": tag },
  context: rootContext,
});

if (process.env.SENTRY_ERROR === "1") {
  // A Sentry SDK error and transaction continuing the OTel trace (as a propagated `sentry-trace` would).
  const Sentry = await import("@sentry/node");
  Sentry.init({
    dsn: process.env.SENTRY_DSN,
    release: "checkout@2.4.0",
    environment: "staging",
    tracesSampleRate: 1,
  });
  await Sentry.continueTrace({ sentryTrace: `${out.traceId}-${out.rootSpanId}-1`, baggage: undefined }, () =>
    Sentry.startSpan({ name: `charge card ${tag}`, op: "task" }, () => {
      out.errorEventId = Sentry.captureException(new Error(`payment failed ${tag}`));
    }),
  );
  await Sentry.flush(10_000);
}
root.end();

await tracerProvider.forceFlush();
await loggerProvider.forceFlush();
await tracerProvider.shutdown();
await loggerProvider.shutdown();
console.log(JSON.stringify(out));
