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

/** The event as Sentry's JSON; `events` is the organization's shard (the row's, its issue's, its release's). */
export async function fullEvent(
  env: Env,
  events: D1Database,
  row: EventRecord,
  text: string | null,
  known: IssueFacts | null,
) {
  const facts = await issueFacts(env, events, row, known);
  const project = facts ? null : await projectById(env.DB, row.project_id);
  const [hashes, around, release] = await Promise.all([
    facts ? issueHashes(events, facts.issue.id) : [],
    eventNeighbours(events, row),
    (async () => {
      if (!row.release) return null;
      const orgId = facts?.organizationId ?? project?.organization_id;
      const found = orgId === undefined ? null : await findRelease(events, orgId, row.release);
      return found ? releaseJson(events, env.DB, found) : null;
    })(),
  ]);
  const primary = facts?.issue.primary_hash;
  const fingerprints = hashes.sort((a, b) => (a === primary ? -1 : b === primary ? 1 : a.localeCompare(b)));
  let metadata: Record<string, unknown> | null = null;
  if (facts) {
    const parsed = parseRecord(facts.issue.metadata);
    metadata = parsed ? { ...parsed, title: row.title } : null;
  }
  return serializeEvent(row, parseRecord(text), {
    projectSlug: facts?.projectSlug ?? project?.slug ?? "",
    fingerprints,
    metadata,
    culprit: facts?.issue.culprit ?? null,
    release,
    previousEventID: around.older,
    nextEventID: around.newer,
    size: text ? new TextEncoder().encode(text).byteLength : 0,
  });
}
