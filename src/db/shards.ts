// Event shards (docs/scaling.md): each organization's events, issues, spans, logs, sessions and outcomes
// live in one D1 database, its shard, named by the binding recorded in `organizations.shard` of the
// control plane (`DB`). `DB` is both the control plane and the first shard, so a deployment made before
// shards existed keeps every organization where its data is. Every query of a shard table names its
// database through shardDb(); nothing else maps a shard name to a binding.
import { first } from "./sql.ts";
import { deleteProject } from "./tenant-projects.ts";

/** The control plane's binding, which is also the first shard. */
export const CONTROL_SHARD = "DB";

/** `DB` or `SHARD_<n>` (n ≥ 1): the names a shard binding may have, which also give its index. */
const SHARD_NAME = /^(DB|SHARD_([1-9][0-9]{0,3}))$/;

/** Issue ids of shard n start above n × 2^40, so an id names one issue across every shard. */
export const ISSUE_ID_SPAN = 2 ** 40;

/** The bindings a shard name may resolve among: the Worker's env (or any record of bindings). */
export type ShardBindings = object;

/** Raised for a shard name that is not a D1 binding of this Worker: a config or data error, never a 4xx. */
export class UnknownShardError extends Error {
  constructor(name: string) {
    super(`unknown event shard "${name}": no D1 binding of that name (wrangler.toml [[d1_databases]])`);
    this.name = "UnknownShardError";
  }
}

/** The shard's index: 0 for `DB`, n for `SHARD_<n>`; null for a name that cannot be a shard. */
export function shardIndex(name: string): number | null {
  const match = SHARD_NAME.exec(name);
  if (!match) return null;
  return match[2] === undefined ? 0 : Number(match[2]);
}

function isD1(value: unknown): value is D1Database {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { prepare?: unknown }).prepare === "function" &&
    typeof (value as { batch?: unknown }).batch === "function"
  );
}

/** The D1 database of shard `name`; throws UnknownShardError when no such binding exists. */
export function shardDb(env: ShardBindings, name: string): D1Database {
  const binding = shardIndex(name) === null ? undefined : (env as Record<string, unknown>)[name];
  if (!isD1(binding)) throw new UnknownShardError(name);
  return binding;
}

/** The D1 database of shard `name`, or null when this Worker has no such shard (an id of no shard). */
export function knownShard(env: ShardBindings, name: string): D1Database | null {
  try {
    return shardDb(env, name);
  } catch (error) {
    if (error instanceof UnknownShardError) return null;
    throw error;
  }
}

/** Every shard binding of `env`, `DB` first then by index (what migrations and fault seams cover). */
export function shardNames(env: ShardBindings): string[] {
  return Object.entries(env)
    .filter(([name, value]) => shardIndex(name) !== null && isD1(value))
    .map(([name]) => name)
    .sort((a, b) => (shardIndex(a) ?? 0) - (shardIndex(b) ?? 0));
}

/**
 * The shards new organizations may go to, from the EVENT_SHARDS var (comma-separated binding names,
 * blanks ignored, duplicates once). Unset or empty: `DB` alone. Each name must resolve (shardDb).
 */
export function acceptingShards(env: ShardBindings, list: string | undefined): string[] {
  const names = [
    ...new Set(
      (list ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  const accepting = names.length > 0 ? names : [CONTROL_SHARD];
  for (const name of accepting) shardDb(env, name);
  return accepting;
}

/**
 * The shard a new organization goes to: the accepting shard holding the fewest organizations, the
 * first listed on a tie. Organizations, not bytes: a new organization has no data yet, and the storage
 * quota and retention bound what each one grows to (docs/scaling.md).
 */
export function leastFullShard(
  accepting: readonly string[],
  organizations: ReadonlyMap<string, number>,
): string {
  if (accepting.length === 0) throw new Error("no shard accepts new organizations");
  let best = accepting[0] as string;
  for (const name of accepting) {
    if ((organizations.get(name) ?? 0) < (organizations.get(best) ?? 0)) best = name;
  }
  return best;
}

/** Organizations per shard, from the control plane. */
export async function organizationsPerShard(control: D1Database): Promise<Map<string, number>> {
  const { results } = await control
    .prepare("SELECT shard, COUNT(*) AS n FROM organizations GROUP BY shard")
    .all<{ shard: string; n: number }>();
  return new Map(results.map((r) => [r.shard, r.n]));
}

/** The shard recorded for an organization in the control plane; null when there is no such organization. */
export async function organizationShard(control: D1Database, organizationId: number): Promise<string | null> {
  const row = await first<{ shard: string }>(control, "SELECT shard FROM organizations WHERE id = ?", [
    organizationId,
  ]);
  return row?.shard ?? null;
}

/** The shards of these organizations (control plane); organizations not found are left out. */
export async function organizationShards(
  control: D1Database,
  ids: readonly number[],
): Promise<Map<number, string>> {
  const known = ids.filter((id) => id > 0);
  if (known.length === 0) return new Map();
  const { results } = await control
    .prepare("SELECT id, shard FROM organizations WHERE id IN (SELECT value FROM json_each(?))")
    .bind(JSON.stringify(known))
    .all<{ id: number; shard: string }>();
  return new Map(results.map((r) => [r.id, r.shard]));
}

/** The shard of the organization that owns a project; null when there is no such project. */
export async function projectShard(control: D1Database, projectId: number): Promise<string | null> {
  const row = await first<{ shard: string }>(
    control,
    "SELECT o.shard AS shard FROM projects p JOIN organizations o ON o.id = p.organization_id WHERE p.id = ?",
    [projectId],
  );
  return row?.shard ?? null;
}

/** The shard a new organization goes to now: the least full of EVENT_SHARDS (see leastFullShard). */
export async function placeNewOrganization(env: ShardBindings & { DB: D1Database; EVENT_SHARDS?: string }) {
  return leastFullShard(acceptingShards(env, env.EVENT_SHARDS), await organizationsPerShard(env.DB));
}

/**
 * A D1 database that runs every call on `current()`, the shard resolved when the call is made: what a
 * long-lived holder (the project's Durable Object) keeps, so learning the shard later changes where its
 * parts write without rebuilding them.
 */
export function routedD1(current: () => D1Database): D1Database {
  const routed: Pick<D1Database, "prepare" | "batch" | "exec" | "dump" | "withSession"> = {
    prepare: (query) => current().prepare(query),
    batch: (statements) => current().batch(statements),
    exec: (query) => current().exec(query),
    dump: () => current().dump(),
    withSession: (constraint) => current().withSession(constraint),
  };
  return routed as D1Database;
}

/**
 * Statements that make shard `index` ready for a project (index 0, the control plane, needs none): the
 * rows its foreign keys point at — the organization and the project, by id, named `#<id>` so no
 * rename ever collides, never read for anything — and the floor of its issue ids (`index` × 2^40, in
 * SQLite's AUTOINCREMENT counter), so an issue id names one issue across every shard. Idempotent.
 */
export function shardAnchorStatements(
  shard: D1Database,
  index: number,
  organizationId: number,
  projectId: number,
): D1PreparedStatement[] {
  if (index === 0) return [];
  const floor = index * ISSUE_ID_SPAN;
  return [
    shard
      .prepare(
        "INSERT INTO organizations (id, slug, name, created_at) VALUES (?1, '#' || ?1, '#' || ?1, 0) ON CONFLICT DO NOTHING",
      )
      .bind(organizationId),
    shard
      .prepare(
        `INSERT INTO projects (id, organization_id, slug, name, created_at)
         VALUES (?1, ?2, '#' || ?1, '#' || ?1, 0) ON CONFLICT DO NOTHING`,
      )
      .bind(projectId, organizationId),
    // The floor goes into SQLite's AUTOINCREMENT counter through an issue row at the floor, inserted and
    // deleted again: the counter never goes back, and no statement names sqlite_sequence, which D1's
    // authorizer may refuse. Its short_id is set so the numbering trigger leaves the project alone.
    shard
      .prepare(
        `INSERT INTO issues (id, project_id, primary_hash, type, title, culprit, level, platform, metadata,
           first_seen, last_seen, short_id)
         SELECT ?1, ?2, '#floor', 'default', '', '', 'info', 'other', '{}', 0, 0, 0
         WHERE NOT EXISTS (SELECT 1 FROM issues WHERE id >= ?1)`,
      )
      .bind(floor, projectId),
    shard.prepare("DELETE FROM issues WHERE id = ?1 AND primary_hash = '#floor'").bind(floor),
  ];
}

/**
 * Makes shard `name` ready for a project just created in the control plane (shardAnchorStatements);
 * nothing to do on `DB`. When the shard cannot be written the project is deleted again and the error
 * thrown: no project exists whose events would have nowhere to go.
 */
export async function anchorProjectOnShard(
  env: ShardBindings,
  name: string,
  organizationId: number,
  projectId: number,
): Promise<void> {
  const shard = shardDb(env, name);
  const statements = shardAnchorStatements(shard, shardIndex(name) ?? 0, organizationId, projectId);
  if (statements.length === 0) return;
  try {
    await shard.batch(statements);
  } catch (error) {
    const control = shardDb(env, CONTROL_SHARD);
    await control.prepare("DELETE FROM projects WHERE id = ?").bind(projectId).run();
    throw error;
  }
}

/** The shard an issue id was allocated on (shardAnchorStatements' floors): `DB` below 2^40, else SHARD_n. */
export function shardOfIssueId(issueId: number): string {
  const index = Math.floor(issueId / ISSUE_ID_SPAN);
  return index === 0 ? CONTROL_SHARD : `SHARD_${index}`;
}

/**
 * Drops a deleted project from shard `name` (after the control plane deleted it): every row of the
 * project there and its anchor, as the control plane's delete does (deleteProject). Nothing to do on
 * `DB`, where that delete already ran.
 */
export async function dropProjectFromShard(
  env: ShardBindings,
  name: string,
  projectId: number,
): Promise<void> {
  if ((shardIndex(name) ?? 0) === 0) return;
  await deleteProject(shardDb(env, name), projectId);
}
