// `npm run deploy`: Faultline on a Cloudflare account in one command, and again to upgrade it. Creates
// the D1 databases the account lacks, applies the migrations of every D1 binding, deploys (wrangler
// provisions the R2 bucket and the queue by their configured names when missing), creates the first
// organization, project, DSN key and API token once (scripts/default-tenant.mjs, the steps `npm start`
// runs) and prints the DSN. Run again, it creates nothing twice and prints the same DSN and token.
//
// `--local` runs the same steps against local state (what `npm start` uses, or FAULTLINE_STATE_DIR):
// nothing to provision (wrangler dev simulates D1, R2 and queues), migrations with --local, and
// `wrangler dev` on PORT in place of the deploy; it keeps serving until interrupted.
//
// The commands themselves are built by scripts/deploy-plan.mjs.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { unstable_readConfig } from "wrangler";
import { defaultTenantSteps, readStoredToken, runStepsSync, storeToken } from "./default-tenant.mjs";
import {
  d1Bindings,
  databaseNames,
  deployCommand,
  deployedUrl,
  deployOptions,
  dsnOf,
  migrationCommands,
  provisionCommands,
  sqlCommand,
  tenantBinding,
} from "./deploy-plan.mjs";
import { DEFAULTS, freePort, ROOT, sqlLocal, startDev } from "./local-server.mjs";

const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");

/** Runs wrangler to completion, echoing its output; throws with the output when it fails. */
function wrangler(args, { echo = true } = {}) {
  console.log(`$ wrangler ${args.map((a) => (/[\s"';]/.test(a) ? JSON.stringify(a) : a)).join(" ")}`);
  const result = spawnSync(WRANGLER, args, {
    cwd: ROOT,
    encoding: "utf8",
    // CI: no prompts (migrations are confirmed, resources created by their configured names) and no
    // write-back of provisioned ids: wrangler.toml names every resource, and wrangler finds it by name.
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(
      `wrangler ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
  if (echo) process.stdout.write(result.stdout);
  return result.stdout;
}

function sqlRemote(binding, sql) {
  const out = wrangler(sqlCommand(binding, sql, { local: false }), { echo: false });
  const parsed = JSON.parse(out.slice(out.indexOf("[")));
  return parsed[parsed.length - 1]?.results ?? [];
}

/** Creates the first tenant once; the plain token is kept in `stateFile` so a rerun prints it again. */
function firstTenant(sql, stateFile) {
  const steps = defaultTenantSteps({ storedToken: readStoredToken(stateFile), withPassword: true });
  const { tokenCreated, ...tenant } = runStepsSync(steps, (statements) => sql(statements.join(";\n")));
  if (tokenCreated) storeToken(stateFile, tenant.token);
  return tenant;
}

function printTenant(url, tenant, remote) {
  const reset = `npm run faultline -- user password ${tenant.userEmail}${remote ? " --remote" : ""}`;
  console.log(`
Faultline is deployed at ${url}/. Paste these into your shell:

export SENTRY_DSN=${dsnOf(url, tenant.publicKey, tenant.projectId)}
export SENTRY_URL=${url}/
export SENTRY_AUTH_TOKEN=${tenant.token}
export SENTRY_ORG=${DEFAULTS.orgSlug}
export SENTRY_PROJECT=${DEFAULTS.projectSlug}
export FAULTLINE_USER=${tenant.userEmail}
${tenant.password ? `export FAULTLINE_PASSWORD=${tenant.password}\n\nSign in with FAULTLINE_USER and FAULTLINE_PASSWORD (the password is shown only this once).` : "\nSign in as FAULTLINE_USER (its password was printed by the first deploy)."}
Forgot it? ${reset}
`);
}

function deployRemote(bindings, options) {
  console.log("1. D1 databases");
  const existing = databaseNames(wrangler(["d1", "list", "--json"], { echo: false }));
  const creates = provisionCommands(bindings, existing);
  if (creates.length === 0) console.log("every D1 database of wrangler.toml exists");
  for (const command of creates) wrangler(command);
  console.log("2. Migrations");
  for (const command of migrationCommands(bindings, { local: false })) wrangler(command);
  console.log("3. Deploy (wrangler creates the R2 bucket and the queue if they are missing)");
  const output = wrangler(deployCommand());
  const url = options.url ?? deployedUrl(output);
  if (!url)
    throw new Error("wrangler deploy printed no https URL (workers.dev disabled?): pass --url PUBLIC_URL");
  console.log("4. First organization, project, DSN key and token");
  const binding = tenantBinding(bindings);
  // The plain token of the deployment, on the operator's machine only (D1 keeps its SHA-256).
  const stateFile = options.stateFile ?? join(ROOT, ".wrangler", "faultline-deploy.json");
  const tenant = firstTenant((sql) => sqlRemote(binding, sql), stateFile);
  printTenant(url, tenant, true);
}

async function deployLocal(bindings, options) {
  const stateDir = process.env.FAULTLINE_STATE_DIR ?? join(ROOT, ".wrangler");
  const persistTo = join(stateDir, "state");
  console.log("1. D1 databases: none to create locally (wrangler dev simulates D1, R2 and queues)");
  console.log("2. Migrations");
  for (const command of migrationCommands(bindings, { local: true, persistTo })) wrangler(command);
  console.log("3. Deploy: wrangler dev stands in for it locally");
  const port = Number(options.port ?? process.env.PORT ?? 8787);
  const inspectorPort = await freePort(Number(process.env.INSPECTOR_PORT ?? 9229));
  const server = await startDev({ port, persistTo, inspectorPort });
  const stop = () => {
    server.child.kill("SIGTERM");
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  server.child.on("exit", (code) => process.exit(code ?? 0));
  console.log("4. First organization, project, DSN key and token");
  const binding = tenantBinding(bindings);
  const sql = (command) => sqlLocal(persistTo, command, binding);
  const tenant = firstTenant(sql, options.stateFile ?? join(stateDir, "faultline-local.json"));
  printTenant(options.url ?? `http://127.0.0.1:${port}`, tenant, false);
}

export async function run(argv) {
  const options = deployOptions(argv);
  const bindings = d1Bindings(unstable_readConfig({ config: join(ROOT, "wrangler.toml") }));
  if (options.local) await deployLocal(bindings, options);
  else deployRemote(bindings, options);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await run(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
