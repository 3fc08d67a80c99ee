// Sentry's inbound filters, per project: an event they match is dropped before anything is stored and
// counted as the outcome `filtered` with the filter's id as the reason (Relay's names). Pure: the
// normalized event (before scrubbing, so its IP and User-Agent are still there) and the settings in.
import { contextsFromUserAgent, isCrawler, userAgentInfo } from "../normalize/user-agent.ts";
import type { NormalizedEvent } from "../types.ts";
import { matchesAnyGlob } from "./glob.ts";
import { ipInRanges } from "./ip-ranges.ts";

export const LEGACY_BROWSER_SUBFILTERS = [
  "ie_pre_9",
  "ie9",
  "ie10",
  "ie11",
  "opera_pre_15",
  "opera_mini_pre_8",
  "android_pre_4",
  "safari_pre_6",
  "edge_pre_79",
] as const;
export type LegacyBrowserSubfilter = (typeof LEGACY_BROWSER_SUBFILTERS)[number];

/** A project's inbound filters, as Sentry's filter API and project options hold them. */
export interface InboundFilters {
  browserExtensions: boolean;
  localhost: boolean;
  webCrawlers: boolean;
  /** Health-check transactions (`filtered-transaction`). */
  healthChecks: boolean;
  /** Legacy browsers: none, Sentry's default minimum versions, or the chosen subfilters. */
  legacyBrowsers: "default" | LegacyBrowserSubfilter[];
  /** `filters:error_messages`: globs over `Type: value` and the message. */
  errorMessages: string[];
  /** `filters:releases`: globs over the release. */
  releases: string[];
  /** `filters:blacklisted_ips`: addresses and CIDR ranges of the client. */
  blockedIps: string[];
}

export const NO_FILTERS: InboundFilters = {
  browserExtensions: false,
  localhost: false,
  webCrawlers: false,
  healthChecks: false,
  legacyBrowsers: [],
  errorMessages: [],
  releases: [],
  blockedIps: [],
};

/** Messages and script sources of errors browser extensions and injected scripts raise. */
const EXTENSION_MESSAGES = [
  /top\.GLOBALS/,
  /originalCreateNotification/,
  /canvas\.contentDocument/,
  /MyApp_RemoveAllHighlights/,
  /http:\/\/tt\.epicplay\.com/,
  /Can't find variable: ZiteReader/,
  /jigsaw is not defined/,
  /ComboSearch is not defined/,
  /http:\/\/loading\.retry\.widdit\.com\//,
  /atomicFindClose/,
  /fb_xd_fragment/,
  /bmi_SafeAddOnload/,
  /EBCallBackMessageReceived/,
  /_gCrWeb/,
  /conduitPage/,
  /plugin\.setSuspendState is not a function/,
  /Extension context invalidated/,
  /webkit-masked-url:/,
];
const EXTENSION_SOURCES = [
  /^chrome(?:-extension)?:\/\//i,
  /^moz-extension:\/\//i,
  /^ms-browser-extension:\/\//i,
  /^safari(?:-web)?-extension:\/\//i,
  /^webkit-masked-url:/i,
  /graph\.facebook\.com/i,
  /connect\.facebook\.net/i,
  /eatdifferent\.com\.woopra-ns\.com/i,
  /static\.woopra\.com\/js\/woopra\.js/i,
  /127\.0\.0\.1:4001\/isrunning/i,
  /webappstoolbarba\.texthelp\.com/i,
  /metrics\.itunes\.apple\.com\.edgesuite\.net/i,
];

/** Transaction names of health checks, liveness and readiness probes. */
const HEALTH_CHECKS = [
  "*healthcheck*",
  "*heartbeat*",
  "*/health{,/}",
  "*/healthy{,/}",
  "*/healthz{,/}",
  "*/health_check{,/}",
  "*/_health{,/}",
  "live",
  "live{z,/,-}*",
  "*{/,-}live",
  "*{/,-}live{z,/,-}*",
  "ready",
  "ready{z,/,-}*",
  "*{/,-}ready",
  "*{/,-}ready{z,/,-}*",
  "*/ping{,/}",
  "*/up{,/}",
  "*kube-probe*",
];

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** The id of the first filter the event matches (the outcome's reason), or null to keep it. */
export function inboundFilterReason(
  event: NormalizedEvent,
  filters: InboundFilters,
  clientIp: string | undefined,
): string | null {
  // The sender's address or the user's: either in a blocked range drops the event.
  const userIp = event.user?.ip_address;
  if (filters.blockedIps.length > 0) {
    if ([clientIp, userIp].some((ip) => ip !== undefined && ipInRanges(ip, filters.blockedIps)))
      return "ip-address";
  }
  if (filters.releases.length > 0 && event.release && matchesAnyGlob(event.release, filters.releases)) {
    return "release-version";
  }
  if (
    filters.errorMessages.length > 0 &&
    errorTexts(event).some((t) => matchesAnyGlob(t, filters.errorMessages))
  ) {
    return "error-message";
  }
  // Only the user's address: a local Faultline sees every sender as 127.0.0.1.
  if (filters.localhost && isLocalhost(event, userIp)) return "localhost";
  if (filters.browserExtensions && event.type !== "transaction" && fromBrowserExtension(event)) {
    return "browser-extensions";
  }
  const ua = userAgentInfo(event.request?.headers).userAgent;
  if (filters.webCrawlers && ua && isCrawler(ua)) return "web-crawlers";
  if (ua && isLegacyBrowser(ua, filters.legacyBrowsers)) return "legacy-browsers";
  if (filters.healthChecks && event.type === "transaction" && event.transaction) {
    if (isHealthCheck(event.transaction)) return "filtered-transaction";
  }
  return null;
}

/** Whether a transaction (or a streamed segment span) is named like a health check or probe. */
export function isHealthCheck(name: string): boolean {
  return matchesAnyGlob(name, HEALTH_CHECKS);
}

function errorTexts(event: NormalizedEvent): string[] {
  const texts: string[] = [];
  for (const e of event.exception?.values ?? []) {
    texts.push(e.type && e.value ? `${e.type}: ${e.value}` : (e.type ?? e.value ?? ""));
  }
  if (event.message) texts.push(event.message);
  if (event.logentry?.formatted) texts.push(event.logentry.formatted);
  return texts.filter((t) => t !== "");
}

function isLocalhost(event: NormalizedEvent, ip: string | undefined): boolean {
  if (ip === "127.0.0.1" || ip === "::1") return true;
  const url = event.request?.url;
  if (typeof url !== "string") return false;
  try {
    const host = new URL(url).hostname;
    return LOCAL_HOSTS.has(host) || host.endsWith(".localhost");
  } catch {
    return false;
  }
}

function fromBrowserExtension(event: NormalizedEvent): boolean {
  for (const e of event.exception?.values ?? []) {
    const text = `${e.type ?? ""}: ${e.value ?? ""}`;
    if (EXTENSION_MESSAGES.some((re) => re.test(text))) return true;
    const frames = e.stacktrace?.frames ?? [];
    // The frame that raised is the last one.
    const source = frames[frames.length - 1]?.abs_path ?? frames[frames.length - 1]?.filename;
    if (source && EXTENSION_SOURCES.some((re) => re.test(source))) return true;
  }
  return false;
}

/** Sentry's default: IE below 10, Safari below 6, Opera below 15, Opera Mini below 8, Android below 4. */
const DEFAULT_MINIMUM: Readonly<Record<string, number>> = {
  IE: 10,
  Safari: 6,
  Opera: 15,
  "Opera Mini": 8,
  Android: 4,
};

const SUBFILTER_TESTS: Readonly<
  Record<LegacyBrowserSubfilter, [family: string, test: (major: number) => boolean]>
> = {
  ie_pre_9: ["IE", (v) => v <= 8],
  ie9: ["IE", (v) => v === 9],
  ie10: ["IE", (v) => v === 10],
  ie11: ["IE", (v) => v === 11],
  opera_pre_15: ["Opera", (v) => v < 15],
  opera_mini_pre_8: ["Opera Mini", (v) => v < 8],
  android_pre_4: ["Android", (v) => v < 4],
  safari_pre_6: ["Safari", (v) => v < 6],
  edge_pre_79: ["Edge", (v) => v < 79],
};

/** The parser's browser names, as the legacy-browser filters name the families. */
const FAMILIES: Readonly<Record<string, string>> = {
  IE: "IE",
  IEMobile: "IE",
  Opera: "Opera",
  "Opera Mini": "Opera Mini",
  "Android Browser": "Android",
  Safari: "Safari",
  "Mobile Safari": "Safari",
  Edge: "Edge",
};

function isLegacyBrowser(userAgent: string, setting: InboundFilters["legacyBrowsers"]): boolean {
  if (setting !== "default" && setting.length === 0) return false;
  const browser = contextsFromUserAgent({ userAgent }).browser;
  const family = FAMILIES[String(browser?.name)];
  const major = Number.parseInt(String(browser?.version ?? ""), 10);
  if (!family || !Number.isFinite(major)) return false;
  if (setting === "default") return major < (DEFAULT_MINIMUM[family] ?? 0);
  return setting.some((sub) => {
    const [wanted, test] = SUBFILTER_TESTS[sub];
    return wanted === family && test(major);
  });
}
