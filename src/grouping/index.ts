// Event grouping: which issue an error event belongs to (hashes), and how that issue is shown
// (title, culprit, metadata). Pure and synchronous; runs the same under Node and workerd.

import type { GroupingResult, NormalizedEvent } from "../protocol/types.ts";
import { defaultGrouping } from "./components.ts";
import { applyFingerprint } from "./fingerprint.ts";
import { hashValues } from "./hash.ts";
import { describeEvent } from "./title.ts";

export { parameterizeMessage } from "./message.ts";

/** At most this many hashes per event: the primary one and its alternates. */
const MAX_HASHES = 3;

export function computeGrouping(event: NormalizedEvent): GroupingResult {
  const defaults = defaultGrouping(event);
  const grouping = applyFingerprint(event, defaults) ?? defaults;
  const hash = hashValues(grouping.values);
  const hashes = [hash];
  for (const alternate of grouping.alternates) {
    const extra = hashValues(alternate);
    if (!hashes.includes(extra) && hashes.length < MAX_HASHES) hashes.push(extra);
  }
  const { title, culprit, metadata } = describeEvent(event);
  return { hash, hashes, title, culprit, variant: grouping.variant, metadata };
}
