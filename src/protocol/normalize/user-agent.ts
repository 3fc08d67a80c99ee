// Browser, OS and device contexts derived from the request's User-Agent and client hints, for events
// that lack them (browser SDKs send the User-Agent only in `request.headers`). Like Relay: client hints
// win over the User-Agent string (which Chromium freezes), contexts the SDK sent are never replaced,
// and the OS goes to `client_os` unless the event comes from JavaScript, so a server SDK's own `os`
// context stays what it is.
//
// Parsing: ua-parser-js (the MIT 1.x line) knows browsers, operating systems and thousands of device
// models with their vendors; it reads a crawler's UA as the Chrome the crawler embeds, so bowser, which
// recognizes crawlers, decides whether the agent is a bot first.
import Bowser from "bowser";
import UAParser from "ua-parser-js";
import { MAX_SHORT_STRING_CHARS } from "../../limits.ts";
import { truncate } from "../items/json.ts";
import type { JsonObject } from "../types.ts";

/** The headers the derivation reads, lower-cased names. */
export interface UserAgentInfo {
  userAgent?: string;
  /** `Sec-CH-UA`: significant versions of the brands. */
  secChUa?: string;
  /** `Sec-CH-UA-Full-Version-List`: full versions of the brands. */
  secChUaFullVersionList?: string;
  secChUaPlatform?: string;
  secChUaPlatformVersion?: string;
  secChUaModel?: string;
}

const HEADERS: Record<string, keyof UserAgentInfo> = {
  "user-agent": "userAgent",
  "sec-ch-ua": "secChUa",
  "sec-ch-ua-full-version-list": "secChUaFullVersionList",
  "sec-ch-ua-platform": "secChUaPlatform",
  "sec-ch-ua-platform-version": "secChUaPlatformVersion",
  "sec-ch-ua-model": "secChUaModel",
};

/** The User-Agent and client hint headers among `[name, value]` pairs (the first of each wins). */
export function userAgentInfo(headers: unknown): UserAgentInfo {
  const info: UserAgentInfo = {};
  for (const pair of Array.isArray(headers) ? headers : []) {
    if (!Array.isArray(pair)) continue;
    const [name, value] = pair;
    if (typeof name !== "string" || typeof value !== "string") continue;
    const field = HEADERS[name.toLowerCase()];
    if (field && info[field] === undefined && value.trim() !== "") info[field] = value;
  }
  return info;
}

export interface DerivedContexts {
  browser?: JsonObject;
  os?: JsonObject;
  device?: JsonObject;
}

/** Contexts for what the headers tell; only the ones that can be known. */
export function contextsFromUserAgent(info: UserAgentInfo): DerivedContexts {
  const ua = info.userAgent === undefined ? undefined : parseUserAgent(info.userAgent);
  const derived: DerivedContexts = {};
  const browser = browserFromHints(info) ?? ua?.browser;
  if (browser) derived.browser = { type: "browser", ...browser };
  const os = osFromHints(info) ?? ua?.os;
  if (os) derived.os = { type: "os", ...os };
  const model = unquote(info.secChUaModel);
  const device = model ? { model } : ua?.device;
  if (device) derived.device = { type: "device", ...device };
  return derived;
}

/**
 * Adds the derived contexts the event lacks to `contexts` (a new object; the input is not changed).
 * `platform` decides where the OS goes: `os` for JavaScript events, `client_os` otherwise.
 */
export function withUserAgentContexts(
  contexts: JsonObject | undefined,
  headers: unknown,
  platform: string,
): JsonObject | undefined {
  const info = userAgentInfo(headers);
  if (info.userAgent === undefined && info.secChUa === undefined && info.secChUaPlatform === undefined) {
    return contexts;
  }
  const derived = contextsFromUserAgent(info);
  const out: JsonObject = { ...contexts };
  const osKey = platform === "javascript" ? "os" : "client_os";
  for (const [key, context] of [
    ["browser", derived.browser],
    ["device", derived.device],
    [osKey, derived.os],
  ] as const) {
    if (context && out[key] === undefined) out[key] = context;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Whether the User-Agent is a crawler's (search engines, AI and SEO bots, link previews). */
export function isCrawler(userAgent: string): boolean {
  return Bowser.parse(userAgent).platform.type === "bot";
}

interface ParsedAgent {
  browser?: { name: string; version?: string };
  os?: { name: string; version?: string };
  device?: { family: string; model?: string; brand?: string };
}

function parseUserAgent(userAgent: string): ParsedAgent {
  const parsed = new UAParser(userAgent).getResult();
  const agent: ParsedAgent = {};
  const os = named(parsed.os.name, frozenVersion(parsed.os.name, parsed.os.version));
  if (os) agent.os = os;
  const bot = Bowser.parse(userAgent);
  if (bot.platform.type === "bot" && bot.browser.name) {
    // uap-core (Relay's parser data) names every crawler's device "Spider"; Sentry users filter on it.
    agent.browser = named(bot.browser.name, bot.browser.version);
    agent.device = { family: "Spider", ...(bot.platform.vendor ? { brand: clip(bot.platform.vendor) } : {}) };
    return agent;
  }
  const browser = named(parsed.browser.name, parsed.browser.version);
  if (browser) agent.browser = browser;
  const { vendor, model } = parsed.device;
  if (model) {
    agent.device = { family: deviceFamily(vendor, model), model: clip(model) };
    if (vendor) agent.device.brand = clip(vendor);
  }
  return agent;
}

/** "Samsung SM-S918B" for an Android model code; Apple's and already-branded models as they are. */
function deviceFamily(vendor: string | undefined, model: string): string {
  if (!vendor || vendor === "Apple" || model.toLowerCase().startsWith(vendor.toLowerCase()))
    return clip(model);
  return clip(`${vendor} ${model}`);
}

/**
 * User-Agent strings stopped at Windows 10 and macOS 10.15.7: a later system reports the same, so the
 * version says "at least" (as Sentry shows it).
 */
function frozenVersion(name: string | undefined, version: string | undefined): string | undefined {
  if ((name === "Windows" && version === "10") || (name === "Mac OS" && version === "10.15.7")) {
    return `>=${version}`;
  }
  return version;
}

// --- client hints (structured header values, RFC 8941) -------------------------------------------------

/** Hint brands named as the User-Agent parser names them, so one browser has one name. */
const BRAND_NAMES: Record<string, string> = {
  "Google Chrome": "Chrome",
  "Microsoft Edge": "Edge",
};

function browserFromHints(info: UserAgentInfo): { name: string; version?: string } | undefined {
  const brands = parseBrandList(info.secChUaFullVersionList) ?? parseBrandList(info.secChUa);
  // Grease brands ("Not A(Brand") and the engine are listed beside the product, in random order.
  const product = brands?.find(
    (b) => !b.brand.includes("Brand") && b.brand !== "Chromium" && b.brand.trim() !== "",
  );
  if (!product) return undefined;
  return named(BRAND_NAMES[product.brand] ?? product.brand, product.version);
}

function osFromHints(info: UserAgentInfo): { name: string; version?: string } | undefined {
  const platform = unquote(info.secChUaPlatform);
  if (!platform || platform === "Unknown") return undefined;
  return named(platform, unquote(info.secChUaPlatformVersion));
}

/** `"Chromium";v="131", "Not_A Brand";v="24"` → brands with versions; undefined when unreadable. */
export function parseBrandList(value: string | undefined): { brand: string; version?: string }[] | undefined {
  if (value === undefined) return undefined;
  const brands: { brand: string; version?: string }[] = [];
  for (const member of splitOutsideQuotes(value, ",")) {
    const [item, ...params] = splitOutsideQuotes(member, ";");
    const brand = unquote(item);
    if (brand === undefined) continue;
    let version: string | undefined;
    for (const param of params) {
      const eq = param.indexOf("=");
      if (eq > 0 && param.slice(0, eq).trim() === "v") version = unquote(param.slice(eq + 1));
    }
    brands.push(version === undefined ? { brand } : { brand, version });
  }
  return brands.length > 0 ? brands : undefined;
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === "\\" && quoted && i + 1 < text.length) {
      current += ch + text[++i];
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

/** An sf-string's content (`"Linux"` → `Linux`); a bare token as it is; empty → undefined. */
function unquote(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let text = value.trim();
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    text = text.slice(1, -1).replace(/\\(.)/g, "$1");
  }
  text = text.trim();
  return text === "" ? undefined : clip(text);
}

function named(
  name: string | undefined,
  version: string | undefined,
): { name: string; version?: string } | undefined {
  if (!name) return undefined;
  return version ? { name: clip(name), version: clip(version) } : { name: clip(name) };
}

const clip = (text: string) => truncate(text, MAX_SHORT_STRING_CHARS);
