// Request bodies and load for the OTLP bench (bench/otlp.mjs): protobuf export requests made by the
// OpenTelemetry JS SDK and serialized by its exporters' own serializer (100 spans or log records per
// request, fresh ids in each), posted from this process by `connections` concurrent keep-alive loops.
// Node's fetch is the client (wrk cannot send binary bodies from its line templates), so on a small
// machine the client takes CPU from the server under test: the figures bound the server from below.
import { context, trace } from "@opentelemetry/api";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";

const resource = resourceFromAttributes({
  "service.name": "bench",
  "service.version": "bench@1.0.0",
  "deployment.environment.name": "bench",
});

/** `count` trace export requests of `perRequest` spans: one root per request, the rest its children. */
export function traceBodies(count, perRequest = 100) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer("bench", "1.0.0");
  const bodies = [];
  for (let r = 0; r < count; r += 1) {
    exporter.reset();
    const root = tracer.startSpan(`GET /bench/${r % 50}`, { attributes: { "http.request.method": "GET" } });
    const parent = trace.setSpan(context.active(), root);
    for (let i = 1; i < perRequest; i += 1) {
      tracer
        .startSpan(
          `SELECT item ${i % 10}`,
          { attributes: { "db.system.name": "sqlite", "row.count": i } },
          parent,
        )
        .end();
    }
    root.end();
    bodies.push(ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans()));
  }
  return bodies;
}

/** `count` log export requests of `perRequest` records, levels cycling through info/warn/error. */
export function logBodies(count, perRequest = 100) {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger("bench");
  const levels = [SeverityNumber.INFO, SeverityNumber.WARN, SeverityNumber.ERROR];
  const bodies = [];
  for (let r = 0; r < count; r += 1) {
    exporter.reset();
    for (let i = 0; i < perRequest; i += 1) {
      logger.emit({
        severityNumber: levels[i % 3],
        body: `bench record ${r}.${i}`,
        attributes: { "request.n": r },
      });
    }
    bodies.push(ProtobufLogsSerializer.serializeRequest(exporter.getFinishedLogRecords()));
  }
  return bodies;
}

/**
 * Posts the bodies in order from `connections` loops until they run out or `seconds` pass. Resolves with
 * requests/s, p50/p99 latency (ms) and the number of 2xx answers.
 */
export async function postAll({ url, headers, bodies, connections, seconds }) {
  let next = 0;
  let ok = 0;
  let failed = 0;
  let socketErrors = 0;
  const latencies = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  const loop = async () => {
    while (next < bodies.length && performance.now() < deadline) {
      const body = bodies[next];
      next += 1;
      const t0 = performance.now();
      try {
        const res = await fetch(url, { method: "POST", headers, body });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.ok) ok += 1;
        else failed += 1;
      } catch {
        // A kept-alive connection the dev server closed: counted, the loop goes on with a new one.
        socketErrors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    ok,
    failed,
    socketErrors,
    rps: latencies.length / elapsed,
    p50: pct(50),
    p99: pct(99),
  };
}
