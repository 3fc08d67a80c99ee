// Grouping hashes: MD5 (32 lowercase hex) of the contributing values, as Sentry does. The values
// are hashed as one JSON array so that ["ab", "c"] and ["a", "bc"] differ; no values at all
// hash the empty string (Sentry's fallback hash).

import { createHash } from "node:crypto";

export function md5Hex(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}

export function hashValues(values: readonly string[]): string {
  return md5Hex(values.length === 0 ? "" : JSON.stringify(values));
}
