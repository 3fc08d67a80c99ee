// Custom fingerprints (`event.fingerprint`). Without `{{ default }}` the fingerprint alone decides
// the group; with it, the default grouping values are spliced in at that position and the other
// entries refine it. A fingerprint of only `{{ default }}` is the default grouping.
//
// Variables (Sentry's names): default, transaction, type / error.type, value / error.value,
// function / stack.function, module / stack.module, package / stack.package, level, logger,
// message, tags.<key>. A variable with no value resolves to a `<no-…>` marker; unknown variables
// stay literal.

import type { NormalizedEvent } from "../protocol/types.ts";
import type { DefaultGrouping } from "./components.ts";
import { crashFrame, displayFunctionName, platformFamily } from "./frames.ts";

const VARIABLE = /^\{\{\s*([^{}\s]+)\s*\}\}$/;

type Entry = { kind: "default" } | { kind: "value"; value: string };

function lastException(event: NormalizedEvent) {
  const values = event.exception?.values ?? [];
  return values[values.length - 1];
}

function resolveVariable(event: NormalizedEvent, name: string): string | undefined {
  const key = name.toLowerCase();
  if (key.startsWith("tags.")) {
    const tag = name.slice("tags.".length);
    const found = event.tags.find(([k]) => k === tag);
    return found ? found[1] : `<no-value-for-tag-${tag}>`;
  }
  switch (key) {
    case "transaction":
      return event.transaction || "<no-transaction>";
    case "type":
    case "error.type":
      return lastException(event)?.type || "<no-type>";
    case "value":
    case "error.value":
      return lastException(event)?.value || "<no-value>";
    case "function":
    case "stack.function": {
      const frame = crashFrame(event);
      const fn = frame && displayFunctionName(frame, platformFamily(frame.platform ?? event.platform));
      return fn || "<no-function>";
    }
    case "module":
    case "stack.module":
      return crashFrame(event)?.module || "<no-module>";
    case "package":
    case "stack.package":
      return crashFrame(event)?.package || "<no-package>";
    case "level":
      return event.level;
    case "logger":
      return event.logger || "<no-logger>";
    case "message":
      return event.message || event.logentry?.formatted || event.logentry?.message || "<no-message>";
    default:
      return undefined;
  }
}

function parseEntries(event: NormalizedEvent, fingerprint: readonly unknown[]): Entry[] {
  return fingerprint.map((raw): Entry => {
    const text = String(raw);
    const match = VARIABLE.exec(text.trim());
    if (!match) return { kind: "value", value: text };
    const name = match[1]!;
    if (name.toLowerCase() === "default") return { kind: "default" };
    return { kind: "value", value: resolveVariable(event, name) ?? text };
  });
}

export interface FingerprintGrouping {
  variant: string;
  values: string[];
  alternates: string[][];
}

/**
 * Applies the event's fingerprint to the default grouping; undefined when there is none, or it
 * only asks for the default.
 */
export function applyFingerprint(
  event: NormalizedEvent,
  defaults: DefaultGrouping,
): FingerprintGrouping | undefined {
  const fingerprint = event.fingerprint;
  if (!Array.isArray(fingerprint) || fingerprint.length === 0) return undefined;
  const entries = parseEntries(event, fingerprint);
  if (entries.every((entry) => entry.kind === "default")) return undefined;
  const withDefault = entries.some((entry) => entry.kind === "default");
  const expand = (defaultValues: readonly string[]): string[] => {
    const out: string[] = [];
    for (const entry of entries) {
      if (entry.kind === "default") out.push("default", ...defaultValues);
      else out.push(`fingerprint:${entry.value}`);
    }
    return out;
  };
  if (!withDefault) return { variant: "custom-fingerprint", values: expand([]), alternates: [] };
  return {
    variant: defaults.variant,
    values: expand(defaults.values),
    alternates: defaults.alternates.map(expand),
  };
}
