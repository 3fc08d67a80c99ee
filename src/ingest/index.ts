// The face of the ingest service: the envelope and store endpoints the edge routes to, and the
// project-key cache other services reset when they change keys.
export { handleEnvelope, handleStore } from "./endpoints.ts";
export { forgetProjectKeys } from "./project-keys.ts";
