// API tokens as Sentry lists them (never the token itself, except once in the creation response) and
// the bodies that create them. Pure functions.

import { badRequest } from "../../errors.ts";
import { MAX_TOKEN_NAME_CHARS } from "../../limits.ts";
import { KNOWN_SCOPES, type Scope } from "../access.ts";
import { isoDate } from "../pagination.ts";
import { objectBody } from "../slugs.ts";

/** What Sentry gives organization tokens: CI work (releases, chunk upload, assemble, source maps). */
export const ORG_TOKEN_SCOPES: readonly Scope[] = ["org:ci"];

export interface ApiTokenRecord {
  id: number;
  name: string;
  tokenLastCharacters: string;
  scopes: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export const scopesOf = (text: string): string[] => text.split(/\s+/).filter(Boolean);

export function serializeUserToken(row: ApiTokenRecord, plain?: string) {
  return {
    id: String(row.id),
    name: row.name || null,
    scopes: scopesOf(row.scopes),
    tokenLastCharacters: row.tokenLastCharacters,
    dateCreated: isoDate(row.createdAt),
    dateLastUsed: isoDate(row.lastUsedAt),
    expiresAt: null,
    application: null,
    ...(plain === undefined ? {} : { token: plain }),
  };
}

export function serializeOrgToken(row: ApiTokenRecord, plain?: string) {
  return {
    id: String(row.id),
    name: row.name,
    scopes: scopesOf(row.scopes),
    tokenLastCharacters: row.tokenLastCharacters,
    dateCreated: isoDate(row.createdAt),
    dateLastUsed: isoDate(row.lastUsedAt),
    projectLastUsedId: null,
    ...(plain === undefined ? {} : { token: plain }),
  };
}

function parseName(value: unknown, required: boolean): string {
  if (value === undefined || value === null || value === "") {
    if (required) throw badRequest("The name is required");
    return "";
  }
  if (typeof value !== "string" || value.length > MAX_TOKEN_NAME_CHARS)
    throw badRequest(`The name must be a string of at most ${MAX_TOKEN_NAME_CHARS} characters`);
  return value.trim();
}

/** `POST /api-tokens/`: `scopes` (at least one known scope) and an optional `name`. */
export function parseUserTokenCreate(body: unknown): { name: string; scopes: string[] } {
  const input = objectBody(body);
  const scopes = input.scopes;
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => typeof s === "string"))
    throw badRequest("scopes must be a non-empty list of scopes");
  const unknown = scopes.filter((s) => !(KNOWN_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) throw badRequest(`Unknown scopes: ${unknown.join(", ")}`);
  return { name: parseName(input.name, false), scopes: [...new Set(scopes as string[])] };
}

/** `POST …/org-auth-tokens/`: a required `name`. */
export function parseOrgTokenCreate(body: unknown): { name: string } {
  return { name: parseName(objectBody(body).name, true) };
}
