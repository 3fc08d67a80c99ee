// Reads other services make of a project's spool, through its Durable Object: an event that is
// accepted but not yet in D1 is found by id at once.
import type { EventTableRow } from "../db/rows.ts";
import type { Env } from "../env.ts";

/** The spooled error or transaction event `eventId` of the project, as its `events` row, or null. */
export async function spooledEvent(
  env: Env,
  projectId: number,
  eventId: string,
): Promise<EventTableRow | null> {
  const stub = env.PROJECTS.get(env.PROJECTS.idFromName(String(projectId)));
  return (await stub.spooledEvent(eventId)) as EventTableRow | null;
}

/** The first of these projects whose spool holds the event (all asked at once), or null. */
export async function spooledEventIn(
  env: Env,
  projectIds: readonly number[],
  eventId: string,
): Promise<EventTableRow | null> {
  const found = await Promise.all(projectIds.map((id) => spooledEvent(env, id, eventId)));
  return found.find((row) => row !== null) ?? null;
}

/** Which of these R2 keys of the project its spooled envelopes point to. */
export async function spooledBlobKeys(env: Env, projectId: number, keys: string[]): Promise<Set<string>> {
  const stub = env.PROJECTS.get(env.PROJECTS.idFromName(String(projectId)));
  return new Set(await stub.spooledBlobKeys(keys));
}
