// The ingest service's face: the endpoints the edge routes to.
export { handleEnvelope, handleStore } from "./endpoints.ts";
