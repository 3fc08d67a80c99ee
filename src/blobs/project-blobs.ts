// A project's R2 bytes as a whole: deleted together when the project is (every key of a project starts
// with its prefix, see keys.ts), or only the ingested ones when its telemetry is cleared.
import { INGEST_KINDS, projectPrefix } from "./keys.ts";

/** Removes every R2 object under the project's prefix, in pages. */
export async function deleteProjectBlobs(bucket: R2Bucket, projectId: number): Promise<void> {
  const prefix = projectPrefix(projectId);
  let cursor: string | undefined;
  do {
    const listed = await bucket.list({ prefix, limit: 1000, ...(cursor ? { cursor } : {}) });
    if (listed.objects.length > 0) await bucket.delete(listed.objects.map((o) => o.key));
    cursor = listed.truncated ? listed.cursor : undefined;
  } while (cursor);
}

/** Removes the project's ingested bytes (event payloads, attachments, raw items); debug files stay. */
export async function deleteProjectIngestBlobs(bucket: R2Bucket, projectId: number): Promise<void> {
  for (const kind of INGEST_KINDS) {
    const prefix = `${projectPrefix(projectId)}${kind}/`;
    let cursor: string | undefined;
    do {
      const listed = await bucket.list({ prefix, limit: 1000, ...(cursor ? { cursor } : {}) });
      if (listed.objects.length > 0) await bucket.delete(listed.objects.map((o) => o.key));
      cursor = listed.truncated ? listed.cursor : undefined;
    } while (cursor);
  }
}
