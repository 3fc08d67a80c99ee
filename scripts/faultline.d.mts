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
/** The anchor rows and issue-id floor a project on event shard `shard` needs there (none on DB). */
export function shardAnchorSql(shard: string, organizationId: number, projectId: number): string[];
export function createProject(
  db: { sql: (command: string, binding?: string) => Record<string, unknown>[]; remote?: boolean },
  orgSlug: string,
  slug: string,
  options: Record<string, string | true>,
): void;
