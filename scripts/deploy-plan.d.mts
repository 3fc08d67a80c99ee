// Types for scripts/deploy-plan.mjs.
export interface D1Binding {
  binding: string;
  databaseName: string;
  /** Whether the binding has a migrations directory. */
  migrations: boolean;
}
export interface Where {
  local: boolean;
  persistTo?: string;
}
export interface DeployOptions {
  local: boolean;
  url?: string;
  port?: string;
  stateFile?: string;
}
export const USAGE: string;
export function d1Bindings(config: {
  d1_databases?: { binding: string; database_name?: string; migrations_dir?: string }[];
}): D1Binding[];
export function databaseNames(listJson: string): Set<string>;
export function provisionCommands(bindings: D1Binding[], existing: Set<string>): string[][];
export function migrationCommands(bindings: D1Binding[], where: Where): string[][];
export function sqlCommand(binding: string, sql: string, where: Where): string[];
export function tenantBinding(bindings: D1Binding[]): string;
export function deployOptions(argv: string[]): DeployOptions;
export function deployCommand(): string[];
export function deployedUrl(output: string): string | null;
export function dsnOf(url: string, publicKey: string, projectId: number): string;
