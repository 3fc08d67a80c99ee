// Fixed-window rate limiting, as plain functions over counters the Durable Object keeps.
// A window is [start, start + windowSeconds); quantities are consumed only when every limit allows them.

export interface RateLimitConfig {
  /** Items allowed per window; 0 or less disables the limit. */
  count: number;
  windowSeconds: number;
}

export interface WindowCounter {
  windowStart: number;
  used: number;
}

export interface LimitCheck {
  allowed: boolean;
  /** Seconds until the current window ends (integer, at least 1) when not allowed. */
  retryAfterSeconds: number;
}

export function windowStartFor(now: number, windowSeconds: number): number {
  return Math.floor(now / windowSeconds) * windowSeconds;
}

/** Whether `quantity` more items fit in the limit's current window, without consuming them. */
export function checkLimit(
  counter: WindowCounter | undefined,
  limit: RateLimitConfig,
  now: number,
  quantity: number,
): LimitCheck {
  if (limit.count <= 0 || limit.windowSeconds <= 0) return { allowed: true, retryAfterSeconds: 0 };
  const start = windowStartFor(now, limit.windowSeconds);
  const used = counter && counter.windowStart === start ? counter.used : 0;
  if (used + quantity <= limit.count) return { allowed: true, retryAfterSeconds: 0 };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(start + limit.windowSeconds - now)) };
}

/** The counter after consuming `quantity` in the window that contains `now`. */
export function consume(
  counter: WindowCounter | undefined,
  limit: RateLimitConfig,
  now: number,
  quantity: number,
): WindowCounter {
  const start = windowStartFor(now, limit.windowSeconds);
  const used = counter && counter.windowStart === start ? counter.used : 0;
  return { windowStart: start, used: used + quantity };
}
