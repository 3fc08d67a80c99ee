// The face of the web UI service: its routes and its not-found page, for the edge.
export { registerUiRoutes, uiNotFound } from "./routes.ts";
