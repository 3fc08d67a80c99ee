// `npm start`: a local Faultline with persistent state under .wrangler/state, migrations applied,
// a default organization/project/DSN key/API token created once, and the lines to paste printed.
import { join } from "node:path";
import {
  applyMigrations,
  DEFAULTS,
  dsnFor,
  ensureDefaults,
  freePort,
  ROOT,
  startDev,
} from "./local-server.mjs";

const port = Number(process.env.PORT ?? 8787);
// FAULTLINE_STATE_DIR keeps a second instance (or a test) apart from the default state.
const stateDir = process.env.FAULTLINE_STATE_DIR ?? join(ROOT, ".wrangler");
const persistTo = join(stateDir, "state");
const stateFile = join(stateDir, "faultline-local.json");

console.log("Applying D1 migrations to the local database…");
applyMigrations(persistTo);
const defaults = ensureDefaults(persistTo, stateFile);
const preferredInspector = Number(process.env.INSPECTOR_PORT ?? 9229);
const inspectorPort = await freePort(preferredInspector);
if (inspectorPort !== preferredInspector)
  console.log(`Inspector port ${preferredInspector} is in use; the debugger listens on ${inspectorPort}.`);
console.log(`Starting the Worker on port ${port}…`);
const server = await startDev({ port, persistTo, inspectorPort, log: "pipe" });
const url = `http://127.0.0.1:${port}`;
console.log(`
Faultline is running at ${url} (data persists in ${persistTo}; debugger on port ${inspectorPort}). Paste these into your shell:

export SENTRY_DSN=${dsnFor(defaults, port)}
export SENTRY_URL=${url}/
export SENTRY_AUTH_TOKEN=${defaults.token}
export SENTRY_ORG=${DEFAULTS.orgSlug}
export SENTRY_PROJECT=${DEFAULTS.projectSlug}
export FAULTLINE_USER=${defaults.userEmail}
${defaults.password ? `export FAULTLINE_PASSWORD=${defaults.password}\n\nSign in at ${url}/ with FAULTLINE_USER and FAULTLINE_PASSWORD (the password is shown only this once).` : `\nSign in at ${url}/ as FAULTLINE_USER (its password was printed on the first start).`}
Forgot it? npm run faultline -- user password ${defaults.userEmail}
`);
server.child.stdout?.pipe(process.stdout);
server.child.stderr?.pipe(process.stderr);
const stop = () => {
  server.child.kill("SIGTERM");
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.child.on("exit", (code) => process.exit(code ?? 0));
