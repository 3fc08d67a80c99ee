import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { shardDb, shardNames } from "../../src/db/shards.ts";

// Every migration to every D1 binding: the control plane `DB` and each event shard (docs/scaling.md).
for (const name of shardNames(env)) await applyD1Migrations(shardDb(env, name), env.TEST_MIGRATIONS);
