// Inbound filters (pure core): which events a project drops before storing them, and why.
export { globToRegExp, matchesAnyGlob } from "./glob.ts";
export {
  type InboundFilters,
  inboundFilterReason,
  isHealthCheck,
  LEGACY_BROWSER_SUBFILTERS,
  type LegacyBrowserSubfilter,
  NO_FILTERS,
} from "./inbound.ts";
export { ipInRanges, parseIp, parseRange } from "./ip-ranges.ts";
export { parseStoredFilters, storeFilters } from "./stored.ts";
