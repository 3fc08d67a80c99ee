// The Worker's bindings, as `wrangler types` generates them from wrangler.toml into
// worker-configuration.d.ts (`npm run types`; `npm test` fails when that file is out of date).
// Re-exported under the name the code imports, so the protocol core never depends on it.
export type Env = FaultlineEnv;
