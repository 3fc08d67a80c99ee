// Sentry's default ("newstyle") grouping, simplified: the first of exception chain, thread or
// stack trace, message that contributes anything decides the hash; otherwise the fallback.
//
// Two variants are computed as in Sentry: `app` (only in-app frames) and `system` (all frames).
// The app variant is the primary one; when the event has no in-app frame at all the system
// variant takes its place. The system hash of an event grouped by its in-app frames is kept as a
// secondary hash (it can only ever match events with the same in-app frames).

import type { ExceptionValue, NormalizedEvent } from "../protocol/types.ts";
import { hasInAppFrame, type StacktraceMode, stacktraceValues, threadStacktrace } from "./frames.ts";
import { normalizeMessageForGrouping } from "./message.ts";

export type DefaultVariant = "stacktrace" | "exception" | "message" | "fallback";

export interface DefaultGrouping {
  variant: DefaultVariant;
  /** Contributing values of the primary variant (empty for the fallback). */
  values: string[];
  /** Contributing values of other variants worth attaching to the issue (differ from `values`). */
  alternates: string[][];
}

interface ChainValues {
  values: string[];
  /** True when at least one exception contributed stack frames. */
  hasFrames: boolean;
}

function isSynthetic(exception: ExceptionValue): boolean {
  return exception.mechanism?.synthetic === true;
}

/**
 * One block per exception, in chain order: its type (unless the mechanism says the exception is
 * synthetic) and its stack frames, or, when its stack trace contributes nothing, its parameterized
 * value instead.
 */
function chainValues(exceptions: ExceptionValue[], platform: string, mode: StacktraceMode): ChainValues {
  const values: string[] = [];
  let hasFrames = false;
  for (const exception of exceptions) {
    const block: string[] = [];
    const type = exception.type?.trim();
    if (type && !isSynthetic(exception)) block.push(`type:${type}`);
    const frames = stacktraceValues(exception.stacktrace, platform, mode);
    if (frames.length > 0) {
      hasFrames = true;
      block.push(...frames);
    } else if (exception.value?.trim()) {
      block.push(`value:${normalizeMessageForGrouping(exception.value.trim())}`);
    }
    if (block.length > 0) values.push("exception", ...block);
  }
  return { values, hasFrames };
}

function sameValues(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function exceptionGrouping(event: NormalizedEvent): DefaultGrouping | undefined {
  const exceptions = event.exception?.values ?? [];
  if (exceptions.length === 0) return undefined;
  const anyInApp = hasInAppFrame(exceptions.map((exception) => exception.stacktrace));
  const primary = chainValues(exceptions, event.platform, anyInApp ? "app" : "system");
  if (primary.values.length === 0) return undefined;
  if (!primary.hasFrames) return { variant: "exception", values: primary.values, alternates: [] };
  const alternates: string[][] = [];
  if (anyInApp) {
    const system = chainValues(exceptions, event.platform, "system");
    if (system.hasFrames && !sameValues(system.values, primary.values)) alternates.push(system.values);
  }
  return { variant: "stacktrace", values: primary.values, alternates };
}

function threadGrouping(event: NormalizedEvent): DefaultGrouping | undefined {
  const stacktrace = threadStacktrace(event);
  if (!stacktrace) return undefined;
  const anyInApp = hasInAppFrame([stacktrace]);
  const frames = stacktraceValues(stacktrace, event.platform, anyInApp ? "app" : "system");
  if (frames.length === 0) return undefined;
  const values = ["stacktrace", ...frames];
  const alternates: string[][] = [];
  if (anyInApp) {
    const system = ["stacktrace", ...stacktraceValues(stacktrace, event.platform, "system")];
    if (!sameValues(system, values)) alternates.push(system);
  }
  return { variant: "stacktrace", values, alternates };
}

/** The text a message event groups by: the logentry template if any, else the formatted message. */
export function groupingMessage(event: NormalizedEvent): string | undefined {
  const candidates = [event.logentry?.message, event.message, event.logentry?.formatted];
  return candidates.find((text): text is string => typeof text === "string" && text.trim() !== "");
}

function messageGrouping(event: NormalizedEvent): DefaultGrouping | undefined {
  const message = groupingMessage(event);
  if (message === undefined) return undefined;
  return {
    variant: "message",
    values: [`message:${normalizeMessageForGrouping(message.trim())}`],
    alternates: [],
  };
}

export function defaultGrouping(event: NormalizedEvent): DefaultGrouping {
  return (
    exceptionGrouping(event) ??
    threadGrouping(event) ??
    messageGrouping(event) ?? { variant: "fallback", values: [], alternates: [] }
  );
}
