// A project's inbound filters as stored (one JSON object in `projects.inbound_filters`): read leniently
// (anything unreadable is off) and written back whole.
import {
  type InboundFilters,
  LEGACY_BROWSER_SUBFILTERS,
  type LegacyBrowserSubfilter,
  NO_FILTERS,
} from "./inbound.ts";

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v.trim() !== "") : [];

export function parseStoredFilters(text: string | null | undefined): InboundFilters {
  let value: unknown;
  try {
    value = JSON.parse(text ?? "{}");
  } catch {
    return NO_FILTERS;
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return NO_FILTERS;
  const o = value as Record<string, unknown>;
  const legacy = o.legacyBrowsers;
  return {
    browserExtensions: o.browserExtensions === true,
    localhost: o.localhost === true,
    webCrawlers: o.webCrawlers === true,
    healthChecks: o.healthChecks === true,
    legacyBrowsers:
      legacy === "default"
        ? "default"
        : strings(legacy).filter((s): s is LegacyBrowserSubfilter =>
            (LEGACY_BROWSER_SUBFILTERS as readonly string[]).includes(s),
          ),
    errorMessages: strings(o.errorMessages),
    releases: strings(o.releases),
    blockedIps: strings(o.blockedIps),
  };
}

export function storeFilters(filters: InboundFilters): string {
  return JSON.stringify(filters);
}
