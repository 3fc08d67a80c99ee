// What `npm run deploy` (scripts/deploy.mjs) asks wrangler to do, as plain argument lists: which D1
// databases to create, the migrations of every D1 binding, the deploy (or, with --local, `wrangler dev`),
// the SQL of the first tenant, and the DSN to print. No I/O here, so every command is unit-tested.

/**
 * The D1 bindings of the Worker's config (`unstable_readConfig`'s `d1_databases`), in config order:
 * binding, database name and whether the binding has migrations to apply.
 */
export function d1Bindings(config) {
  return (config.d1_databases ?? []).map((d) => {
    if (!d.database_name) throw new Error(`D1 binding ${d.binding} has no database_name in wrangler.toml`);
    return { binding: d.binding, databaseName: d.database_name, migrations: Boolean(d.migrations_dir) };
  });
}

/** Names of the account's D1 databases from `wrangler d1 list --json`. */
export function databaseNames(listJson) {
  const list = JSON.parse(listJson.slice(listJson.indexOf("[")));
  if (!Array.isArray(list)) throw new Error("wrangler d1 list --json did not answer a list");
  return new Set(list.map((db) => db.name));
}

/**
 * `wrangler d1 create` for each database the account lacks. D1 is created ahead of the deploy because
 * its migrations must be applied before the Worker that reads the schema goes live; wrangler.toml names
 * databases without ids, so wrangler finds them by name afterwards and nothing is written back. The R2
 * bucket and the queue are left to `wrangler deploy`'s own provisioning (created by their configured
 * names when missing).
 */
export function provisionCommands(bindings, existing) {
  const names = [...new Set(bindings.map((b) => b.databaseName))];
  return names.filter((name) => !existing.has(name)).map((name) => ["d1", "create", name]);
}

const target = ({ local, persistTo }) =>
  local ? ["--local", ...(persistTo ? ["--persist-to", persistTo] : [])] : ["--remote"];

/** `wrangler d1 migrations apply` for every D1 binding that has a migrations directory. */
export function migrationCommands(bindings, where) {
  return bindings
    .filter((b) => b.migrations)
    .map((b) => ["d1", "migrations", "apply", b.binding, ...target(where)]);
}

/** `wrangler d1 execute` of `sql` on `binding`, answering JSON. */
export function sqlCommand(binding, sql, where) {
  return ["d1", "execute", binding, ...target(where), "--json", "--command", sql];
}

/** The binding that holds organizations, projects and keys: `DB` when there is one, else the first. */
export function tenantBinding(bindings) {
  const binding = bindings.find((b) => b.binding === "DB") ?? bindings[0];
  if (!binding) throw new Error("wrangler.toml has no D1 binding");
  return binding.binding;
}

/** `npm run deploy -- [--local] [--url URL] [--port N] [--state-file FILE]`'s options. */
export function deployOptions(argv) {
  const options = { local: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    if (flag === "--local") options.local = true;
    else if (["--url", "--port", "--state-file"].includes(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`${flag} needs a value`);
      options[flag.slice(2) === "state-file" ? "stateFile" : flag.slice(2)] = value;
    } else throw new Error(`unknown option ${argv[i]}\n\nusage: npm run deploy -- ${USAGE}`);
  }
  if (options.url) options.url = new URL(options.url).origin;
  if (options.port !== undefined && !/^\d+$/.test(options.port)) throw new Error("--port must be a number");
  return options;
}

export const USAGE = "[--local] [--url PUBLIC_URL] [--port N (with --local)] [--state-file FILE]";

/** `wrangler deploy` (with --local, scripts/local-server.mjs's `wrangler dev` stands in for it). */
export function deployCommand() {
  return ["deploy"];
}

/**
 * The Worker's public URL in `wrangler deploy`'s output: the first workers.dev address among the
 * targets it lists under "Deployed <name> triggers" (preview URLs printed before are skipped), else the
 * first https address there. Null when it lists none (workers.dev off, only custom domains or routes,
 * which it prints without a scheme): then --url must say it.
 */
export function deployedUrl(output) {
  const start = output.search(/^Deployed \S+ triggers/m);
  if (start < 0) return null;
  const urls = [
    ...output.slice(start).matchAll(/https:\/\/[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d+)?(?![\w.-])/g),
  ].map((m) => m[0]);
  const url = urls.find((u) => new URL(u).hostname.endsWith(".workers.dev")) ?? urls[0];
  return url ? new URL(url).origin : null;
}

/** The DSN of a project key: `<scheme>://<public key>@<host>/<project id>`. */
export function dsnOf(url, publicKey, projectId) {
  const base = new URL(url);
  return `${base.protocol}//${publicKey}@${base.host}/${projectId}`;
}
