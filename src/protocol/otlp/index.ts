// OTLP/HTTP traces and logs: decoding both encodings and mapping to Faultline's span and log records.
export {
  decodeOtlpRequest,
  encodeOtlpResponse,
  type OtlpEncoding,
  type OtlpPartialSuccess,
  type OtlpSignal,
  otlpContentType,
  otlpEncodingOf,
} from "./codec.ts";
export { exceptionEventsOf } from "./exceptions.ts";
export { logsFromOtlp } from "./logs.ts";
export { spansFromOtlp } from "./spans.ts";
