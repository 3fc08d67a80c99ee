// The data scrubber: walks JSON values with the key each sits under, replaces secrets, and records what it
// removed as Sentry's `_meta` does — a tree shaped like the data, whose `""` entries hold remarks
// `[rule, "s" (substituted) | "x" (removed), start?, end?]` and the original length. Pure: settings in,
// values and meta out.
import type { JsonObject, JsonValue } from "../types.ts";
import {
  DEFAULT_VALUE_PATTERNS,
  FILTERED,
  IP_PATTERNS,
  isSecretKey,
  RULE_PASSWORD,
  RULE_SENSITIVE_FIELDS,
  type ValuePattern,
} from "./patterns.ts";

/** A project's data scrubbing settings, as Sentry's project options name them. */
export interface ScrubbingSettings {
  /** `dataScrubber`: scrub at all (off: nothing but IP addresses, when asked, is touched). */
  dataScrubber: boolean;
  /** `dataScrubberDefaults`: Sentry's default secret keys and value patterns. */
  dataScrubberDefaults: boolean;
  /** `scrubIPAddresses`: remove the user's IP and replace addresses found in strings. */
  scrubIpAddresses: boolean;
  /** `sensitiveFields`: more keys whose values are filtered (case-insensitive, anywhere in the key). */
  sensitiveFields: readonly string[];
  /** `safeFields`: keys never scrubbed, nor anything under them. */
  safeFields: readonly string[];
}

export const DEFAULT_SCRUBBING: ScrubbingSettings = {
  dataScrubber: true,
  dataScrubberDefaults: true,
  scrubIpAddresses: false,
  sensitiveFields: [],
  safeFields: [],
};

export type Remark = [rule: string, kind: "s" | "x"] | [rule: string, kind: "s", start: number, end: number];

/** Collects `_meta` remarks at paths (keys of objects, indexes of arrays as strings). */
export class MetaTree {
  readonly root: JsonObject = {};
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(path: readonly string[], remarks: Remark[], originalLength?: number): void {
    let node = this.root;
    for (const part of path) {
      const next = node[part];
      if (next && typeof next === "object" && !Array.isArray(next)) node = next;
      else {
        const created: JsonObject = {};
        node[part] = created;
        node = created;
      }
    }
    const entry = (node[""] ?? {}) as JsonObject;
    const rem = Array.isArray(entry.rem) ? entry.rem : [];
    entry.rem = [...rem, ...remarks];
    if (originalLength !== undefined && entry.len === undefined) entry.len = originalLength;
    node[""] = entry;
    this.count += remarks.length;
  }
}

/** One scrubbing pass: the settings compiled once, the meta of everything it touched. */
export class Scrubber {
  readonly meta = new MetaTree();
  private readonly sensitive: string[];
  private readonly safe: Set<string>;
  private readonly patterns: ValuePattern[];

  constructor(readonly settings: ScrubbingSettings) {
    this.sensitive = settings.sensitiveFields.map((f) => f.trim().toLowerCase()).filter((f) => f !== "");
    this.safe = new Set(settings.safeFields.map((f) => f.trim().toLowerCase()).filter((f) => f !== ""));
    this.patterns = [
      ...(settings.dataScrubber && settings.dataScrubberDefaults ? DEFAULT_VALUE_PATTERNS : []),
      ...(settings.scrubIpAddresses ? IP_PATTERNS : []),
    ];
  }

  /** Whether this pass can change anything at all. */
  get active(): boolean {
    return this.settings.dataScrubber || this.settings.scrubIpAddresses;
  }

  isSafe(key: string): boolean {
    return this.safe.has(key.toLowerCase());
  }

  /** The rule that filters a value under `key` whole, if any. */
  keyRule(key: string): string | undefined {
    if (!this.settings.dataScrubber || this.isSafe(key)) return undefined;
    if (this.settings.dataScrubberDefaults && isSecretKey(key)) return RULE_PASSWORD;
    const lower = key.toLowerCase();
    if (this.sensitive.some((field) => lower.includes(field))) return RULE_SENSITIVE_FIELDS;
    return undefined;
  }

  /** Replaces a whole value with "[Filtered]", remarking it at `path`. */
  filter(value: JsonValue, path: readonly string[], rule: string): JsonValue {
    if (value === null || value === "" || value === FILTERED) return value;
    const length = typeof value === "string" ? value.length : undefined;
    this.meta.add(path, [[rule, "s", 0, FILTERED.length]], length);
    return FILTERED;
  }

  /** Removes a value (an IP address field), remarking it at `path`. */
  remove(path: readonly string[], rule: string): void {
    this.meta.add(path, [[rule, "x"]]);
  }

  /**
   * A value found under `key` at `path`: filtered whole when the key is secret, otherwise its strings
   * searched for secrets and its containers walked.
   */
  value(value: JsonValue, key: string | null, path: readonly string[]): JsonValue {
    if (key !== null) {
      if (this.isSafe(key)) return value;
      const rule = this.keyRule(key);
      if (rule) return this.filter(value, path, rule);
    }
    if (typeof value === "string") return this.text(value, path);
    if (Array.isArray(value)) return value.map((v, i) => this.value(v, null, [...path, String(i)]));
    if (value && typeof value === "object") return this.object(value, path);
    return value;
  }

  object(value: JsonObject, path: readonly string[]): JsonObject {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = this.value(v, k, [...path, k]);
    }
    return out;
  }

  /** A string's secrets replaced in place; remarks give the replaced ranges in the new string. */
  text(value: string, path: readonly string[]): string {
    if (this.patterns.length === 0 || value.length < 7) return value;
    const found = findSecrets(value, this.patterns);
    if (found.length === 0) return value;
    let out = "";
    let last = 0;
    const remarks: Remark[] = [];
    for (const { start, end, pattern } of found) {
      out += value.slice(last, start);
      remarks.push([pattern.rule, "s", out.length, out.length + pattern.text.length]);
      out += pattern.text;
      last = end;
    }
    this.meta.add(path, remarks, value.length);
    return out + value.slice(last);
  }
}

interface Found {
  start: number;
  end: number;
  pattern: ValuePattern;
  /** The pattern's place in the list: the earlier wins an overlap. */
  rank: number;
}

/** Every pattern's matches in the original string, in order; where two overlap the earlier pattern wins. */
function findSecrets(text: string, patterns: readonly ValuePattern[]): Found[] {
  const all: Found[] = [];
  patterns.forEach((pattern, rank) => {
    // Most strings hold no secret: one scan answers that without matchAll's copy of the regex.
    pattern.regex.lastIndex = 0;
    if (!pattern.regex.test(text)) return;
    pattern.regex.lastIndex = 0;
    for (const match of text.matchAll(pattern.regex)) {
      const part = match[pattern.group];
      if (part === undefined || part === "" || part === pattern.text) continue;
      if (pattern.accept && !pattern.accept(part)) continue;
      const offset = pattern.group === 0 ? 0 : match[0].indexOf(part);
      const start = (match.index ?? 0) + offset;
      all.push({ start, end: start + part.length, pattern, rank });
    }
  });
  all.sort((a, b) => a.rank - b.rank || a.start - b.start);
  const kept: Found[] = [];
  for (const f of all) {
    if (kept.some((k) => f.start < k.end && k.start < f.end)) continue;
    kept.push(f);
  }
  return kept.sort((a, b) => a.start - b.start);
}
