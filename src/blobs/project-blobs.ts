// A project's R2 bytes as a whole: deleted together when the project is (every key of a project starts
// with its prefix, see keys.ts).
import { projectPrefix } from "./keys.ts";

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
