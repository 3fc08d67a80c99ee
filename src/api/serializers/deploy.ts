// Deploys (`sentry-cli deploys new/list`): request body read into plain values, rows written as
// Sentry's deploy JSON (`environment` is required by sentry-cli; the rest may be null). Pure functions.

import { badRequest } from "../../errors.ts";
import { MAX_DEPLOY_NAME_CHARS, MAX_DEPLOY_URL_CHARS } from "../../limits.ts";
import { EPOCH_ISO, isoFromSeconds } from "../../protocol/items/json.ts";

/** Sentry's environment name rule: no newlines or slashes, at most 64 characters. */
const ENVIRONMENT = /^[^\n\r\f/]{1,64}$/;

export interface DeployInput {
  environment: string;
  name: string | null;
  url: string | null;
  /** Unix seconds. */
  dateStarted: number | null;
  dateFinished: number;
}

export interface DeployRecord extends DeployInput {
  id: number;
}

export interface DeployJson {
  id: string;
  environment: string;
  name: string | null;
  url: string | null;
  dateStarted: string | null;
  dateFinished: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function nullableString(body: Record<string, unknown>, key: string, max: number): string | null {
  const value = body[key];
  if (value === undefined || value === null || value === "") return null;
  if (typeof value !== "string" || value.length > max) {
    throw badRequest(`${key}: expected a string of at most ${max} characters`);
  }
  return value;
}

function nullableDate(body: Record<string, unknown>, key: string): number | null {
  const value = body[key];
  if (value === undefined || value === null) return null;
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw badRequest(`${key}: expected an ISO 8601 date`);
  return ms / 1000;
}

/** `POST …/releases/{version}/deploys/`; `dateFinished` defaults to now (seconds), as in Sentry. */
export function parseDeploy(body: unknown, nowSeconds: number): DeployInput {
  if (!isRecord(body)) throw badRequest("Expected a JSON object");
  const environment = body.environment;
  if (typeof environment !== "string" || !ENVIRONMENT.test(environment)) {
    throw badRequest("environment: a name of 1–64 characters without slashes or newlines is required");
  }
  return {
    environment,
    name: nullableString(body, "name", MAX_DEPLOY_NAME_CHARS),
    url: nullableString(body, "url", MAX_DEPLOY_URL_CHARS),
    dateStarted: nullableDate(body, "dateStarted"),
    dateFinished: nullableDate(body, "dateFinished") ?? nowSeconds,
  };
}

const iso = (seconds: number) => isoFromSeconds(seconds) ?? EPOCH_ISO;

export function serializeDeploy(deploy: DeployRecord): DeployJson {
  return {
    id: String(deploy.id),
    environment: deploy.environment,
    name: deploy.name,
    url: deploy.url,
    dateStarted: deploy.dateStarted === null ? null : iso(deploy.dateStarted),
    dateFinished: iso(deploy.dateFinished),
  };
}
