// When an API token was last used (`api_tokens.last_used_at`, shown as Sentry's `dateLastUsed` and on the
// tokens settings page). Written at most once per TOKEN_USE_RESOLUTION_SECONDS per token, so busy
// clients do not turn every read into a D1 write; the condition is in SQL so concurrent requests agree.

/** Seconds between two recorded uses of one token. */
export const TOKEN_USE_RESOLUTION_SECONDS = 60;

/** Whether a use at `now` is worth recording, given the stored value (saves the write when not). */
export const tokenUseDue = (lastUsedAt: number | null, now: number): boolean =>
  lastUsedAt === null || lastUsedAt < now - TOKEN_USE_RESOLUTION_SECONDS;

export async function recordTokenUse(db: D1Database, tokenId: number, now: number): Promise<void> {
  await db
    .prepare(
      "UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
    )
    .bind(now, tokenId, now - TOKEN_USE_RESOLUTION_SECONDS)
    .run();
}
