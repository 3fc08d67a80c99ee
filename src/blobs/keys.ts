// R2 key layout (documented in docs/storage.md). Every key starts with the project id so a tenant's
// bytes can be listed and deleted together, and never collides with another project's.
//
// Keys of ingested bytes are unique per write (a random write id): a retry of the same event id with
// other content writes a new object, so no request can replace or remove what an earlier, acknowledged
// request stored. The D1 row points at its own key; objects no row references are deleted by the
// request that wrote them, or later by the sweep (src/blobs/sweep.ts).

/** A fresh id for one R2 write. */
export const newWriteId = (): string => crypto.randomUUID();

export const attachmentKey = (projectId: number, eventId: string, writeId: string): string =>
  `projects/${projectId}/attachments/${eventId}/${writeId}`;

export const eventPayloadKey = (projectId: number, eventId: string, writeId: string): string =>
  `projects/${projectId}/events/${eventId}/${writeId}.json`;

/** A sealed payload segment: the compressed payloads of many events (segment-format.ts). */
export const payloadSegmentKey = (projectId: number, segmentId: string): string =>
  `${payloadSegmentPrefix(projectId)}${segmentId}`;

/** Prefix of a project's sealed payload segments (listed in time order: ids start with their age). */
export const payloadSegmentPrefix = (projectId: number): string => `projects/${projectId}/payload-segments/`;

export const rawItemKey = (projectId: number, type: string, writeId: string): string =>
  `projects/${projectId}/items/${type}/${writeId}`;

/** Prefix of every project's bytes. */
export const PROJECTS_PREFIX = "projects/";

/** Prefix of one project's bytes: all of them, ingested and debug files alike. */
export const projectPrefix = (projectId: number): string => `${PROJECTS_PREFIX}${projectId}/`;

/**
 * Whether a key holds ingested bytes a D1 row must reference (event payloads, attachments, raw items),
 * as opposed to content-addressed debug files, which their own tables own.
 */
export function isIngestBlobKey(key: string): boolean {
  return /^projects\/\d+\/(events|attachments|items)\//.test(key);
}

/** The folders of a project's ingested bytes (the keys above), beside its debug files. */
export const INGEST_KINDS = ["events", "attachments", "items"] as const;

/** The project a `projects/{id}/…` key belongs to, or null. */
export function projectIdOfKey(key: string): number | null {
  const match = /^projects\/(\d+)\//.exec(key);
  return match ? Number(match[1]) : null;
}
