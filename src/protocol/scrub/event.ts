// Data scrubbing of a normalized event, before it is grouped or stored: every place an SDK puts data —
// extra, contexts, tags, user, request (headers, cookies, query, body, env), breadcrumbs, frame
// variables, span data and descriptions, the message — but never the exception value, file paths or
// debug images (as Sentry leaves them). What was removed is kept in the event's `_meta`.
import type { Breadcrumb, JsonObject, JsonValue, NormalizedEvent, Stacktrace } from "../types.ts";
import {
  FILTERED,
  isCredentialHeader,
  isSensitiveCookie,
  RULE_ANYTHING,
  RULE_IP_REMOVE,
  RULE_PASSWORD,
} from "./patterns.ts";
import { Scrubber, type ScrubbingSettings } from "./scrubber.ts";

export function scrubEvent(event: NormalizedEvent, settings: ScrubbingSettings): NormalizedEvent {
  const s = new Scrubber(settings);
  if (!s.active) return event;
  const out: NormalizedEvent = { ...event };
  if (event.extra) out.extra = s.object(event.extra, ["extra"]);
  if (event.contexts) out.contexts = s.object(event.contexts, ["contexts"]);
  out.tags = event.tags.map(([key, value], i) => [
    key,
    String(s.value(value, key, ["tags", String(i), "1"])),
  ]);
  if (event.message !== undefined) out.message = s.text(event.message, ["message"]);
  if (event.logentry?.formatted !== undefined) {
    out.logentry = {
      ...event.logentry,
      formatted: s.text(event.logentry.formatted, ["logentry", "formatted"]),
    };
  }
  if (event.user) out.user = scrubUser(event.user, s);
  if (event.request) out.request = scrubRequest(event.request, s);
  if (event.sdk && settings.scrubIpAddresses && event.sdk.client_ip !== undefined) {
    const { client_ip: _ip, ...sdk } = event.sdk;
    s.remove(["sdk", "client_ip"], RULE_IP_REMOVE);
    out.sdk = sdk;
  }
  if (event.breadcrumbs) {
    out.breadcrumbs = {
      values: event.breadcrumbs.values.map((crumb, i) =>
        scrubCrumb(crumb, s, ["breadcrumbs", "values", String(i)]),
      ),
    };
  }
  if (event.exception) {
    out.exception = {
      values: event.exception.values.map((value, i) => {
        const path = ["exception", "values", String(i)];
        const scrubbed = { ...value };
        if (value.stacktrace) scrubbed.stacktrace = scrubStack(value.stacktrace, s, [...path, "stacktrace"]);
        if (value.raw_stacktrace) {
          scrubbed.raw_stacktrace = scrubStack(value.raw_stacktrace, s, [...path, "raw_stacktrace"]);
        }
        const data = value.mechanism?.data;
        if (value.mechanism && data && typeof data === "object" && !Array.isArray(data)) {
          scrubbed.mechanism = { ...value.mechanism, data: s.object(data, [...path, "mechanism", "data"]) };
        }
        return scrubbed;
      }),
    };
  }
  if (event.threads) {
    out.threads = {
      values: event.threads.values.map((thread, i) =>
        thread.stacktrace
          ? {
              ...thread,
              stacktrace: scrubStack(thread.stacktrace, s, ["threads", "values", String(i), "stacktrace"]),
            }
          : thread,
      ),
    };
  }
  if (event.stacktrace) out.stacktrace = scrubStack(event.stacktrace, s, ["stacktrace"]);
  if (event.spans) out.spans = event.spans.map((span, i) => scrubSpan(span, s, ["spans", String(i)]));
  if (s.meta.size > 0) out._meta = s.meta.root;
  return out;
}

function scrubUser(user: NonNullable<NormalizedEvent["user"]>, s: Scrubber): NormalizedEvent["user"] {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(user)) {
    if (value === undefined) continue;
    if (key === "ip_address" && s.settings.scrubIpAddresses) {
      s.remove(["user", key], RULE_IP_REMOVE);
      continue;
    }
    // The user's own identifiers are what an issue is counted by; only what they carry is scrubbed.
    out[key] =
      key === "id" || key === "email" || key === "username" ? value : s.value(value, key, ["user", key]);
  }
  return out as NormalizedEvent["user"];
}

function scrubRequest(request: JsonObject, s: Scrubber): JsonObject {
  const out: JsonObject = { ...request };
  const defaults = s.settings.dataScrubber && s.settings.dataScrubberDefaults;
  if (typeof request.url === "string") out.url = scrubUrl(request.url, s, ["request", "url"]);
  if (Array.isArray(request.headers)) {
    out.headers = scrubPairs(request.headers, s, ["request", "headers"], (name) => {
      if (name.toLowerCase() === "user-agent") return "keep";
      return defaults && isCredentialHeader(name) ? RULE_ANYTHING : undefined;
    });
  }
  if (Array.isArray(request.cookies)) {
    out.cookies = scrubPairs(request.cookies, s, ["request", "cookies"], (name) =>
      defaults && isSensitiveCookie(name) ? RULE_ANYTHING : undefined,
    );
  }
  if (Array.isArray(request.query_string)) {
    out.query_string = scrubPairs(request.query_string, s, ["request", "query_string"], () => undefined);
  } else if (typeof request.query_string === "string") {
    out.query_string = scrubQuery(request.query_string, s, ["request", "query_string"]);
  }
  if (request.data !== undefined) out.data = scrubBody(request.data, s, ["request", "data"]);
  const env = request.env;
  if (env && typeof env === "object" && !Array.isArray(env)) {
    const kept: JsonObject = {};
    for (const [key, value] of Object.entries(env)) {
      if (value === undefined) continue;
      if (key === "REMOTE_ADDR" && s.settings.scrubIpAddresses)
        s.remove(["request", "env", key], RULE_IP_REMOVE);
      else kept[key] = s.value(value, key, ["request", "env", key]);
    }
    out.env = kept;
  }
  return out;
}

/** `[name, value]` pairs; `ruleFor` may keep a pair as it is or filter it whatever its name says. */
function scrubPairs(
  pairs: JsonValue[],
  s: Scrubber,
  path: string[],
  ruleFor: (name: string) => string | "keep" | undefined,
): JsonValue[] {
  return pairs.map((pair, i) => {
    if (!Array.isArray(pair) || typeof pair[0] !== "string" || pair[1] === undefined) return pair;
    const [name, value] = pair;
    const at = [...path, String(i), "1"];
    const rule = ruleFor(name);
    if (rule === "keep") return pair;
    if (rule && !s.isSafe(name)) return [name, s.filter(value, at, rule)];
    return [name, s.value(value, name, at)];
  });
}

/** A query string kept as a string (`a=1&token=x`): each value judged by its name, remarks in one place. */
function scrubQuery(query: string, s: Scrubber, path: string[]): string {
  let changed = false;
  const parts = query.split("&").map((part) => {
    const eq = part.indexOf("=");
    if (eq < 0) return part;
    const name = safeDecode(part.slice(0, eq));
    const value = part.slice(eq + 1);
    const rule = s.keyRule(name);
    if (rule && value !== "") {
      changed = true;
      return `${part.slice(0, eq)}=${FILTERED}`;
    }
    return part;
  });
  const joined = parts.join("&");
  const scrubbed = changed ? joined : query;
  if (changed) s.meta.add(path, [[RULE_PASSWORD, "s"]], query.length);
  return s.text(scrubbed, path);
}

/** A URL: a password in its authority and secret query parameters (`?token=…`) are filtered. */
function scrubUrl(url: string, s: Scrubber, path: string[]): string {
  const q = url.indexOf("?");
  if (q < 0) return s.text(url, path);
  const hash = url.indexOf("#", q);
  const query = hash < 0 ? url.slice(q + 1) : url.slice(q + 1, hash);
  const probe = new Scrubber(s.settings);
  const scrubbed = scrubQuery(query, probe, []);
  if (probe.meta.size > 0) s.meta.add(path, [[RULE_PASSWORD, "s"]], url.length);
  return s.text(`${url.slice(0, q + 1)}${scrubbed}${hash < 0 ? "" : url.slice(hash)}`, path);
}

/** A request body: parsed JSON objects and form-encoded text are scrubbed by key, any string by value. */
function scrubBody(data: JsonValue, s: Scrubber, path: string[]): JsonValue {
  if (typeof data !== "string") return s.value(data, null, path);
  const trimmed = data.trim();
  if (trimmed.startsWith("{")) {
    try {
      const parsed = JSON.parse(trimmed) as JsonValue;
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
        const probe = new Scrubber(s.settings);
        const scrubbed = probe.object(parsed, []);
        if (probe.meta.size === 0) return data;
        s.meta.add(path, [[RULE_PASSWORD, "s"]], data.length);
        return JSON.stringify(scrubbed);
      }
    } catch {
      // Not JSON: scrubbed as text below.
    }
  }
  if (/^[^\s=&]+=[^\s]*(&[^\s=&]+=[^\s]*)*$/.test(trimmed)) return scrubQuery(trimmed, s, path);
  return s.text(data, path);
}

function scrubCrumb(crumb: Breadcrumb, s: Scrubber, path: string[]): Breadcrumb {
  const out: Breadcrumb = { ...crumb };
  for (const [key, value] of Object.entries(crumb)) {
    if (value === undefined || key === "timestamp" || key === "type" || key === "level" || key === "event_id")
      continue;
    if (key === "category") continue;
    if (key === "message" && typeof value === "string") out.message = s.text(value, [...path, key]);
    else if (key === "data" && value && typeof value === "object" && !Array.isArray(value)) {
      out.data = s.object(value, [...path, key]);
    } else out[key] = s.value(value, key, [...path, key]);
  }
  return out;
}

function scrubStack(stack: Stacktrace, s: Scrubber, path: string[]): Stacktrace {
  return {
    ...stack,
    frames: stack.frames.map((frame, i) =>
      frame.vars ? { ...frame, vars: s.object(frame.vars, [...path, "frames", String(i), "vars"]) } : frame,
    ),
  };
}

function scrubSpan(span: JsonObject, s: Scrubber, path: string[]): JsonObject {
  const out: JsonObject = { ...span };
  if (typeof span.description === "string")
    out.description = s.text(span.description, [...path, "description"]);
  const data = span.data;
  if (data && typeof data === "object" && !Array.isArray(data)) out.data = s.object(data, [...path, "data"]);
  const tags = span.tags;
  if (tags && typeof tags === "object" && !Array.isArray(tags)) out.tags = s.object(tags, [...path, "tags"]);
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}
