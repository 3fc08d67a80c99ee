// Local Faultline server helpers shared by `npm start`, the end-to-end tests and the benchmark:
// apply D1 migrations to a local state directory, create (idempotently) the default organization,
// team, project, DSN key and API token, and run `wrangler dev` on a port.
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generatePassword, hashPassword } from "./password.mjs";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");

/** Every scope Sentry defines; the local default token gets them all. */
export const ALL_SCOPES = [
  "org:read",
  "org:write",
  "org:admin",
  "org:integrations",
  "team:read",
  "team:write",
  "team:admin",
  "project:read",
  "project:write",
  "project:admin",
  "project:releases",
  "member:read",
  "member:write",
  "member:admin",
  "event:read",
  "event:write",
  "event:admin",
];

export const DEFAULTS = {
  orgSlug: "faultline",
  orgName: "Faultline",
  teamSlug: "default",
  projectSlug: "default",
  projectName: "Default",
  userEmail: "owner@faultline.local",
};

function wrangler(args, { persistTo, quiet = true } = {}) {
  const full = [...args, ...(persistTo ? ["--persist-to", persistTo] : [])];
  const result = spawnSync(WRANGLER, full, {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new Error(
      `wrangler ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  if (!quiet) process.stdout.write(result.stdout);
  return result.stdout;
}

export function applyMigrations(persistTo) {
  wrangler(["d1", "migrations", "apply", "DB", "--local"], { persistTo });
}

/** Runs SQL against the local D1 and returns the rows of the last statement. */
export function sqlLocal(persistTo, command) {
  const out = wrangler(["d1", "execute", "DB", "--local", "--json", "--command", command], { persistTo });
  const start = out.indexOf("[");
  const parsed = JSON.parse(out.slice(start));
  return parsed[parsed.length - 1]?.results ?? [];
}

const q = (value) => (value === null ? "NULL" : `'${String(value).replaceAll("'", "''")}'`);
export const sha256Hex = (value) => createHash("sha256").update(value).digest("hex");

/**
 * Creates the default tenant if it is missing and returns its identifiers. The plain API token is kept in
 * `stateFile` (local development only) so every start can print it again; D1 stores only its hash.
 */
export function ensureDefaults(persistTo, stateFile) {
  const now = Math.floor(Date.now() / 1000);
  const d = DEFAULTS;
  sqlLocal(
    persistTo,
    [
      `INSERT INTO organizations (slug, name, created_at) VALUES (${q(d.orgSlug)}, ${q(d.orgName)}, ${now}) ON CONFLICT (slug) DO NOTHING`,
      `INSERT INTO teams (organization_id, slug, name, created_at) SELECT id, ${q(d.teamSlug)}, 'Default', ${now} FROM organizations WHERE slug = ${q(d.orgSlug)} ON CONFLICT DO NOTHING`,
      `INSERT INTO projects (organization_id, team_id, slug, name, created_at) SELECT o.id, t.id, ${q(d.projectSlug)}, ${q(d.projectName)}, ${now} FROM organizations o JOIN teams t ON t.organization_id = o.id AND t.slug = ${q(d.teamSlug)} WHERE o.slug = ${q(d.orgSlug)} ON CONFLICT DO NOTHING`,
      `INSERT INTO users (email, name, created_at) VALUES (${q(d.userEmail)}, 'Owner', ${now}) ON CONFLICT (email) DO NOTHING`,
      `INSERT INTO memberships (organization_id, user_id, role, created_at) SELECT o.id, u.id, 'owner', ${now} FROM organizations o, users u WHERE o.slug = ${q(d.orgSlug)} AND u.email = ${q(d.userEmail)} ON CONFLICT DO NOTHING`,
      `INSERT INTO project_keys (project_id, public_key, secret_key, label, created_at) SELECT p.id, ${q(randomBytes(16).toString("hex"))}, ${q(randomBytes(16).toString("hex"))}, 'Default', ${now} FROM projects p JOIN organizations o ON o.id = p.organization_id WHERE o.slug = ${q(d.orgSlug)} AND p.slug = ${q(d.projectSlug)} AND NOT EXISTS (SELECT 1 FROM project_keys k WHERE k.project_id = p.id)`,
    ].join(";\n"),
  );
  const [row] = sqlLocal(
    persistTo,
    `SELECT p.id AS project_id, k.public_key, o.id AS org_id, u.id AS user_id, u.password_hash IS NULL AS no_password FROM projects p
     JOIN organizations o ON o.id = p.organization_id JOIN project_keys k ON k.project_id = p.id
     JOIN users u ON u.email = ${q(d.userEmail)}
     WHERE o.slug = ${q(d.orgSlug)} AND p.slug = ${q(d.projectSlug)} ORDER BY k.id LIMIT 1`,
  );
  if (!row) throw new Error("default project was not created");
  // The first user's web UI password: generated once, printed by `npm start`, stored only as a PBKDF2 hash.
  let password;
  if (row.no_password) {
    password = generatePassword();
    sqlLocal(
      persistTo,
      `UPDATE users SET password_hash = ${q(hashPassword(password))} WHERE id = ${row.user_id}`,
    );
  }

  let token = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, "utf8")).token : undefined;
  const known = token
    ? sqlLocal(persistTo, `SELECT id FROM api_tokens WHERE token_hash = ${q(sha256Hex(token))}`)
    : [];
  if (!token || known.length === 0) {
    token = `sntryu_${randomBytes(32).toString("hex")}`;
    sqlLocal(
      persistTo,
      `INSERT INTO api_tokens (token_hash, token_last_characters, name, user_id, scopes, created_at)
       VALUES (${q(sha256Hex(token))}, ${q(token.slice(-4))}, 'Local default', ${row.user_id}, ${q(ALL_SCOPES.join(" "))}, ${now})`,
    );
    mkdirSync(dirname(stateFile), { recursive: true });
    writeFileSync(stateFile, `${JSON.stringify({ token }, null, 2)}\n`, { mode: 0o600 });
  }
  return {
    orgSlug: d.orgSlug,
    projectSlug: d.projectSlug,
    projectId: row.project_id,
    publicKey: row.public_key,
    token,
    userEmail: d.userEmail,
    ...(password ? { password } : {}),
  };
}

export function dsnFor(defaults, port, host = "127.0.0.1") {
  return `http://${defaults.publicKey}@${host}:${port}/${defaults.projectId}`;
}

/** Whether nothing listens on `port` of the loopback address (binding it for a moment tells). */
function portIsFree(port) {
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once("error", () => resolvePort(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolvePort(true)));
  });
}

/**
 * `preferred` when it is free, else a port the OS picks. A second `npm start`, a debugger or another
 * wrangler often holds the inspector's usual 9229, and wrangler then exits instead of starting.
 */
export async function freePort(preferred) {
  if (preferred > 0 && (await portIsFree(preferred))) return preferred;
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address
          ? resolvePort(address.port)
          : reject(new Error("no free port")),
      );
    });
  });
}

/** Starts `wrangler dev` and resolves once it answers HTTP. */
export async function startDev({
  port,
  persistTo,
  inspectorPort = 0,
  config = "wrangler.toml",
  log = "pipe",
}) {
  const args = [
    "dev",
    "--config",
    config,
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--inspector-port",
    String(inspectorPort),
  ];
  if (persistTo) args.push("--persist-to", persistTo);
  const child = spawn(WRANGLER, args, {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", CI: "true" },
    stdio: log === "inherit" ? "inherit" : ["ignore", "pipe", "pipe"],
    detached: false,
  });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/_health`);
      await res.arrayBuffer();
      return { child, output: () => output };
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  child.kill("SIGTERM");
  throw new Error(`wrangler dev did not start on port ${port}:\n${output}`);
}

export function stopDev(server) {
  if (server?.child && server.child.exitCode === null) server.child.kill("SIGTERM");
}
