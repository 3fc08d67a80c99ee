// Server-side data scrubbing (pure core): Sentry's default secret keys and value patterns, a project's own
// sensitive and safe fields, IP addresses on request; `_meta` records what was removed and why.

export { scrubEvent } from "./event.ts";
export {
  FILTERED,
  isCredentialHeader,
  isSecretKey,
  isSensitiveCookie,
  passesLuhn,
  RULE_REASONS,
  scrubbedPaths,
} from "./patterns.ts";
export { scrubAttributes, scrubText } from "./records.ts";
export { DEFAULT_SCRUBBING, MetaTree, type Remark, Scrubber, type ScrubbingSettings } from "./scrubber.ts";
export { parseFieldList } from "./stored.ts";
