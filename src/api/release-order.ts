// Release order for issue resolutions and regressions.
import { releaseOrderRows } from "../db/releases.ts";
import { compareReleasesBySemver, type ReleaseComparator } from "../project/index.ts";
import { compareByReleaseOrder } from "./serializers/release.ts";

/**
 * Orders releases of an organization as Sentry does for resolutions: by `COALESCE(date_released,
 * date_added)`, falling back to semantic versions when either side is not a known release.
 * Pass the versions you will compare to load only those.
 */
export async function releaseComparatorFor(
  db: D1Database,
  organizationId: number,
  versions?: readonly string[],
): Promise<ReleaseComparator> {
  const byOrder = compareByReleaseOrder(await releaseOrderRows(db, organizationId, versions));
  return (a, b) => byOrder(a, b) ?? compareReleasesBySemver(a, b);
}
