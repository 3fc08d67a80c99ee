// The default tenant of a local Faultline: organization `faultline`, team and project `default`, the
// owner user, a DSN key and an API token with every scope. One flow for both ways local state is
// reached: `npm start` runs it through `wrangler d1 execute` (synchronous, one process per step), the
// test sink (testing/) through Miniflare's D1 binding (asynchronous). The flow is a generator that
// yields the SQL statements of each step and receives the rows of the step's last statement, so both
// drivers run exactly the same statements in the same order.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { generatePassword, hashPassword } from "./password.mjs";

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

const q = (value) => (value === null ? "NULL" : `'${String(value).replaceAll("'", "''")}'`);
export const sha256Hex = (value) => createHash("sha256").update(value).digest("hex");

/**
 * The steps (see the header). `storedToken` is the plain token kept from an earlier start, reused when
 * D1 still knows it; `withPassword` gives the owner a web UI password when it has none (returned once).
 */
export function* defaultTenantSteps({ storedToken, withPassword }) {
  const now = Math.floor(Date.now() / 1000);
  const d = DEFAULTS;
  const [row] = yield [
    `INSERT INTO organizations (slug, name, created_at) VALUES (${q(d.orgSlug)}, ${q(d.orgName)}, ${now}) ON CONFLICT (slug) DO NOTHING`,
    `INSERT INTO teams (organization_id, slug, name, created_at) SELECT id, ${q(d.teamSlug)}, 'Default', ${now} FROM organizations WHERE slug = ${q(d.orgSlug)} ON CONFLICT DO NOTHING`,
    `INSERT INTO projects (organization_id, team_id, slug, name, created_at) SELECT o.id, t.id, ${q(d.projectSlug)}, ${q(d.projectName)}, ${now} FROM organizations o JOIN teams t ON t.organization_id = o.id AND t.slug = ${q(d.teamSlug)} WHERE o.slug = ${q(d.orgSlug)} ON CONFLICT DO NOTHING`,
    `INSERT INTO users (email, name, created_at) VALUES (${q(d.userEmail)}, 'Owner', ${now}) ON CONFLICT (email) DO NOTHING`,
    `INSERT INTO memberships (organization_id, user_id, role, created_at) SELECT o.id, u.id, 'owner', ${now} FROM organizations o, users u WHERE o.slug = ${q(d.orgSlug)} AND u.email = ${q(d.userEmail)} ON CONFLICT DO NOTHING`,
    `INSERT INTO project_keys (project_id, public_key, secret_key, label, created_at) SELECT p.id, ${q(randomBytes(16).toString("hex"))}, ${q(randomBytes(16).toString("hex"))}, 'Default', ${now} FROM projects p JOIN organizations o ON o.id = p.organization_id WHERE o.slug = ${q(d.orgSlug)} AND p.slug = ${q(d.projectSlug)} AND NOT EXISTS (SELECT 1 FROM project_keys k WHERE k.project_id = p.id)`,
    `SELECT p.id AS project_id, k.public_key, o.id AS org_id, u.id AS user_id, u.password_hash IS NULL AS no_password FROM projects p
     JOIN organizations o ON o.id = p.organization_id JOIN project_keys k ON k.project_id = p.id
     JOIN users u ON u.email = ${q(d.userEmail)}
     WHERE o.slug = ${q(d.orgSlug)} AND p.slug = ${q(d.projectSlug)} ORDER BY k.id LIMIT 1`,
  ];
  if (!row) throw new Error("default project was not created");
  // The first user's web UI password: generated once, printed by `npm start`, stored only as a PBKDF2 hash.
  let password;
  if (withPassword && row.no_password) {
    password = generatePassword();
    yield [`UPDATE users SET password_hash = ${q(hashPassword(password))} WHERE id = ${row.user_id}`];
  }
  let token = storedToken;
  const known = token ? yield [`SELECT id FROM api_tokens WHERE token_hash = ${q(sha256Hex(token))}`] : [];
  const tokenCreated = !token || known.length === 0;
  if (tokenCreated) {
    token = `sntryu_${randomBytes(32).toString("hex")}`;
    yield [
      `INSERT INTO api_tokens (token_hash, token_last_characters, name, user_id, scopes, created_at)
       VALUES (${q(sha256Hex(token))}, ${q(token.slice(-4))}, 'Local default', ${row.user_id}, ${q(ALL_SCOPES.join(" "))}, ${now})`,
    ];
  }
  return {
    orgSlug: d.orgSlug,
    projectSlug: d.projectSlug,
    projectId: Number(row.project_id),
    publicKey: row.public_key,
    token,
    tokenCreated,
    userEmail: d.userEmail,
    ...(password ? { password } : {}),
  };
}

/** Runs the steps with a synchronous `run(statements) → rows of the last statement`. */
export function runStepsSync(steps, run) {
  let next = steps.next();
  while (!next.done) next = steps.next(run(next.value));
  return next.value;
}

/** Runs the steps with an asynchronous `run(statements) → rows of the last statement`. */
export async function runSteps(steps, run) {
  let next = steps.next();
  while (!next.done) next = steps.next(await run(next.value));
  return next.value;
}

/** The plain default token kept in `stateFile` (local development only; D1 stores only its hash). */
export function readStoredToken(stateFile) {
  return existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, "utf8")).token : undefined;
}

export function storeToken(stateFile, token) {
  mkdirSync(dirname(stateFile), { recursive: true });
  writeFileSync(stateFile, `${JSON.stringify({ token }, null, 2)}\n`, { mode: 0o600 });
}
