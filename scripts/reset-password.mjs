// Sets a new web UI password for a user and signs out their sessions: a fresh generated password is
// printed once and only its PBKDF2 hash is stored. Local state by default; `--remote` for the deployed D1.
//   node scripts/reset-password.mjs <email> [--remote] [--persist-to <dir>]
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT, sqlLocal } from "./local-server.mjs";
import { generatePassword, hashPassword } from "./password.mjs";

const q = (value) => `'${String(value).replaceAll("'", "''")}'`;

function sqlRemote(command) {
  const result = spawnSync(
    join(ROOT, "node_modules", ".bin", "wrangler"),
    ["d1", "execute", "DB", "--remote", "--json", "--command", command],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" } },
  );
  if (result.status !== 0) throw new Error(`wrangler d1 execute failed:\n${result.stdout}\n${result.stderr}`);
  const parsed = JSON.parse(result.stdout.slice(result.stdout.indexOf("[")));
  return parsed[parsed.length - 1]?.results ?? [];
}

/** Resets the password of `email`; returns the new plain password, or null when no such user exists. */
export function resetPassword(email, { remote = false, persistTo = join(ROOT, ".wrangler", "state") } = {}) {
  const run = (sql) => (remote ? sqlRemote(sql) : sqlLocal(persistTo, sql));
  const [user] = run(`SELECT id FROM users WHERE email = ${q(email)} COLLATE NOCASE`);
  if (!user) return null;
  const password = generatePassword();
  run(
    `UPDATE users SET password_hash = ${q(hashPassword(password))} WHERE id = ${Number(user.id)}; DELETE FROM ui_sessions WHERE user_id = ${Number(user.id)}`,
  );
  return password;
}

/** CLI entry, also used by `npm run faultline -- user password <email>`. */
export function main(args) {
  const email = args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--persist-to");
  const at = args.indexOf("--persist-to");
  if (!email) {
    console.error("usage: user password <email> [--remote] [--persist-to <dir>]");
    return 2;
  }
  const password = resetPassword(email, {
    remote: args.includes("--remote"),
    ...(at >= 0 && args[at + 1] ? { persistTo: args[at + 1] } : {}),
  });
  if (password === null) {
    console.error(`no user with email ${email}`);
    return 1;
  }
  console.log(
    `FAULTLINE_USER=${email}\nFAULTLINE_PASSWORD=${password}\n(shown only now; the user's sessions were signed out)`,
  );
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href)
  process.exitCode = main(process.argv.slice(2));
