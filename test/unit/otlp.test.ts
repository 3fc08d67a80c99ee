// The OTLP core over bytes the real OpenTelemetry JS serializers produce (the ones the OTLP/HTTP
// exporters send): protobuf and JSON, traces and logs, and the responses exporters read back.
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { SeverityNumber } from "@opentelemetry/api-logs";
import {
  JsonLogsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufTraceSerializer,
} from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  type ReadableLogRecord,
  SimpleLogRecordProcessor,
} from "@opentelemetry/sdk-logs";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { FaultlineError } from "../../src/errors.ts";
import {
  decodeOtlpRequest,
  encodeOtlpResponse,
  exceptionEventsOf,
  logsFromOtlp,
  otlpEncodingOf,
  spansFromOtlp,
} from "../../src/protocol/otlp/index.ts";

const resource = resourceFromAttributes({
  "service.name": "checkout",
  "service.version": "checkout@2.4.0",
  "deployment.environment": "staging",
});

function recordSpans(): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer("http", "1.0.0");
  {
    const root = tracer.startSpan("POST /pay", {
      kind: SpanKind.SERVER,
      attributes: { "http.request.method": "POST" },
    });
    // No context manager is registered here: the parent is passed explicitly.
    const parent = trace.setSpan(context.active(), root);
    const child = tracer.startSpan(
      "INSERT payments",
      { kind: SpanKind.CLIENT, attributes: { "db.system": "sqlite", rows: 3, ratio: 0.5, tags: ["a", "b"] } },
      parent,
    );
    child.addEvent("exception", { "exception.type": "Declined", "exception.message": "card declined" });
    child.addLink({
      context: { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 },
    });
    child.setStatus({ code: SpanStatusCode.ERROR, message: "declined" });
    child.end();
    root.end();
  }
  return exporter.getFinishedSpans();
}

function recordLogs(): ReadableLogRecord[] {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = provider.getLogger("app");
  logger.emit({
    severityNumber: SeverityNumber.ERROR2,
    severityText: "ERROR",
    body: "payment failed",
    attributes: { order: 17 },
  });
  logger.emit({ severityNumber: SeverityNumber.DEBUG, body: { structured: true } });
  return exporter.getFinishedLogRecords();
}

describe.each(["protobuf", "json"] as const)("OTLP traces as %s", (encoding) => {
  const spans = recordSpans();
  const bytes = (encoding === "protobuf" ? ProtobufTraceSerializer : JsonTraceSerializer).serializeRequest(
    spans,
  );
  if (!bytes) throw new Error("serializer produced nothing");
  const { records, invalid } = spansFromOtlp(decodeOtlpRequest("traces", encoding, bytes));

  it("keeps ids, parents, names, times and the segment", () => {
    expect(invalid).toEqual([]);
    const root = records.find((s) => s.name === "POST /pay");
    const child = records.find((s) => s.name === "INSERT payments");
    const sdkRoot = spans.find((s) => s.name === "POST /pay");
    expect(root?.traceId).toBe(sdkRoot?.spanContext().traceId);
    expect(root?.spanId).toBe(sdkRoot?.spanContext().spanId);
    expect(root?.isSegment).toBe(true);
    expect(child?.parentSpanId).toBe(root?.spanId);
    expect(child?.segmentId).toBe(root?.spanId);
    expect(child?.transaction).toBe("POST /pay");
    expect(child?.isSegment).toBe(false);
    const [seconds, nanos] = sdkRoot?.startTime ?? [0, 0];
    expect(root?.startTimestamp).toBeCloseTo(seconds + nanos / 1e9, 5);
    expect(root?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("maps kind and conventions to op, status, resource to release/environment, events and links", () => {
    const root = records.find((s) => s.name === "POST /pay");
    const child = records.find((s) => s.name === "INSERT payments");
    expect(root?.op).toBe("http.server");
    expect(root?.status).toBe("ok");
    expect(child?.op).toBe("db");
    expect(child?.status).toBe("error");
    expect(child?.release).toBe("checkout@2.4.0");
    expect(child?.environment).toBe("staging");
    expect(child?.attributes).toMatchObject({
      "service.name": "checkout",
      "otel.scope.name": "http",
      "otel.scope.version": "1.0.0",
      "otel.kind": "client",
      "otel.status_message": "declined",
      rows: 3,
      ratio: 0.5,
      tags: ["a", "b"],
      "otel.links": [
        { trace_id: "0af7651916cd43dd8448eb211c80319c", span_id: "b7ad6b7169203331", attributes: {} },
      ],
    });
    const events = child?.attributes["otel.events"] as { name: string; attributes: object }[];
    expect(events[0]).toMatchObject({
      name: "exception",
      attributes: { "exception.type": "Declined", "exception.message": "card declined" },
    });
  });

  it("turns the exception span event into an error event of the span's trace, with a stable id", async () => {
    const child = records.find((s) => s.name === "INSERT payments");
    const [event, ...rest] = await exceptionEventsOf(records);
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      level: "error",
      release: "checkout@2.4.0",
      environment: "staging",
      exception: { values: [{ type: "Declined", value: "card declined" }] },
      contexts: { trace: { trace_id: child?.traceId, span_id: child?.spanId, op: "db" } },
    });
    expect(event?.event_id).toMatch(/^[0-9a-f]{32}$/);
    expect((await exceptionEventsOf(records))[0]?.event_id).toBe(event?.event_id);
  });

  it("answers a partial success the exporter's own response shape reads", () => {
    const body = encodeOtlpResponse("traces", encoding, {
      rejected: 2,
      errorMessage: "2 spans were not accepted",
    });
    if (encoding === "json") {
      expect(JSON.parse(String(body))).toEqual({
        partialSuccess: { rejectedSpans: "2", errorMessage: "2 spans were not accepted" },
      });
    } else {
      const decoded = ProtobufTraceSerializer.deserializeResponse(body as Uint8Array);
      expect(decoded.partialSuccess?.errorMessage).toBe("2 spans were not accepted");
      expect(Number(decoded.partialSuccess?.rejectedSpans)).toBe(2);
    }
  });
});

describe.each(["protobuf", "json"] as const)("OTLP logs as %s", (encoding) => {
  const logs = recordLogs();
  const bytes = (encoding === "protobuf" ? ProtobufLogsSerializer : JsonLogsSerializer).serializeRequest(
    logs,
  );
  if (!bytes) throw new Error("serializer produced nothing");
  const { records, invalid } = logsFromOtlp(decodeOtlpRequest("logs", encoding, bytes), 1_700_000_000);

  it("maps severity to level, body, attributes and resource", () => {
    expect(invalid).toEqual([]);
    expect(records.map((r) => [r.level, r.severityNumber, r.body])).toEqual([
      ["error", 18, "payment failed"],
      ["debug", 5, '{"structured":true}'],
    ]);
    expect(records[0]?.attributes).toMatchObject({
      order: 17,
      "service.name": "checkout",
      "otel.severity_text": "ERROR",
    });
    expect(records[0]?.release).toBe("checkout@2.4.0");
    expect(records[0]?.environment).toBe("staging");
    expect(records[0]?.timestamp).toBeGreaterThan(1_700_000_000);
  });
});

describe("OTLP bad input", () => {
  it("refuses truncated protobuf with a 400", () => {
    const bytes = ProtobufTraceSerializer.serializeRequest(recordSpans()) as Uint8Array;
    const attempt = () => decodeOtlpRequest("traces", "protobuf", bytes.subarray(0, bytes.length - 7));
    expect(attempt).toThrow(FaultlineError);
    try {
      attempt();
    } catch (error) {
      expect((error as FaultlineError).status).toBe(400);
    }
  });

  it("refuses a JSON body that is not an object", () => {
    expect(() => decodeOtlpRequest("logs", "json", new TextEncoder().encode("[1,2]"))).toThrow(
      FaultlineError,
    );
  });

  it("counts spans with bad ids or times as invalid and keeps the rest", () => {
    const request = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: "00000000000000000000000000000000",
                  spanId: "b7ad6b7169203331",
                  name: "a",
                  startTimeUnixNano: "1",
                  endTimeUnixNano: "2",
                },
                {
                  traceId: "0af7651916cd43dd8448eb211c80319c",
                  spanId: "xyz",
                  name: "b",
                  startTimeUnixNano: "1",
                  endTimeUnixNano: "2",
                },
                {
                  traceId: "0af7651916cd43dd8448eb211c80319c",
                  spanId: "b7ad6b7169203331",
                  name: "c",
                  startTimeUnixNano: "9",
                  endTimeUnixNano: "2",
                },
                {
                  traceId: "0af7651916cd43dd8448eb211c80319c",
                  spanId: "b7ad6b7169203331",
                  name: "ok",
                  startTimeUnixNano: "1700000000000000000",
                  endTimeUnixNano: "1700000000500000000",
                  kind: 2,
                },
              ],
            },
          ],
        },
      ],
    };
    const { records, invalid } = spansFromOtlp(request);
    expect(records.map((r) => [r.name, r.op, r.durationMs])).toEqual([["ok", "server", 500]]);
    expect(invalid).toEqual([
      { reason: "invalid_trace_id", quantity: 1 },
      { reason: "invalid_span_id", quantity: 1 },
      { reason: "end_before_start", quantity: 1 },
    ]);
  });

  it("reads the content types exporters send and nothing else", () => {
    expect(otlpEncodingOf("application/x-protobuf")).toBe("protobuf");
    expect(otlpEncodingOf("application/json; charset=utf-8")).toBe("json");
    expect(otlpEncodingOf("text/plain")).toBeUndefined();
    expect(otlpEncodingOf(null)).toBeUndefined();
  });
});
