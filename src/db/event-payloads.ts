// The stored payloads of grouped events, by id, as the late-file job re-symbolicates them.
import { placeholders } from "./in-batches.ts";
import type { events } from "./schema.ts";

export type StoredPayload = Pick<
  typeof events.$inferSelect,
  "eventId" | "payload" | "payloadKey" | "payloadRef"
>;

/** Payloads (inline JSON, the R2 key holding it, or its segment locator) of these events that have an issue. */
export async function storedPayloads(
  db: D1Database,
  projectId: number,
  eventIds: readonly string[],
): Promise<StoredPayload[]> {
  const { results } = await db
    .prepare(
      `SELECT event_id AS eventId, payload, payload_key AS payloadKey, payload_ref AS payloadRef FROM events
       WHERE project_id = ? AND event_id IN (${placeholders(eventIds)}) AND issue_id IS NOT NULL`,
    )
    .bind(projectId, ...eventIds)
    .all<StoredPayload>();
  return results;
}
