// The web UI service's face: what the edge uses of it.
export { registerUiRoutes, uiNotFound } from "./routes.ts";
