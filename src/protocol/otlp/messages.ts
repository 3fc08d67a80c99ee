// The OTLP collector messages from the OpenTelemetry JS project's generated protobufjs module (shipped by
// `@opentelemetry/otlp-transformer` up to 0.212, installed as the `otlp-protobuf-root` alias). That module
// is typed only as an untyped protobufjs root, so the few message classes used are named here.
import root from "otlp-protobuf-root/build/esm/generated/root.js";

export interface OtlpMessageType {
  decode(bytes: Uint8Array): unknown;
  create(properties: object): unknown;
  encode(message: unknown): { finish(): Uint8Array };
}

interface CollectorNamespace {
  opentelemetry: {
    proto: {
      collector: {
        trace: { v1: Record<"ExportTraceServiceRequest" | "ExportTraceServiceResponse", OtlpMessageType> };
        logs: { v1: Record<"ExportLogsServiceRequest" | "ExportLogsServiceResponse", OtlpMessageType> };
      };
    };
  };
}

const collector = (root as unknown as CollectorNamespace).opentelemetry.proto.collector;

export const otlpMessages = {
  traceRequest: collector.trace.v1.ExportTraceServiceRequest,
  traceResponse: collector.trace.v1.ExportTraceServiceResponse,
  logsRequest: collector.logs.v1.ExportLogsServiceRequest,
  logsResponse: collector.logs.v1.ExportLogsServiceResponse,
};
