// Lists cut into pieces small enough to bind as one statement's `IN (…)` list.
import { MAX_SQL_PARAMS } from "../limits.ts";

export function inBatches<T>(items: readonly T[], size = MAX_SQL_PARAMS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** `?, ?, …` for a list of bound values. */
export const placeholders = (items: readonly unknown[]): string => items.map(() => "?").join(", ");
