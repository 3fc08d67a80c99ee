// DSN keys as Sentry's ProjectKey JSON (`id` is the public key; DSN URLs on the server's own origin)
// and the bodies of `POST/PUT …/keys/`. Pure functions.

import { badRequest } from "../../errors.ts";
import { MAX_KEY_LABEL_CHARS } from "../../limits.ts";
import { isoDate } from "../pagination.ts";
import { objectBody } from "../slugs.ts";
import {
  parseRateLimit,
  type RateLimitColumns,
  type RateLimitJson,
  serializeRateLimit,
} from "./rate-limit.ts";

export interface ProjectKeyRecord extends RateLimitColumns {
  id: number;
  projectId: number;
  publicKey: string;
  secretKey: string;
  label: string;
  isActive: boolean;
  createdAt: number;
}

export interface DsnUrls {
  secret: string;
  public: string;
  csp: string;
  security: string;
  minidump: string;
  nel: string;
  unreal: string;
  cdn: string;
  crons: string;
  playstation: string;
  integration: string;
  otlp_traces: string;
  otlp_logs: string;
}

export interface ProjectKeyJson {
  id: string;
  name: string;
  label: string;
  public: string;
  secret: string;
  projectId: number;
  isActive: boolean;
  rateLimit: RateLimitJson | null;
  dsn: DsnUrls;
  browserSdkVersion: string;
  browserSdk: { choices: [string, string][] };
  dateCreated: string | null;
  dynamicSdkLoaderOptions: { hasReplay: boolean; hasPerformance: boolean; hasDebug: boolean };
  useCase: string;
}

/** The DSN and endpoint URLs of a key, on `origin` (scheme://host[:port], no path). */
export function dsnUrls(origin: string, projectId: number, publicKey: string, secretKey: string): DsnUrls {
  const url = new URL(origin);
  const withAuth = (auth: string) => `${url.protocol}//${auth}@${url.host}/${projectId}`;
  const api = `${url.origin}/api/${projectId}`;
  return {
    secret: withAuth(`${publicKey}:${secretKey}`),
    public: withAuth(publicKey),
    csp: `${api}/csp-report/?sentry_key=${publicKey}`,
    security: `${api}/security/?sentry_key=${publicKey}`,
    minidump: `${api}/minidump/?sentry_key=${publicKey}`,
    nel: `${api}/nel/?sentry_key=${publicKey}`,
    unreal: `${api}/unreal/${publicKey}/`,
    cdn: `${url.origin}/js-sdk-loader/${publicKey}.min.js`,
    crons: `${api}/cron/___MONITOR_SLUG___/${publicKey}/`,
    playstation: `${api}/playstation/?sentry_key=${publicKey}`,
    integration: `${url.origin}/api/${projectId}/integration/`,
    otlp_traces: `${api}/integration/otlp/v1/traces`,
    otlp_logs: `${api}/integration/otlp/v1/logs`,
  };
}

export function serializeProjectKey(key: ProjectKeyRecord, origin: string): ProjectKeyJson {
  return {
    id: key.publicKey,
    name: key.label,
    label: key.label,
    public: key.publicKey,
    secret: key.secretKey,
    projectId: key.projectId,
    isActive: key.isActive,
    rateLimit: serializeRateLimit(key),
    dsn: dsnUrls(origin, key.projectId, key.publicKey, key.secretKey),
    browserSdkVersion: "latest",
    browserSdk: { choices: [["latest", "latest"]] },
    dateCreated: isoDate(key.createdAt),
    dynamicSdkLoaderOptions: { hasReplay: true, hasPerformance: true, hasDebug: false },
    useCase: "user",
  };
}

export interface ProjectKeyChanges extends Partial<RateLimitColumns> {
  label?: string;
  isActive?: boolean;
}

function parseLabel(value: unknown): string {
  if (typeof value !== "string" || !value.trim() || value.trim().length > MAX_KEY_LABEL_CHARS)
    throw badRequest(`Key name must be 1 to ${MAX_KEY_LABEL_CHARS} characters`);
  return value.trim();
}

/** `PUT …/keys/{id}/`: name, isActive, rateLimit (other Sentry fields are accepted and ignored). */
export function parseProjectKeyChanges(body: unknown): ProjectKeyChanges {
  const input = objectBody(body);
  const changes: ProjectKeyChanges = {};
  if (input.name !== undefined && input.name !== null) changes.label = parseLabel(input.name);
  if (input.isActive !== undefined) {
    if (typeof input.isActive !== "boolean") throw badRequest("isActive must be a boolean");
    changes.isActive = input.isActive;
  }
  if (input.rateLimit !== undefined) Object.assign(changes, parseRateLimit(input.rateLimit));
  return changes;
}

/** `POST …/keys/`: optional name (default "Default") and rateLimit. */
export function parseProjectKeyCreate(body: unknown): { label: string } & RateLimitColumns {
  const input = objectBody(body);
  const label = input.name === undefined || input.name === null ? "Default" : parseLabel(input.name);
  const limit =
    input.rateLimit === undefined
      ? { rateLimitCount: null, rateLimitWindow: null }
      : parseRateLimit(input.rateLimit);
  return { label, ...limit };
}

/** A new key pair: 32 lowercase hex characters each. */
export function newKeyPair(): { publicKey: string; secretKey: string } {
  const hex = () =>
    [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
  return { publicKey: hex(), secretKey: hex() };
}

export { MAX_KEY_LABEL_CHARS };
