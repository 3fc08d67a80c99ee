// `npm run faultline -- <command>`: administration for self-hosters, straight on the D1 database.
// Local state by default (the `.wrangler/state` that `npm start` uses, or `--persist-to DIR`); with
// `--remote` the same SQL goes through `wrangler d1 execute DB --remote`. Tokens are printed once; D1
// keeps only their SHA-256.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ALL_SCOPES, applyMigrations, ROOT, sha256Hex, sqlLocal } from "./local-server.mjs";
import { generatePassword, hashPassword } from "./password.mjs";
import { receipt } from "./receipt.mjs";
import { tail } from "./tail.mjs";

const USAGE = `usage: npm run faultline -- <command> [options]

commands:
  org create <slug> [--name NAME]
  user create <email> [--name NAME] [--org SLUG --role owner|admin|member]
  user password <email> [--keep-tokens]
                          (new web UI password, printed once; signs the user's sessions out and
                          revokes their personal API tokens unless --keep-tokens)
  token create --user EMAIL [--scopes "org:read project:read ..."] [--name NAME]
  token create --org SLUG [--scopes "org:ci ..."] [--name NAME] [--url PUBLIC_URL]
  project create <org> <slug> [--name NAME] [--team SLUG] [--platform PLATFORM]
  key list <org> <project> [--url PUBLIC_URL]
  tail [--org SLUG] [--project SLUG] [--url URL] [--token TOKEN] [--count N] [--json]
                          (what the project receives, live: accepted items and dropped ones with
                          their reason)
  receipt <event_id> [--org SLUG] [--project SLUG] [--url URL] [--token TOKEN]
                          (what became of an event: stored, on its way, dropped and why, or never
                          seen; asks the running server, http://127.0.0.1:$PORT by default)

options:
  --persist-to DIR   local state directory (default .wrangler/state, as npm start)
  --remote           run against the deployed D1 database (wrangler d1 execute --remote)
  --url URL          the server's public root URL, for DSNs and organization tokens
                     (default http://127.0.0.1:$PORT locally; required with --remote)`;

const SLUG = /^(?!\d+$)[a-z0-9_-]{1,50}$/;
const ROLES = ["owner", "admin", "member"];

/** Splits argv into positionals and `--flag value` / `--flag` options. */
export function parseArgs(argv) {
  const positionals = [];
  const options = {};
  const booleans = new Set(["remote", "help", "keep-tokens", "json"]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith("--")) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s);
      if (booleans.has(name)) options[name] = true;
      else if (inline !== undefined) options[name] = inline;
      else if (i + 1 < argv.length) options[name] = argv[++i];
      else throw new Error(`--${name} needs a value`);
    } else positionals.push(arg);
  }
  return { positionals, options };
}

export const q = (value) =>
  value === null || value === undefined ? "NULL" : `'${String(value).replaceAll("'", "''")}'`;

/** `sntrys_` + base64(JSON {iat, url, region_url, org}) + `_` + base64 secret: what sentry-cli parses. */
export function mintOrgToken(url, org, iat = Date.now() / 1000) {
  const root = new URL(url).origin;
  const payload = Buffer.from(JSON.stringify({ iat, url: root, region_url: root, org })).toString("base64");
  return `sntrys_${payload}_${randomBytes(32).toString("base64").replace(/=+$/, "")}`;
}

export const mintUserToken = () => `sntryu_${randomBytes(32).toString("hex")}`;

function sqlRemote(command, binding = "DB") {
  const result = spawnSync(
    join(ROOT, "node_modules", ".bin", "wrangler"),
    ["d1", "execute", binding, "--remote", "--json", "--command", command],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" } },
  );
  if (result.status !== 0)
    throw new Error(`wrangler d1 execute --remote failed:\n${result.stdout}\n${result.stderr}`);
  const parsed = JSON.parse(result.stdout.slice(result.stdout.indexOf("[")));
  return parsed[parsed.length - 1]?.results ?? [];
}

function database(options) {
  if (options.remote) return { sql: sqlRemote, remote: true };
  const persistTo = options["persist-to"] ?? join(ROOT, ".wrangler", "state");
  applyMigrations(persistTo);
  return { sql: (command, binding) => sqlLocal(persistTo, command, binding), remote: false };
}

function publicUrl(options, db) {
  if (options.url) return new URL(options.url).origin;
  if (db.remote) throw new Error("--url is required with --remote (the server's public root URL)");
  return `http://127.0.0.1:${process.env.PORT ?? 8787}`;
}

const now = () => Math.floor(Date.now() / 1000);

function need(value, what) {
  if (!value) throw new Error(`missing ${what}\n\n${USAGE}`);
  return value;
}

function orgBySlug(db, slug) {
  const [org] = db.sql(`SELECT id, slug, name, shard FROM organizations WHERE slug = ${q(slug)}`);
  if (!org) throw new Error(`no organization ${slug}`);
  return org;
}

/**
 * The shards a new organization may go to: the EVENT_SHARDS var, from the environment or else from
 * wrangler.toml's [vars] (what the Worker reads); `DB` alone when neither names any.
 */
export function eventShards(environment = process.env, toml = readWranglerToml()) {
  const list = environment.EVENT_SHARDS ?? /^EVENT_SHARDS\s*=\s*"([^"]*)"/m.exec(toml)?.[1] ?? "";
  const names = [
    ...new Set(
      list
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  for (const name of names)
    if (name !== "DB" && !/^SHARD_[1-9][0-9]*$/.test(name))
      throw new Error(`EVENT_SHARDS names ${name}, which is not a shard binding (DB or SHARD_<n>)`);
  return names.length > 0 ? names : ["DB"];
}

function readWranglerToml() {
  try {
    return readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  } catch {
    return "";
  }
}

/**
 * The accepting shard holding the fewest organizations, the first listed on a tie: the rule
 * src/db/shards.ts (leastFullShard) applies to organizations the API creates.
 */
export function leastFullShard(accepting, counts) {
  let best = accepting[0];
  for (const name of accepting) if ((counts.get(name) ?? 0) < (counts.get(best) ?? 0)) best = name;
  return best;
}

export function createOrg(db, slug, options, accepting = eventShards()) {
  if (!SLUG.test(slug))
    throw new Error(`invalid slug ${slug}: lowercase letters, digits, - and _, not all digits`);
  const counts = new Map(
    db.sql("SELECT shard, COUNT(*) AS n FROM organizations GROUP BY shard").map((r) => [r.shard, r.n]),
  );
  const shard = leastFullShard(accepting, counts);
  const [row] = db.sql(
    `INSERT INTO organizations (slug, name, created_at, shard) VALUES (${q(slug)}, ${q(options.name ?? slug)}, ${now()}, ${q(shard)}) ON CONFLICT (slug) DO NOTHING RETURNING id`,
  );
  if (!row) throw new Error(`organization ${slug} already exists`);
  console.log(`organization ${slug} (id ${row.id}) created on event shard ${shard}`);
}

function createUser(db, email, options) {
  const address = email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(address)) throw new Error(`invalid email ${email}`);
  db.sql(
    `INSERT INTO users (email, name, created_at) VALUES (${q(address)}, ${q(options.name ?? address)}, ${now()}) ON CONFLICT (email) DO NOTHING`,
  );
  const [user] = db.sql(`SELECT id FROM users WHERE email = ${q(address)}`);
  console.log(`user ${address} (id ${user.id})`);
  if (options.org) {
    const role = options.role ?? "member";
    if (!ROLES.includes(role)) throw new Error(`invalid role ${role}: one of ${ROLES.join(", ")}`);
    const org = orgBySlug(db, options.org);
    db.sql(
      `INSERT INTO memberships (organization_id, user_id, role, created_at) VALUES (${org.id}, ${user.id}, ${q(role)}, ${now()})
       ON CONFLICT (organization_id, user_id) DO UPDATE SET role = excluded.role`,
    );
    console.log(`member of ${org.slug} as ${role}`);
  }
}

/**
 * Sets a generated web UI password (only its PBKDF2 hash is stored), ends the user's sessions and, unless
 * `keepTokens`, revokes their personal API tokens: a reset usually means the account was in the wrong
 * hands, and a token minted meanwhile would otherwise outlive it. Organization tokens the user created
 * belong to the organization and stay.
 */
export function resetPassword(db, email, { keepTokens = false } = {}) {
  const [user] = db.sql(
    `SELECT id, email, (SELECT COUNT(*) FROM api_tokens t WHERE t.user_id = users.id AND t.organization_id IS NULL) AS tokens
     FROM users WHERE email = ${q(email.trim())} COLLATE NOCASE`,
  );
  if (!user) throw new Error(`no user ${email}`);
  const password = generatePassword();
  db.sql(
    [
      `UPDATE users SET password_hash = ${q(hashPassword(password))} WHERE id = ${user.id}`,
      `DELETE FROM ui_sessions WHERE user_id = ${user.id}`,
      ...(keepTokens
        ? []
        : [`DELETE FROM api_tokens WHERE user_id = ${user.id} AND organization_id IS NULL`]),
    ].join("; "),
  );
  const count = user.tokens ?? 0;
  const tokenNote = keepTokens
    ? `their ${count} personal API token(s) were kept (--keep-tokens)`
    : `their ${count} personal API token(s) were revoked`;
  console.log(
    `FAULTLINE_USER=${user.email}\nFAULTLINE_PASSWORD=${password}\n(shown only now; the user's sessions were signed out and ${tokenNote})`,
  );
  return { password, revokedTokens: keepTokens ? 0 : count };
}

function scopesFrom(options, fallback) {
  const list = (options.scopes ?? fallback).split(/[\s,]+/).filter(Boolean);
  if (list.length === 0) throw new Error("--scopes must name at least one scope");
  return list;
}

function createToken(db, options) {
  if (Boolean(options.user) === Boolean(options.org))
    throw new Error(`token create needs --user or --org\n\n${USAGE}`);
  let token;
  let owner;
  let scopes;
  if (options.user) {
    const [user] = db.sql(`SELECT id FROM users WHERE email = ${q(options.user.trim().toLowerCase())}`);
    if (!user) throw new Error(`no user ${options.user}`);
    token = mintUserToken();
    scopes = scopesFrom(options, ALL_SCOPES.join(" "));
    owner = { column: "user_id", id: user.id };
  } else {
    const org = orgBySlug(db, options.org);
    token = mintOrgToken(publicUrl(options, db), org.slug);
    scopes = scopesFrom(options, "org:ci");
    owner = { column: "organization_id", id: org.id };
  }
  db.sql(
    `INSERT INTO api_tokens (token_hash, token_last_characters, name, ${owner.column}, scopes, created_at)
     VALUES (${q(sha256Hex(token))}, ${q(token.slice(-4))}, ${q(options.name ?? "Created by faultline CLI")}, ${owner.id}, ${q(scopes.join(" "))}, ${now()})`,
  );
  console.log(`scopes: ${scopes.join(" ")}\nthe token is shown only now:\n${token}`);
}

function dsnOf(url, key, projectId) {
  const base = new URL(url);
  return `${base.protocol}//${key}@${base.host}/${projectId}`;
}

/**
 * The rows a project on event shard `shard` needs there, as src/db/shards.ts (shardAnchorStatements)
 * writes them for the API: its organization and itself by id (foreign-key anchors, never read), and
 * the shard's issue-id floor (index × 2^40). None on `DB`.
 */
export function shardAnchorSql(shard, organizationId, projectId) {
  const index = /^SHARD_([1-9][0-9]*)$/.exec(shard)?.[1];
  if (shard === "DB" || index === undefined) return [];
  const floor = Number(index) * 2 ** 40;
  const org = Math.trunc(organizationId);
  const project = Math.trunc(projectId);
  return [
    `INSERT INTO organizations (id, slug, name, created_at) VALUES (${org}, '#${org}', '#${org}', 0) ON CONFLICT DO NOTHING`,
    `INSERT INTO projects (id, organization_id, slug, name, created_at) VALUES (${project}, ${org}, '#${project}', '#${project}', 0) ON CONFLICT DO NOTHING`,
    // The floor reaches SQLite's AUTOINCREMENT counter through an issue row at the floor, inserted and
    // deleted again, as the API does: no statement names sqlite_sequence, which D1 may refuse remotely.
    `INSERT INTO issues (id, project_id, primary_hash, type, title, culprit, level, platform, metadata, first_seen, last_seen, short_id)
     SELECT ${floor}, ${project}, '#floor', 'default', '', '', 'info', 'other', '{}', 0, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM issues WHERE id >= ${floor})`,
    `DELETE FROM issues WHERE id = ${floor} AND primary_hash = '#floor'`,
  ];
}

export function createProject(db, orgSlug, slug, options) {
  if (!SLUG.test(slug))
    throw new Error(`invalid slug ${slug}: lowercase letters, digits, - and _, not all digits`);
  const org = orgBySlug(db, orgSlug);
  let team = null;
  if (options.team) {
    [team] = db.sql(`SELECT id FROM teams WHERE organization_id = ${org.id} AND slug = ${q(options.team)}`);
    if (!team) throw new Error(`no team ${options.team} in ${org.slug}`);
  } else {
    [team] = db.sql(`SELECT id FROM teams WHERE organization_id = ${org.id} ORDER BY id LIMIT 1`);
  }
  const [project] = db.sql(
    `INSERT INTO projects (organization_id, team_id, slug, name, platform, created_at)
     VALUES (${org.id}, ${team?.id ?? "NULL"}, ${q(slug)}, ${q(options.name ?? slug)}, ${q(options.platform ?? null)}, ${now()})
     ON CONFLICT (organization_id, slug) DO NOTHING RETURNING id`,
  );
  if (!project) throw new Error(`project ${slug} already exists in ${org.slug}`);
  const anchors = shardAnchorSql(org.shard ?? "DB", org.id, project.id);
  if (anchors.length > 0) db.sql(anchors.join(";\n"), org.shard);
  const publicKey = randomBytes(16).toString("hex");
  db.sql(
    `INSERT INTO project_keys (project_id, public_key, secret_key, label, created_at)
     VALUES (${project.id}, ${q(publicKey)}, ${q(randomBytes(16).toString("hex"))}, 'Default', ${now()})`,
  );
  console.log(
    `project ${org.slug}/${slug} (id ${project.id}) created\nSENTRY_DSN=${dsnOf(publicUrl(options, db), publicKey, project.id)}`,
  );
}

function listKeys(db, orgSlug, projectSlug, options) {
  const org = orgBySlug(db, orgSlug);
  const [project] = db.sql(
    `SELECT id FROM projects WHERE organization_id = ${org.id} AND slug = ${q(projectSlug)}`,
  );
  if (!project) throw new Error(`no project ${projectSlug} in ${org.slug}`);
  const keys = db.sql(
    `SELECT public_key, label, is_active, rate_limit_count, rate_limit_window FROM project_keys WHERE project_id = ${project.id} ORDER BY id`,
  );
  const url = publicUrl(options, db);
  for (const k of keys) {
    const limit = k.rate_limit_count ? `${k.rate_limit_count}/${k.rate_limit_window ?? 60}s` : "no limit";
    console.log(
      `${k.label}\t${k.is_active ? "active" : "disabled"}\t${limit}\t${dsnOf(url, k.public_key, project.id)}`,
    );
  }
  if (keys.length === 0) console.log("no keys");
}

export function run(argv) {
  const { positionals, options } = parseArgs(argv);
  const [noun, verb, ...rest] = positionals;
  if (options.help || !noun) {
    console.log(USAGE);
    return;
  }
  if (noun === "receipt") return receipt(verb, options).then((text) => console.log(text));
  if (noun === "tail") return tail(options);
  const command = `${noun} ${verb ?? ""}`.trim();
  const known = ["org create", "user create", "user password", "token create", "project create", "key list"];
  if (!known.includes(command)) throw new Error(`unknown command: ${command}\n\n${USAGE}`);
  const db = database(options);
  if (command === "org create") createOrg(db, need(rest[0], "<slug>"), options);
  else if (command === "user create") createUser(db, need(rest[0], "<email>"), options);
  else if (command === "user password")
    resetPassword(db, need(rest[0], "<email>"), { keepTokens: options["keep-tokens"] === true });
  else if (command === "token create") createToken(db, options);
  else if (command === "project create")
    createProject(db, need(rest[0], "<org>"), need(rest[1], "<slug>"), options);
  else listKeys(db, need(rest[0], "<org>"), need(rest[1], "<project>"), options);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await run(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
