// The REST API service's face: what the edge and other services use of it.
export { deleteProjectBlobs } from "./routes/projects.ts";
