// OTLP/HTTP request and response bodies, in both encodings an exporter may use. Protobuf is read and
// written by the OpenTelemetry JS project's own generated protobufjs code (see README "OTLP"), never by
// a parser of ours; OTLP JSON is JSON with the same field names (ids as hex, 64-bit integers as strings).
import { FaultlineError } from "../../errors.ts";
import { decodeJson } from "../items/json.ts";
import { otlpMessages } from "./messages.ts";

export type OtlpSignal = "traces" | "logs";
export type OtlpEncoding = "protobuf" | "json";

const JSON_TYPE = "application/json";
const PROTOBUF_TYPE = "application/x-protobuf";

/** The request's encoding from its Content-Type; undefined for anything else (answered 415). */
export function otlpEncodingOf(contentType: string | null): OtlpEncoding | undefined {
  const base = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
  if (base === PROTOBUF_TYPE || base === "application/protobuf") return "protobuf";
  if (base === JSON_TYPE) return "json";
  return undefined;
}

export function otlpContentType(encoding: OtlpEncoding): string {
  return encoding === "protobuf" ? PROTOBUF_TYPE : JSON_TYPE;
}

/**
 * The export request as a plain object tree (`resourceSpans` / `resourceLogs` …). Protobuf ids come as
 * bytes and 64-bit integers as numbers or Long objects; JSON ids as hex strings — the mappers read both.
 * A body that is not a valid request is a 400, as the OTLP spec asks (the exporter does not retry it).
 */
export function decodeOtlpRequest(signal: OtlpSignal, encoding: OtlpEncoding, body: Uint8Array): unknown {
  if (encoding === "json") {
    const decoded = decodeJson(body);
    if (
      !decoded.ok ||
      typeof decoded.value !== "object" ||
      decoded.value === null ||
      Array.isArray(decoded.value)
    )
      throw new FaultlineError(400, `invalid OTLP ${signal} request: body is not a JSON object`);
    return decoded.value;
  }
  const type = signal === "traces" ? otlpMessages.traceRequest : otlpMessages.logsRequest;
  try {
    return type.decode(body);
  } catch (error) {
    throw new FaultlineError(400, `invalid OTLP ${signal} request: protobuf could not be decoded`, {
      causes: [error instanceof Error ? error.message : String(error)],
    });
  }
}

/** What an export response says was not kept (OTLP partial success); zero rejected and no message = full success. */
export interface OtlpPartialSuccess {
  rejected: number;
  errorMessage: string;
}

/** The ExportTraceServiceResponse / ExportLogsServiceResponse body, in the request's encoding. */
export function encodeOtlpResponse(
  signal: OtlpSignal,
  encoding: OtlpEncoding,
  partial: OtlpPartialSuccess,
): Uint8Array | string {
  const countField = signal === "traces" ? "rejectedSpans" : "rejectedLogRecords";
  const partialSuccess =
    partial.rejected > 0 || partial.errorMessage !== ""
      ? { [countField]: partial.rejected, errorMessage: partial.errorMessage }
      : undefined;
  if (encoding === "json") {
    // proto3 JSON writes int64 as a string.
    const body = partialSuccess
      ? { partialSuccess: { ...partialSuccess, [countField]: String(partial.rejected) } }
      : {};
    return JSON.stringify(body);
  }
  const type = signal === "traces" ? otlpMessages.traceResponse : otlpMessages.logsResponse;
  return type.encode(type.create(partialSuccess ? { partialSuccess } : {})).finish();
}
