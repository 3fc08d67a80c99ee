// The wrangler commands `npm run deploy` runs against an account (scripts/deploy-plan.mjs): what is
// created, migrated and deployed, built from wrangler.toml as wrangler itself reads it.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
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
} from "../../scripts/deploy-plan.mjs";
import { ROOT } from "../../scripts/local-server.mjs";

const shards = d1Bindings({
  d1_databases: [
    { binding: "CONTROL", database_name: "faultline-control", migrations_dir: "migrations/control" },
    { binding: "SHARD_0", database_name: "faultline-shard-0", migrations_dir: "migrations/shard" },
    { binding: "SHARD_1", database_name: "faultline-shard-1", migrations_dir: "migrations/shard" },
    { binding: "ARCHIVE", database_name: "faultline-archive" },
  ],
});

describe("deploy plan", () => {
  it("reads the D1 bindings of this repository's wrangler.toml, named without ids", () => {
    const config = unstable_readConfig({ config: join(ROOT, "wrangler.toml") });
    // The control plane (also the first event shard) and the second shard, both migrated.
    expect(d1Bindings(config)).toEqual([
      { binding: "DB", databaseName: "faultline", migrations: true },
      { binding: "SHARD_1", databaseName: "faultline-shard-1", migrations: true },
    ]);
    expect(migrationCommands(d1Bindings(config), { local: false })).toEqual([
      ["d1", "migrations", "apply", "DB", "--remote"],
      ["d1", "migrations", "apply", "SHARD_1", "--remote"],
    ]);
    // An id in wrangler.toml would bind every account to one database; wrangler finds it by name.
    expect(config.d1_databases.map((d: { database_id?: string }) => d.database_id)).toEqual([
      undefined,
      undefined,
    ]);
  });

  it("refuses a D1 binding without a database name (nothing to create or find it by)", () => {
    expect(() => d1Bindings({ d1_databases: [{ binding: "DB" }] })).toThrow(/DB has no database_name/);
  });

  it("creates only the databases the account lacks, each once", () => {
    const existing = databaseNames(
      JSON.stringify([
        { uuid: "a", name: "faultline-control" },
        { uuid: "b", name: "someone-else" },
      ]),
    );
    expect(provisionCommands(shards, existing)).toEqual([
      ["d1", "create", "faultline-shard-0"],
      ["d1", "create", "faultline-shard-1"],
      ["d1", "create", "faultline-archive"],
    ]);
    const all = new Set(["faultline-control", "faultline-shard-0", "faultline-shard-1", "faultline-archive"]);
    expect(provisionCommands(shards, all)).toEqual([]);
    const twice = d1Bindings({
      d1_databases: [
        { binding: "A", database_name: "same" },
        { binding: "B", database_name: "same" },
      ],
    });
    expect(provisionCommands(twice, new Set())).toEqual([["d1", "create", "same"]]);
  });

  it("reads wrangler d1 list --json even after a banner", () => {
    const names = databaseNames(' ⛅️ wrangler\n[{"uuid":"x","name":"faultline"}]');
    expect([...names]).toEqual(["faultline"]);
    expect(() => databaseNames('{"error": 1}')).toThrow();
  });

  it("applies migrations to every D1 binding that has them, remote or local", () => {
    expect(migrationCommands(shards, { local: false })).toEqual([
      ["d1", "migrations", "apply", "CONTROL", "--remote"],
      ["d1", "migrations", "apply", "SHARD_0", "--remote"],
      ["d1", "migrations", "apply", "SHARD_1", "--remote"],
    ]);
    expect(migrationCommands(shards.slice(0, 1), { local: true, persistTo: "state dir" })).toEqual([
      ["d1", "migrations", "apply", "CONTROL", "--local", "--persist-to", "state dir"],
    ]);
  });

  it("runs the tenant's SQL on DB when there is one, else on the first binding", () => {
    expect(tenantBinding(shards)).toBe("CONTROL");
    expect(tenantBinding([...shards, { binding: "DB", databaseName: "x", migrations: true }])).toBe("DB");
    expect(() => tenantBinding([])).toThrow(/no D1 binding/);
    expect(sqlCommand("CONTROL", "SELECT 1; SELECT 'a b'", { local: false })).toEqual([
      "d1",
      "execute",
      "CONTROL",
      "--remote",
      "--json",
      "--command",
      "SELECT 1; SELECT 'a b'",
    ]);
    expect(deployCommand()).toEqual(["deploy"]);
  });

  it("takes the workers.dev URL wrangler deploy lists, not a preview URL printed before it", () => {
    const output = [
      "Total Upload: 2395.77 KiB / gzip: 530.08 KiB",
      "Version Preview URL: https://0f3a9c1e-faultline.acme.workers.dev",
      "Uploaded faultline (4.10 sec)",
      "Deployed faultline triggers (1.02 sec)",
      "  https://faultline.acme.workers.dev",
      "  schedule: 17 3 * * *",
      "  Consumer for faultline-alerts",
      "Current Version ID: 1b2c",
    ].join("\n");
    expect(deployedUrl(output)).toBe("https://faultline.acme.workers.dev");
    expect(
      deployedUrl("Deployed faultline triggers (1 sec)\n  errors.acme.test (custom domain)\n"),
    ).toBeNull();
    expect(deployedUrl("Uploaded faultline\nNo deploy targets for faultline")).toBeNull();
  });

  it("parses its options and refuses unknown ones", () => {
    expect(deployOptions([])).toEqual({ local: false });
    expect(deployOptions(["--local", "--port", "9000", "--url=https://errors.acme.test/x"])).toEqual({
      local: true,
      port: "9000",
      url: "https://errors.acme.test",
    });
    expect(deployOptions(["--state-file", "t.json"])).toEqual({ local: false, stateFile: "t.json" });
    expect(() => deployOptions(["--remote"])).toThrow(/unknown option --remote/);
    expect(() => deployOptions(["--url"])).toThrow(/--url needs a value/);
    expect(() => deployOptions(["--port", "x"])).toThrow(/--port must be a number/);
  });

  it("prints the DSN Sentry SDKs parse", () => {
    expect(dsnOf("https://faultline.acme.workers.dev", "abc", 1)).toBe(
      "https://abc@faultline.acme.workers.dev/1",
    );
    expect(dsnOf("http://127.0.0.1:8787", "abc", 7)).toBe("http://abc@127.0.0.1:8787/7");
  });
});
