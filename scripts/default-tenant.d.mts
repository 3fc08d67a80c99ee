// Types for scripts/default-tenant.mjs.
export const ALL_SCOPES: string[];
export const DEFAULTS: {
  orgSlug: string;
  orgName: string;
  teamSlug: string;
  projectSlug: string;
  projectName: string;
  userEmail: string;
};
export function sha256Hex(value: string): string;

export interface DefaultTenant {
  orgSlug: string;
  projectSlug: string;
  projectId: number;
  publicKey: string;
  token: string;
  /** Whether this run minted the token (it must then be stored for the next start). */
  tokenCreated: boolean;
  userEmail: string;
  /** The owner's generated web UI password, only when this run set it. */
  password?: string;
}
/** Rows of a step's last statement. */
export type StepRows = Record<string, unknown>[];
export type TenantSteps = Generator<string[], DefaultTenant, StepRows>;
export function defaultTenantSteps(options: {
  storedToken: string | undefined;
  withPassword: boolean;
}): TenantSteps;
export function runStepsSync(steps: TenantSteps, run: (statements: string[]) => StepRows): DefaultTenant;
export function runSteps(
  steps: TenantSteps,
  run: (statements: string[]) => Promise<StepRows>,
): Promise<DefaultTenant>;
export function readStoredToken(stateFile: string): string | undefined;
export function storeToken(stateFile: string, token: string): void;
