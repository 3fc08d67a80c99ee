// What other services ask of a project's Durable Object outside ingest: an event that is accepted but
// not yet in D1 (found by id at once), the R2 keys its spool holds, payloads of its open segments, and
// its live tail.
import type { PayloadReader } from "../blobs/event-blobs.ts";
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

/** One payload's bytes of a segment the project's object has not sealed into R2 yet, or null. */
export async function openSegmentBytes(
  env: Env,
  projectId: number,
  locator: string,
): Promise<Uint8Array | null> {
  const stub = env.PROJECTS.get(env.PROJECTS.idFromName(String(projectId)));
  return stub.payloadSegmentBytes(locator);
}

/** Where services read event payloads: R2, and the project objects for segments not sealed yet. */
export function payloadReader(env: Env): PayloadReader {
  return {
    bucket: env.BLOBS,
    openSegment: (projectId, locator) => openSegmentBytes(env, projectId, locator),
  };
}

/** Which of these R2 keys of the project its spooled envelopes point to. */
export async function spooledBlobKeys(env: Env, projectId: number, keys: string[]): Promise<Set<string>> {
  const stub = env.PROJECTS.get(env.PROJECTS.idFromName(String(projectId)));
  return new Set(await stub.spooledBlobKeys(keys));
}

/** Opens a live tail of the project: the caller has checked who may watch; answers the 101 upgrade. */
export function openLiveTail(env: Env, projectId: number): Promise<Response> {
  const stub = env.PROJECTS.get(env.PROJECTS.idFromName(String(projectId)));
  return stub.fetch(new Request("https://project.internal/tail", { headers: { upgrade: "websocket" } }));
}
