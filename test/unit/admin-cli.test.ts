// The admin CLI (scripts/faultline.mjs) run for real against a throw-away local D1 state directory.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "faultline-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run faultline -- user password", () => {
  it("revokes the user's personal API tokens and sessions, or keeps the tokens with --keep-tokens", async () => {
    const cli = await import("../../scripts/faultline.mjs");
    const { applyMigrations, sqlLocal } = await import("../../scripts/local-server.mjs");
    applyMigrations(dir);
    const token = (user: string, hash: string) =>
      `INSERT INTO api_tokens (token_hash, token_last_characters, name, user_id, scopes, created_at) SELECT '${hash}', 'abcd', 't', id, 'org:read', 0 FROM users WHERE email = '${user}'`;
    sqlLocal(
      dir,
      [
        "INSERT INTO users (email, name, created_at) VALUES ('reset@example.test', 'R', 0), ('bystander@example.test', 'B', 0)",
        token("reset@example.test", "a".repeat(64)),
        token("reset@example.test", "b".repeat(64)),
        token("bystander@example.test", "c".repeat(64)),
        "INSERT INTO ui_sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at) SELECT 'd', id, 'x', 0, 1e10, 0 FROM users WHERE email = 'reset@example.test'",
      ].join("; "),
    );
    const counts = () =>
      sqlLocal(
        dir,
        `SELECT (SELECT COUNT(*) FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = 'reset@example.test') AS reset,
                (SELECT COUNT(*) FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = 'bystander@example.test') AS bystander,
                (SELECT COUNT(*) FROM ui_sessions) AS sessions`,
      )[0];

    const db = { sql: (command: string) => sqlLocal(dir, command) as Record<string, unknown>[] };
    const lines: string[] = [];
    const print = console.log;
    console.log = (line: string) => lines.push(line);
    try {
      const kept = cli.resetPassword(db, "reset@example.test", { keepTokens: true });
      expect(kept.revokedTokens).toBe(0);
      expect(lines.join("\n")).toContain("2 personal API token(s) were kept (--keep-tokens)");
      expect(counts()).toEqual({ reset: 2, bystander: 1, sessions: 0 });

      const reset = cli.resetPassword(db, "RESET@example.test");
      expect(reset.password).toMatch(/^[A-Za-z0-9]{20}$/);
      expect(reset.revokedTokens).toBe(2);
      expect(lines.join("\n")).toContain("2 personal API token(s) were revoked");
    } finally {
      console.log = print;
    }
    expect(counts()).toEqual({ reset: 0, bystander: 1, sessions: 0 });
  }, 120_000);
});

describe("npm run faultline -- project create", () => {
  it("anchors a project of an organization on the second shard there, with that shard's issue-id floor", async () => {
    const cli = await import("../../scripts/faultline.mjs");
    const { applyMigrations, sqlLocal } = await import("../../scripts/local-server.mjs");
    applyMigrations(dir);
    sqlLocal(
      dir,
      "INSERT INTO organizations (slug, name, created_at, shard) VALUES ('sharded', 'S', 0, 'SHARD_1')",
    );
    const db = {
      sql: (command: string, binding?: string) =>
        sqlLocal(dir, command, binding) as Record<string, unknown>[],
    };
    const print = console.log;
    console.log = () => {};
    try {
      cli.createProject(db, "sharded", "app", {});
    } finally {
      console.log = print;
    }
    const [project] = sqlLocal(dir, "SELECT p.id, p.organization_id FROM projects p WHERE p.slug = 'app'");
    const anchored = sqlLocal(dir, "SELECT id, organization_id FROM projects", "SHARD_1");
    expect(anchored).toEqual([project]);
    const floor = sqlLocal(dir, "SELECT seq FROM sqlite_sequence WHERE name = 'issues'", "SHARD_1");
    expect(floor).toEqual([{ seq: 2 ** 40 }]);
    // The row that set the floor is gone again.
    expect(sqlLocal(dir, "SELECT COUNT(*) AS n FROM issues", "SHARD_1")).toEqual([{ n: 0 }]);
    // On DB nothing more is written: the control plane is the first shard.
    expect(cli.shardAnchorSql("DB", 1, 2)).toEqual([]);
  });
});

describe("npm run faultline -- org create", () => {
  it("places each new organization on the accepting shard holding the fewest, as the API does", async () => {
    const cli = await import("../../scripts/faultline.mjs");
    const { applyMigrations, sqlLocal } = await import("../../scripts/local-server.mjs");
    const own = mkdtempSync(join(tmpdir(), "faultline-cli-orgs-"));
    try {
      applyMigrations(own);
      const db = {
        sql: (command: string, binding?: string) =>
          sqlLocal(own, command, binding) as Record<string, unknown>[],
      };
      const lines: string[] = [];
      const print = console.log;
      console.log = (line: string) => lines.push(line);
      try {
        for (const slug of ["first", "second", "third"]) cli.createOrg(db, slug, {}, ["DB", "SHARD_1"]);
        cli.createProject(db, "second", "app", {});
      } finally {
        console.log = print;
      }
      expect(sqlLocal(own, "SELECT slug, shard FROM organizations ORDER BY id")).toEqual([
        { slug: "first", shard: "DB" },
        { slug: "second", shard: "SHARD_1" },
        { slug: "third", shard: "DB" },
      ]);
      expect(lines[1]).toContain("created on event shard SHARD_1");
      // The project of the organization on SHARD_1 is anchored there.
      const anchored = sqlLocal(own, "SELECT COUNT(*) AS n FROM projects", "SHARD_1");
      expect(anchored).toEqual([{ n: 1 }]);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  }, 120_000);

  it("reads the accepting shards from EVENT_SHARDS, else wrangler.toml's [vars], else DB alone", async () => {
    const cli = await import("../../scripts/faultline.mjs");
    const toml = '[vars]\nEVENT_SHARDS = "DB, SHARD_1,SHARD_1"\n';
    expect(cli.eventShards({}, toml)).toEqual(["DB", "SHARD_1"]);
    expect(cli.eventShards({ EVENT_SHARDS: "SHARD_2" }, toml)).toEqual(["SHARD_2"]);
    expect(cli.eventShards({}, "")).toEqual(["DB"]);
    expect(cli.eventShards({})).toEqual(["DB", "SHARD_1"]);
    expect(() => cli.eventShards({ EVENT_SHARDS: "EVENTS" }, "")).toThrow(/not a shard binding/);
    expect(cli.leastFullShard(["DB", "SHARD_1"], new Map([["DB", 2]]))).toBe("SHARD_1");
    expect(cli.leastFullShard(["DB", "SHARD_1"], new Map())).toBe("DB");
  });
});
