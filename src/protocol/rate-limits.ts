// The `X-Sentry-Rate-Limits` header in the one form every SDK applies: integer seconds, at least three
// fields (sentry-rust ignores a limit without its scope), categories listed explicitly.
import type { DataCategory } from "./categories.ts";

export interface RateLimitEntry {
  retryAfterSeconds: number;
  /** Empty means every category. */
  categories: readonly string[];
  scope: "organization" | "project" | "key";
  reasonCode?: string;
}

export function formatRateLimitHeader(limits: readonly RateLimitEntry[]): string {
  return limits
    .map((limit) => {
      const seconds = Math.max(1, Math.ceil(limit.retryAfterSeconds));
      const fields = [String(seconds), limit.categories.join(";"), limit.scope];
      if (limit.reasonCode) fields.push(limit.reasonCode);
      return fields.join(":");
    })
    .join(", ");
}

export interface ParsedRateLimit {
  retryAfterSeconds: number;
  categories: string[];
  scope: string;
  reasonCode: string;
}

/** Parses a header as SDKs do (tolerating spaces and fractional seconds); used by tests and shadow mode. */
export function parseRateLimitHeader(header: string): ParsedRateLimit[] {
  const out: ParsedRateLimit[] = [];
  for (const part of header.split(",")) {
    const fields = part.trim().split(":");
    const seconds = Number.parseFloat(fields[0] ?? "");
    if (!Number.isFinite(seconds)) continue;
    out.push({
      retryAfterSeconds: Math.ceil(seconds),
      categories: (fields[1] ?? "").split(";").filter((c) => c.length > 0),
      scope: fields[2] ?? "",
      reasonCode: fields[3] ?? "",
    });
  }
  return out;
}

/** Whether a parsed limit applies to a category (an empty category list applies to all). */
export function limitCovers(limit: ParsedRateLimit, category: DataCategory): boolean {
  return limit.categories.length === 0 || limit.categories.includes(category);
}
