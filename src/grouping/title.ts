// Issue title, culprit and metadata, as Sentry derives them: error events from the last exception
// in `exception.values` (the one actually raised; causes come first), message events from the
// formatted message.

import type { Frame, JsonObject, NormalizedEvent } from "../protocol/types.ts";
import { crashFrame, displayFunctionName, platformFamily, primaryStacktrace } from "./frames.ts";

const TITLE_VALUE_LENGTH = 100;
const CULPRIT_LENGTH = 200;
const METADATA_TYPE_LENGTH = 128;
const METADATA_VALUE_LENGTH = 1024;

/** Cuts to `max` characters including the trailing ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join("")}…` : text;
}

function firstLine(text: string): string {
  return text
    .trim()
    .split(/\r\n|\r|\n/)[0]!
    .trim();
}

export interface Description {
  title: string;
  culprit: string;
  metadata: JsonObject;
}

function frameFunction(event: NormalizedEvent, frame: Frame | undefined): string | undefined {
  return frame ? displayFunctionName(frame, platformFamily(frame.platform ?? event.platform)) : undefined;
}

/**
 * A frame as Sentry names it in a culprit: native frames by their function alone, JavaScript frames
 * `function(module)`, others `module in function` (`?` for a frame without a function). The module,
 * else the filename, locates it: a frame with neither is no culprit.
 */
function frameCulprit(event: NormalizedEvent, frame: Frame): string | undefined {
  const family = platformFamily(frame.platform ?? event.platform);
  if (family === "native") return frameFunction(event, frame);
  const location = frame.module || frame.filename;
  if (!location) return undefined;
  const fn = frame.function || "?";
  return family === "javascript" ? `${fn}(${location})` : `${location} in ${fn}`;
}

/**
 * The culprit of a stack trace as Sentry finds it: the most recent in-app frame that names one, else
 * what the most recent frame outside the app names. Native events keep the crash frame's function
 * alone (the frames of the panic machinery are not the culprit).
 */
function stacktraceCulprit(event: NormalizedEvent): string | undefined {
  if (platformFamily(event.platform) === "native") {
    const frame = crashFrame(event);
    return frame ? frameFunction(event, frame) : undefined;
  }
  const frames = primaryStacktrace(event)?.frames ?? [];
  let outside: string | undefined;
  let sawOutside = false;
  for (let i = frames.length - 1; i >= 0; i--) {
    const frame = frames[i]!;
    if (frame.in_app === true) {
      const culprit = frameCulprit(event, frame);
      if (culprit) return culprit;
    } else if (!sawOutside) {
      sawOutside = true;
      outside = frameCulprit(event, frame);
    }
  }
  return outside;
}

export function computeCulprit(event: NormalizedEvent): string {
  const request = event.request;
  const url = request && typeof request.url === "string" ? request.url : undefined;
  const culprit = event.transaction?.trim() || stacktraceCulprit(event) || event.culprit?.trim() || url || "";
  return truncate(culprit, CULPRIT_LENGTH);
}

function inAppFrameMix(event: NormalizedEvent): string | undefined {
  let inApp = 0;
  let system = 0;
  for (const exception of event.exception?.values ?? []) {
    for (const frame of exception.stacktrace?.frames ?? []) {
      if (frame.in_app === true) inApp++;
      else system++;
    }
  }
  if (inApp + system === 0) return undefined;
  if (system === 0) return "in-app-only";
  return inApp === 0 ? "system-only" : "mixed";
}

function errorDescription(event: NormalizedEvent): Omit<Description, "culprit"> | undefined {
  const exceptions = event.exception?.values ?? [];
  const last = exceptions[exceptions.length - 1];
  if (!last) return undefined;
  const type = last.type?.trim() || undefined;
  const value = last.value?.trim() || undefined;
  const synthetic = last.mechanism?.synthetic === true;
  const frame = crashFrame(event);
  const fn = frameFunction(event, frame);

  const metadata: JsonObject = { value: truncate(value ?? "", METADATA_VALUE_LENGTH) };
  // A synthetic exception's type is a placeholder (minidump, tracing wrapper), not a real type.
  if (type && !synthetic) metadata.type = truncate(type, METADATA_TYPE_LENGTH);
  const filename = frame?.filename || frame?.abs_path;
  if (filename) metadata.filename = filename;
  if (fn) metadata.function = fn;
  const mix = inAppFrameMix(event);
  if (mix) metadata.in_app_frame_mix = mix;

  const shownValue = value ? truncate(firstLine(value), TITLE_VALUE_LENGTH) : undefined;
  let title: string;
  if (synthetic) title = shownValue ?? fn ?? type ?? "<unknown>";
  else if (type && shownValue) title = `${type}: ${shownValue}`;
  else title = type ?? shownValue ?? fn ?? "<unknown>";
  return { title, metadata };
}

function messageTitle(event: NormalizedEvent): string {
  const candidates = [event.message, event.logentry?.formatted, event.logentry?.message];
  const message = candidates.find((text): text is string => typeof text === "string" && text.trim() !== "");
  return message === undefined ? "<unlabeled event>" : truncate(firstLine(message), TITLE_VALUE_LENGTH);
}

export function describeEvent(event: NormalizedEvent): Description {
  const culprit = computeCulprit(event);
  const error = errorDescription(event);
  if (error) return { ...error, culprit };
  const title = messageTitle(event);
  return { title, culprit, metadata: { title } };
}
