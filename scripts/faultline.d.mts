// Types for scripts/faultline.mjs (the admin CLI; plain JS so it runs without a build step).
export function parseArgs(argv: string[]): {
  positionals: string[];
  options: Record<string, string | true>;
};
export function q(value: string | number | null | undefined): string;
export function mintOrgToken(url: string, org: string, iat?: number): string;
export function mintUserToken(): string;
/** Runs one command; the `receipt` command answers once the server has (a promise). */
export function run(argv: string[]): void | Promise<void>;
export function resetPassword(
  db: { sql: (command: string) => Record<string, unknown>[] },
  email: string,
  options?: { keepTokens?: boolean },
): { password: string; revokedTokens: number };
/** The shards a new organization may go to: EVENT_SHARDS from `environment`, else wrangler.toml, else DB. */
export function eventShards(environment?: Record<string, string | undefined>, toml?: string): string[];
/** The accepting shard holding the fewest organizations, the first listed on a tie. */
export function leastFullShard(accepting: string[], counts: ReadonlyMap<string, number>): string;
/** Creates an organization on the least full of the `accepting` shards and prints where it went. */
export function createOrg(
  db: { sql: (command: string, binding?: string) => Record<string, unknown>[] },
  slug: string,
  options: Record<string, string | true>,
  accepting?: string[],
): void;
/** The anchor rows and issue-id floor a project on event shard `shard` needs there (none on DB). */
export function shardAnchorSql(shard: string, organizationId: number, projectId: number): string[];
export function createProject(
  db: { sql: (command: string, binding?: string) => Record<string, unknown>[]; remote?: boolean },
  orgSlug: string,
  slug: string,
  options: Record<string, string | true>,
): void;
