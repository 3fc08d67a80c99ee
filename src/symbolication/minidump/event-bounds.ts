// Keeps a walked minidump's event within the event size limit: a dump of hundreds of threads with deep
// stacks would walk into more JSON than one event may carry. The crash is kept whole as long as it
// can be; the other threads' stacks are cut first (their innermost frames kept), then dropped.
import type { JsonObject, JsonValue } from "../../protocol/types.ts";

const encoder = new TextEncoder();
const size = (value: JsonValue) => encoder.encode(JSON.stringify(value)).byteLength;

interface StackHolder {
  stacktrace?: { frames: JsonValue[]; frames_omitted?: JsonValue };
}

function cut(holder: StackHolder, keep: number): void {
  const st = holder.stacktrace;
  if (!st || st.frames.length <= keep) return;
  const dropped = st.frames.length - keep;
  // Frames are caller-first: keep the innermost (last) ones.
  st.frames = keep === 0 ? [] : st.frames.slice(-keep);
  st.frames_omitted = [0, dropped];
  if (keep === 0) delete holder.stacktrace;
}

/** Trims the event in place until it serializes to at most `maxBytes`; returns whether anything was cut. */
export function boundMinidumpEvent(event: JsonObject, maxBytes: number): boolean {
  if (size(event) <= maxBytes) return false;
  const threads = ((event.threads as JsonObject | undefined)?.values ?? []) as StackHolder[];
  const exceptions = ((event.exception as JsonObject | undefined)?.values ?? []) as StackHolder[];
  for (const keep of [64, 16, 0]) {
    for (const thread of threads) cut(thread, keep);
    if (size(event) <= maxBytes) return true;
  }
  for (const keep of [256, 64]) {
    for (const exception of exceptions) cut(exception, keep);
    if (size(event) <= maxBytes) return true;
  }
  const images = (event.debug_meta as JsonObject | undefined)?.images;
  if (Array.isArray(images) && images.length > 256) images.length = 256;
  return true;
}
