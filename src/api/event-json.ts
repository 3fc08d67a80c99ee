// An event as Sentry's full event JSON: its payload (from the row or R2), its issue's fingerprints and
// metadata, its release, and its neighbours in the issue. Shared by the event and event-id routes.
import { eventPayloadText, type PayloadPlace } from "../blobs/event-blobs.ts";
import { eventNeighbours, issueFactsOf, issueHashes } from "../db/events.ts";
import { findRelease } from "../db/releases.ts";
import { projectById } from "../db/tenant-reads.ts";
import type { Env } from "../env.ts";
import { payloadReader } from "../project/index.ts";
import { releaseJson } from "./release-json.ts";
import { type EventRecord, serializeEvent } from "./serializers/event.ts";
import type { IssueRecord } from "./serializers/issue.ts";
import { isRecord, type JsonRecord } from "./serializers/payload-read.ts";

/** A stored JSON object, or null when it is absent or not an object. */
export function parseRecord(text: string | null | undefined): JsonRecord | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

/** The stored payload text of an event: from its segment, its R2 object, or the row. */
export const payloadText = (env: Env, row: PayloadPlace) => eventPayloadText(payloadReader(env), row);

export interface IssueFacts {
  issue: Pick<IssueRecord, "id" | "metadata" | "culprit" | "primary_hash">;
  projectSlug: string;
  organizationId: number;
}

async function issueFacts(
  env: Env,
  events: D1Database,
  row: EventRecord,
  known: IssueFacts | null,
): Promise<IssueFacts | null> {
  if (known || row.issue_id === null) return known;
  const found = await issueFactsOf(events, env.DB, row.issue_id);
  if (!found) return null;
  return { issue: found, projectSlug: found.project_slug, organizationId: found.organization_id };
}

/** Where an event's route already placed it: its project's slug and organization. */
export interface EventPlace {
  projectSlug: string;
  organizationId: number;
}

async function releaseOf(events: D1Database, env: Env, orgId: number | undefined, version: string | null) {
  if (!version || orgId === undefined) return null;
  const found = await findRelease(events, orgId, version);
  return found ? releaseJson(events, env.DB, found) : null;
}

/**
 * The event as Sentry's JSON; `events` is the organization's shard (the row's, its issue's, its release's).
 * The payload read (`text`, possibly still pending), the issue's facts and hashes, the neighbours and the
 * release are independent reads, so they run at once rather than one after another.
 */
export async function fullEvent(
  env: Env,
  events: D1Database,
  row: EventRecord,
  text: string | null | Promise<string | null>,
  known: IssueFacts | null,
  place: EventPlace | null = null,
) {
  const factsRead = issueFacts(env, events, row, known);
  const hashesRead = row.issue_id !== null ? issueHashes(events, row.issue_id) : Promise.resolve([]);
  const placed = known ?? place;
  const projectRead = placed
    ? Promise.resolve(null)
    : factsRead.then((facts) => (facts ? null : projectById(env.DB, row.project_id)));
  const releaseRead = placed
    ? releaseOf(events, env, placed.organizationId, row.release)
    : Promise.all([factsRead, projectRead]).then(([facts, project]) =>
        releaseOf(events, env, facts?.organizationId ?? project?.organization_id, row.release),
      );
  const [facts, foundHashes, project, around, release, payload] = await Promise.all([
    factsRead,
    hashesRead,
    projectRead,
    eventNeighbours(events, row),
    releaseRead,
    text,
  ]);
  const hashes = facts ? foundHashes : [];
  const primary = facts?.issue.primary_hash;
  const fingerprints = hashes.sort((a, b) => (a === primary ? -1 : b === primary ? 1 : a.localeCompare(b)));
  let metadata: Record<string, unknown> | null = null;
  if (facts) {
    const parsed = parseRecord(facts.issue.metadata);
    metadata = parsed ? { ...parsed, title: row.title } : null;
  }
  return serializeEvent(row, parseRecord(payload), {
    projectSlug: facts?.projectSlug ?? place?.projectSlug ?? project?.slug ?? "",
    fingerprints,
    metadata,
    culprit: facts?.issue.culprit ?? null,
    release,
    previousEventID: around.older,
    nextEventID: around.newer,
    size: payload ? new TextEncoder().encode(payload).byteLength : 0,
  });
}
