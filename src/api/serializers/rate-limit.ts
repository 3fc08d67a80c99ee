// `rateLimit` as the key and project APIs read and write it: `{"count": N, "window": seconds}` or null.
// Pure functions.

import { badRequest } from "../../errors.ts";
import { MAX_RATE_LIMIT_WINDOW } from "../../limits.ts";

export interface RateLimitJson {
  window: number;
  count: number;
}

export interface RateLimitColumns {
  rateLimitCount: number | null;
  rateLimitWindow: number | null;
}

export function serializeRateLimit(row: RateLimitColumns): RateLimitJson | null {
  return row.rateLimitCount && row.rateLimitCount > 0
    ? {
        window: row.rateLimitWindow && row.rateLimitWindow > 0 ? row.rateLimitWindow : 60,
        count: row.rateLimitCount,
      }
    : null;
}

/** Reads a `rateLimit` value: null, `{}` or a null/0 count clear the limit. */
export function parseRateLimit(value: unknown): RateLimitColumns {
  if (value === null) return { rateLimitCount: null, rateLimitWindow: null };
  if (typeof value !== "object" || Array.isArray(value))
    throw badRequest("rateLimit must be an object with count and window, or null");
  const { count, window } = value as Record<string, unknown>;
  if (count === undefined || count === null || count === 0)
    return { rateLimitCount: null, rateLimitWindow: null };
  if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0)
    throw badRequest("rateLimit.count must be a non-negative integer");
  if (
    typeof window !== "number" ||
    !Number.isSafeInteger(window) ||
    window <= 0 ||
    window > MAX_RATE_LIMIT_WINDOW
  )
    throw badRequest(`rateLimit.window must be a number of seconds between 1 and ${MAX_RATE_LIMIT_WINDOW}`);
  return { rateLimitCount: count, rateLimitWindow: window };
}

export { MAX_RATE_LIMIT_WINDOW };
