// The layer rules of src/ (README "Layout"), checked by `npm run check:architecture` in `npm test`.
// Layers, top to bottom: edge (src/index.ts, src/http/router.ts) → services (ingest, api, ui, project,
// symbol-service, alerts) → http plumbing (src/http/) → storage (src/db/, src/blobs/) → pure core (protocol,
// grouping, symbolication) → shared (env.ts, errors.ts, limits.ts). Imports point downward only.
const CORE = "^src/(protocol|grouping|symbolication)/";
const STORAGE = "^src/(db|blobs)/";
const SHARED = "^src/((env|errors|limits)\\.ts$|limits/)";
const SERVICES = "^src/(ingest|api|ui|project|symbol-service|alerts)/";
const EDGE = "^src/(index\\.ts|http/router\\.ts)$";
// faultline/testing (testing/): a Node library that talks to Faultline over HTTP only, and the sink
// Worker (testing/worker/), which is Faultline's Worker plus the reset route.
const SINK_WORKER = "^testing/worker/";
const CLIENT = "^testing/(client|api|views|filters|describe|wait|types)\\.ts$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycle",
      comment: "An import cycle makes two modules one; break it by moving the shared part down.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "core-is-pure",
      comment: "The protocol core takes bytes and JSON and returns values: no storage, HTTP or services.",
      severity: "error",
      from: { path: CORE },
      to: { path: "^src/", pathNot: [CORE, "^src/(errors|limits)\\.ts$"] },
    },
    {
      name: "core-has-no-platform-modules",
      comment: "The core runs in plain Node: no cloudflare:* modules, no drizzle, no itty-router.",
      severity: "error",
      from: { path: CORE },
      to: { path: "^(cloudflare:|node_modules/(drizzle-orm|itty-router)/)" },
    },
    {
      name: "storage-imports-only-core",
      comment: "src/db and src/blobs know tables, keys and protocol types, never services or HTTP.",
      severity: "error",
      from: { path: STORAGE },
      to: { path: "^src/", pathNot: [STORAGE, CORE, SHARED] },
    },
    {
      name: "shared-imports-nothing-above-core",
      severity: "error",
      from: { path: SHARED },
      to: { path: "^src/", pathNot: [SHARED, CORE] },
    },
    {
      name: "env-is-generated",
      comment: "env.ts re-exports the Env that `wrangler types` generates (worker-configuration.d.ts).",
      severity: "error",
      from: { path: "^src/env\\.ts$" },
      to: { path: "^src/" },
    },
    {
      name: "http-plumbing-below-services",
      comment: "src/http/ (but the router) is plumbing every service uses: it imports no service or storage.",
      severity: "error",
      from: { path: "^src/http/", pathNot: EDGE },
      to: { path: "^src/", pathNot: ["^src/http/", CORE, SHARED] },
    },
    {
      name: "services-meet-through-faces",
      comment: "A service uses another only through that service's index.ts.",
      severity: "error",
      from: { path: SERVICES },
      to: {
        path: SERVICES,
        pathNot: ["^src/$1/", "^src/(ingest|api|ui|project|symbol-service|alerts)/index\\.ts$"],
      },
    },
    {
      name: "edge-uses-faces",
      comment:
        "The edge wires services together through their faces; it also exports the Durable Object class itself, which the runtime binds.",
      severity: "error",
      from: { path: EDGE },
      to: {
        path: SERVICES,
        pathNot: [
          "^src/(ingest|api|ui|project|symbol-service|alerts)/index\\.ts$",
          "^src/project/project-do\\.ts$",
        ],
      },
    },
    {
      name: "nothing-imports-the-edge",
      severity: "error",
      from: { path: "^src/", pathNot: EDGE },
      to: { path: EDGE },
    },
    {
      name: "drizzle-only-in-db",
      comment: "SQL lives in src/db/ (schema.ts is drizzle; queries are prepared statements).",
      severity: "error",
      from: { path: "^src/", pathNot: STORAGE },
      to: { path: "node_modules/drizzle-orm/" },
    },
    {
      name: "testing-talks-http",
      comment: "The testing library reads Faultline through its REST API, never through src/ internals.",
      severity: "error",
      from: { path: "^testing/", pathNot: SINK_WORKER },
      to: { path: ["^src/", SINK_WORKER] },
    },
    {
      name: "sink-worker-uses-the-edge-and-faces",
      comment: "The sink Worker wraps the production Worker; it reaches services only through their faces.",
      severity: "error",
      from: { path: SINK_WORKER },
      to: { path: "^src/", pathNot: ["^src/(index|env)\\.ts$", "^src/project/index\\.ts$"] },
    },
    {
      name: "client-runs-anywhere",
      comment: "faultline/testing/client runs in workerd and browsers too: fetch only, no Node modules.",
      severity: "error",
      from: { path: CLIENT },
      to: { dependencyTypes: ["core", "npm", "npm-dev", "npm-no-pkg", "npm-unknown"] },
    },
    {
      name: "no-unresolvable",
      severity: "error",
      from: { path: "^src/" },
      to: { couldNotResolve: true, pathNot: "^cloudflare:" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
  },
};
