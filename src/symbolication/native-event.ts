// What symbolication looks at in an event: which of its images are native, whether it has native
// frames left to symbolicate, the key an image is referenced by when its debug file is missing, and
// the event as it was before symbolication, for a second attempt when a debug file arrives late.
import type { DebugImage, NormalizedEvent, Stacktrace } from "../protocol/types.ts";
import { imageIdentity } from "./symbolicate.ts";

export const NATIVE_IMAGE_TYPES = new Set(["elf", "macho", "symbolic", "pe", "wasm"]);
/** Statuses of frames a newly uploaded debug file may still resolve. */
const RETRYABLE_STATUSES = new Set(["missing", "malformed"]);

function stacktraces(event: NormalizedEvent): Stacktrace[] {
  const out: Stacktrace[] = [];
  for (const value of event.exception?.values ?? []) if (value.stacktrace) out.push(value.stacktrace);
  for (const thread of event.threads?.values ?? []) if (thread.stacktrace) out.push(thread.stacktrace);
  if (event.stacktrace) out.push(event.stacktrace);
  return out;
}

/** Whether the event has native images and frames with addresses not yet symbolicated. */
export function needsSymbolication(event: NormalizedEvent): boolean {
  const images = event.debug_meta?.images ?? [];
  if (!images.some((image) => NATIVE_IMAGE_TYPES.has(image.type))) return false;
  return stacktraces(event).some((st) =>
    st.frames.some((f) => f.instruction_addr !== undefined && f.symbolicator_status === undefined),
  );
}

/** An image's debug id, or `code:<code id>` for an image with only a code id. */
export function imageKey(image: DebugImage): string | undefined {
  const identity = imageIdentity(image);
  if (identity.debugId) return identity.debugId;
  return identity.codeId ? `code:${identity.codeId}` : undefined;
}

/**
 * The event as it was before symbolication, for a second attempt: stack traces that were changed go
 * back to their `raw_stacktrace`; frames that failed for lack of a file lose their status so they
 * are tried again. Frames that were symbolicated stay as they are.
 */
export function unsymbolicated(event: NormalizedEvent): NormalizedEvent {
  const reset = (st: Stacktrace): Stacktrace => ({
    ...st,
    frames: st.frames.map((frame) => {
      if (frame.symbolicator_status === undefined || !RETRYABLE_STATUSES.has(frame.symbolicator_status))
        return frame;
      const { symbolicator_status: _, ...rest } = frame;
      return rest;
    }),
  });
  const out: NormalizedEvent = { ...event };
  if (event.exception) {
    out.exception = {
      ...event.exception,
      values: event.exception.values.map((value) => {
        const { raw_stacktrace, ...rest } = value;
        if (raw_stacktrace) return { ...rest, stacktrace: reset(raw_stacktrace) };
        return value.stacktrace ? { ...value, stacktrace: reset(value.stacktrace) } : value;
      }),
    };
  }
  if (event.threads) {
    out.threads = {
      ...event.threads,
      values: event.threads.values.map((thread) => {
        const { raw_stacktrace, ...rest } = thread;
        if (raw_stacktrace) return { ...rest, stacktrace: reset(raw_stacktrace) };
        return thread.stacktrace ? { ...thread, stacktrace: reset(thread.stacktrace) } : thread;
      }),
    };
  }
  if (event.stacktrace) out.stacktrace = reset(event.stacktrace);
  return out;
}
