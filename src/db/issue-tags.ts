// Tag values of an issue's events, counted over its most recent events: the derived tags (level,
// release, environment, transaction, user) from columns, the rest from the event's `tags` pairs (tagsSql).
// Bounded by the sample so an issue with millions of events costs the same as one with a thousand.

import { TAG_SAMPLE_EVENTS } from "../limits.ts";
import { tagsSql } from "./payload-shape-sql.ts";

export interface TagValueCount {
  key: string;
  value: string;
  count: number;
  first_seen: number;
  last_seen: number;
}

const DERIVED = "('level', 'release', 'environment', 'transaction', 'user')";

/** Counts per (key, value) over the issue's recent events; only `key`'s when given. */
export async function issueTagCounts(
  db: D1Database,
  issueId: number,
  key: string | null = null,
): Promise<TagValueCount[]> {
  const rows = await db
    .prepare(
      `WITH recent AS (
         SELECT level, release, environment, transaction_name, user_key, ${tagsSql("events")} AS tags, timestamp FROM events
         WHERE issue_id = ? ORDER BY timestamp DESC LIMIT ${TAG_SAMPLE_EVENTS}),
       pairs AS (
         SELECT json_extract(p.value, '$[0]') AS key, json_extract(p.value, '$[1]') AS value, recent.timestamp AS ts
         FROM recent, json_each(json_array(json_array('level', level), json_array('release', release),
           json_array('environment', environment), json_array('transaction', transaction_name),
           json_array('user', user_key))) p
         UNION ALL
         SELECT json_extract(t.value, '$[0]'), json_extract(t.value, '$[1]'), recent.timestamp
         FROM recent, json_each(recent.tags) t
         WHERE json_extract(t.value, '$[0]') NOT IN ${DERIVED})
       SELECT key, value, COUNT(*) AS count, MIN(ts) AS first_seen, MAX(ts) AS last_seen
       FROM pairs WHERE value IS NOT NULL AND (?2 IS NULL OR key = ?2) GROUP BY key, value`,
    )
    .bind(issueId, key)
    .all<TagValueCount>();
  return rows.results.filter((r) => typeof r.key === "string" && typeof r.value === "string");
}
