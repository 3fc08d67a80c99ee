// `message` and `logentry`: the formatted text of a message event. `message` may be a plain string or
// a logentry-shaped object; `logentry` is `{message, formatted, params}`. The formatted text is the
// SDK's `formatted` when given, else `message` with its params substituted.
import { MAX_MESSAGE_CHARS } from "../../limits.ts";
import type { JsonValue } from "../types.ts";
import { trimDatabag } from "./databag.ts";
import { asObject, isAbsent, readString } from "./fields.ts";
import type { Notes } from "./notes.ts";

export interface LogEntry {
  message?: string;
  formatted?: string;
  params?: JsonValue;
}

export interface NormalizedMessage {
  /** The formatted text, for the event's top-level `message`. */
  message?: string;
  logentry?: LogEntry;
}

/** Reads `logentry` and `message` of an event into the formatted message and a clean logentry. */
export function normalizeMessage(logentryRaw: unknown, messageRaw: unknown, notes: Notes): NormalizedMessage {
  let source = asObject(logentryRaw);
  let sourcePath = "logentry";
  if (!source && !isAbsent(logentryRaw)) notes.add("invalid_data", "logentry", logentryRaw);
  let plain: string | undefined;
  const messageObject = asObject(messageRaw);
  if (messageObject) {
    if (!source) {
      source = messageObject;
      sourcePath = "message";
    }
  } else if (typeof messageRaw === "string") {
    plain = messageRaw;
  } else if (!isAbsent(messageRaw)) {
    notes.add("invalid_data", "message", messageRaw);
  }

  const entry: LogEntry = {};
  if (source) {
    const template = readString(source.message, MAX_MESSAGE_CHARS, notes, `${sourcePath}.message`);
    const formatted = readString(source.formatted, MAX_MESSAGE_CHARS, notes, `${sourcePath}.formatted`);
    const params = isAbsent(source.params)
      ? undefined
      : trimDatabag(source.params, notes, `${sourcePath}.params`);
    if (template !== undefined) entry.message = template;
    if (params !== undefined) entry.params = params;
    const text = formatted ?? (template !== undefined ? formatMessage(template, params) : undefined) ?? plain;
    if (text !== undefined) entry.formatted = text;
  } else if (plain !== undefined) {
    const text = readString(plain, MAX_MESSAGE_CHARS, notes, "message");
    if (text !== undefined) entry.formatted = text;
  }
  if (entry.formatted !== undefined && entry.formatted.length > MAX_MESSAGE_CHARS) {
    entry.formatted = readString(entry.formatted, MAX_MESSAGE_CHARS, notes, "logentry.formatted");
  }
  if (Object.keys(entry).length === 0) return {};
  const result: NormalizedMessage = { logentry: entry };
  if (entry.formatted !== undefined) result.message = entry.formatted;
  return result;
}

const PRINTF_OR_BRACES = /%%|%\(([A-Za-z_][A-Za-z0-9_]*)\)[sdifr]|%[sdifr]|\{(\d*)\}/g;

/**
 * Substitutes `params` into a message template: positional `%s`/`%d`/`%i`/`%f`/`%r` and `{}`/`{0}`
 * with a params list, `%(name)s` with a params object. Placeholders without a matching param stay as
 * written; without params the template is returned unchanged (as Python's logging does).
 */
export function formatMessage(template: string, params: JsonValue | undefined): string {
  const list = Array.isArray(params) ? params : undefined;
  const named = asObject(params);
  if ((!list || list.length === 0) && !named) return template;
  let next = 0;
  return template.replace(PRINTF_OR_BRACES, (token: string, name?: string, index?: string) => {
    if (token === "%%") return "%";
    if (name !== undefined) {
      return named && Object.hasOwn(named, name) ? paramText(named[name] ?? null) : token;
    }
    if (!list) return token;
    const at = index !== undefined && index !== "" ? Number(index) : next++;
    return at < list.length ? paramText(list[at] ?? null) : token;
  });
}

function paramText(value: JsonValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
