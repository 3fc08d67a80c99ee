// Types for scripts/local-server.mjs (plain JS so `npm start` needs no build step).
import type { ChildProcess } from "node:child_process";

export const ROOT: string;
export const ALL_SCOPES: string[];
export const DEFAULTS: {
  orgSlug: string;
  orgName: string;
  teamSlug: string;
  projectSlug: string;
  projectName: string;
  userEmail: string;
};
export interface LocalDefaults {
  orgSlug: string;
  projectSlug: string;
  projectId: number;
  publicKey: string;
  token: string;
  /** The first user (owner of the default organization), for the web UI. */
  userEmail: string;
  /** Its generated password, only when this call set it (the first start). */
  password?: string;
}
export interface DevServer {
  child: ChildProcess;
  output(): string;
}
export function applyMigrations(persistTo: string): void;
export function sqlLocal(persistTo: string, command: string, binding?: string): Record<string, unknown>[];
export function sha256Hex(value: string): string;
export function ensureDefaults(persistTo: string, stateFile: string): LocalDefaults;
/** `preferred` when nothing listens on it, else a free port the OS picks. */
export function freePort(preferred: number): Promise<number>;
export function dsnFor(defaults: LocalDefaults, port: number, host?: string): string;
export function startDev(options: {
  port: number;
  persistTo?: string;
  inspectorPort?: number;
  config?: string;
  log?: "pipe" | "inherit";
}): Promise<DevServer>;
export function stopDev(server: DevServer | undefined): void;
