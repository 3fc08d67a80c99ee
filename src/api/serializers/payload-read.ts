// Defensive readers of a stored event payload (normalized, Sentry's snake-case event schema): each
// returns the value when it has the expected type, else null or empty, so malformed input never throws.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonRecord = { [key: string]: Json };

export const isRecord = (value: unknown): value is JsonRecord =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const str = (value: unknown): string | null => (typeof value === "string" ? value : null);
export const num = (value: unknown): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : null;
export const bool = (value: unknown): boolean | null => (typeof value === "boolean" ? value : null);
export const rec = (value: unknown): JsonRecord | null => (isRecord(value) ? value : null);
export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
