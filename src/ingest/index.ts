// The ingest service's face: what the edge and other services use of it.

export { handleCron } from "./cron-endpoint.ts";
export { handleEnvelope, handleStore } from "./endpoints.ts";
export { handleMinidump } from "./minidump-endpoint.ts";
export { handleOtlp } from "./otlp.ts";
export { forgetProjectKeys } from "./project-keys.ts";
