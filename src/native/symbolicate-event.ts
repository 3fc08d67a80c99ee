// Symbolication of native events against the project's uploaded debug files, at ingest (before
// grouping, so grouping sees function names) and again when a debug file arrives late. Each image is
// matched to a debug file by debug id (code id only when the image has no debug id), the file's
// lookup is opened from R2 (cached per isolate), and the images an event's frames fell into are
// recorded with whether their file was missing, so a later upload can find the event.
import { FaultlineError } from "../errors.ts";
import type { DebugImage, NormalizedEvent, Stacktrace } from "../protocol/types.ts";
import type { Lookup } from "../symbolication/lookup-query.ts";
import { imageIdentity, symbolicateEvent } from "../symbolication/symbolicate.ts";
import { findCandidatesCached } from "./candidate-cache.ts";
import { openCachedLookup } from "./lookup-cache.ts";
import { bestCandidate, type Candidate, findCandidates } from "./lookup-store.ts";

export interface NativeContext {
  db: D1Database;
  bucket: R2Bucket;
  projectId: number;
  /** Ingest may answer from the isolate's recent lookups (see candidate-cache.ts); late jobs read D1. */
  cachedCandidates?: boolean;
}

/** One image the event's frames pointed into: its debug id (or `code:<code id>`), and whether its file was missing. */
export interface ImageReference {
  key: string;
  missing: boolean;
}

const NATIVE_IMAGE_TYPES = new Set(["elf", "macho", "symbolic", "pe", "wasm"]);
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

export function imageKey(image: DebugImage): string | undefined {
  const identity = imageIdentity(image);
  if (identity.debugId) return identity.debugId;
  return identity.codeId ? `code:${identity.codeId}` : undefined;
}

/**
 * Symbolicates the event's native frames with the debug files stored for the project. Returns the
 * new event and the images its frames referenced.
 */
export async function symbolicateStored(
  event: NormalizedEvent,
  ctx: NativeContext,
): Promise<{ event: NormalizedEvent; references: ImageReference[] }> {
  if (!needsSymbolication(event)) return { event, references: [] };
  const images = (event.debug_meta?.images ?? []).filter((image) => NATIVE_IMAGE_TYPES.has(image.type));
  const identities = images.map(imageIdentity);
  const candidates = await (ctx.cachedCandidates ? findCandidatesCached : findCandidates)(
    ctx.db,
    ctx.projectId,
    identities.flatMap((i) => (i.debugId ? [i.debugId] : [])),
    identities.flatMap((i) => (!i.debugId && i.codeId ? [i.codeId] : [])),
  );
  const references = new Map<string, boolean>();
  const resolved = new Map<DebugImage, Promise<Lookup | undefined>>();
  const resolve = async (image: DebugImage): Promise<Lookup | undefined> => {
    const identity = imageIdentity(image);
    const key = imageKey(image);
    const matching: Candidate[] = identity.debugId
      ? candidates.filter((c) => c.debugId === identity.debugId)
      : identity.codeId
        ? candidates.filter((c) => c.codeId === identity.codeId)
        : [];
    const best = bestCandidate(matching);
    if (key !== undefined) references.set(key, best === undefined);
    if (best?.lookupKey && best.lookupSize !== null) {
      return openCachedLookup(ctx.bucket, best.lookupKey, best.lookupSize);
    }
    if (matching.some((c) => c.lookupState === "error")) {
      throw new FaultlineError(400, "the debug file for this image has no usable symbols");
    }
    return undefined;
  };
  const findLookup = (image: DebugImage) => {
    let lookup = resolved.get(image);
    if (!lookup) {
      lookup = resolve(image);
      resolved.set(image, lookup);
    }
    return lookup;
  };
  const symbolicated = await symbolicateEvent(event, findLookup);
  return {
    event: symbolicated,
    references: [...references].map(([key, missing]) => ({ key, missing })),
  };
}

/**
 * Keeps the references a later debug file can act on: images whose file was missing. Only those are
 * stored (one row each), so an event whose frames all resolved costs no extra D1 rows; references that
 * are no longer missing (after a late file) are removed.
 */
export async function recordReferences(
  db: D1Database,
  projectId: number,
  event: Pick<NormalizedEvent, "event_id" | "timestamp">,
  references: readonly ImageReference[],
): Promise<void> {
  const missing = references.filter((r) => r.missing).slice(0, MAX_RECORDED_IMAGES);
  const resolved = references.filter((r) => !r.missing);
  const statements: D1PreparedStatement[] = [];
  if (missing.length > 0)
    statements.push(
      insertMissingImages(
        db,
        projectId,
        event,
        missing.map((r) => r.key),
      ),
    );
  if (resolved.length > 0) {
    statements.push(
      db
        .prepare(
          `DELETE FROM event_debug_images WHERE project_id = ? AND event_id = ? AND debug_id IN (${resolved.map(() => "?").join(",")})`,
        )
        .bind(projectId, event.event_id, ...resolved.map((r) => r.key)),
    );
  }
  if (statements.length > 0) await db.batch(statements);
}

/** Images of one event recorded at most (a crash rarely spans more; bounds the row count). */
const MAX_RECORDED_IMAGES = 16;

/** The statement recording an event's images that had no debug file (run in the ingest commit). */
export function insertMissingImages(
  db: D1Database,
  projectId: number,
  event: Pick<NormalizedEvent, "event_id" | "timestamp">,
  keys: readonly string[],
): D1PreparedStatement {
  const refs = keys.slice(0, MAX_RECORDED_IMAGES);
  return db
    .prepare(
      `INSERT OR REPLACE INTO event_debug_images (project_id, debug_id, event_id, timestamp, missing)
       VALUES ${refs.map(() => "(?, ?, ?, ?, 1)").join(", ")}`,
    )
    .bind(...refs.flatMap((key) => [projectId, key, event.event_id, event.timestamp]));
}

/**
 * The ingest step: symbolicate native frames with the stored debug files. Returns the event and the
 * images whose debug file was missing; the project's commit records those with the event, so the
 * reference exists exactly when the event does. Events without native frames touch no storage.
 */
export async function symbolicateNativeEvent(
  event: NormalizedEvent,
  ctx: NativeContext,
): Promise<{ event: NormalizedEvent; missingImages: string[] }> {
  try {
    const done = await symbolicateStored(event, ctx);
    const missingImages = done.references.filter((r) => r.missing).map((r) => r.key);
    return { event: done.event, missingImages: missingImages.slice(0, MAX_RECORDED_IMAGES) };
  } catch (error) {
    // Storage trouble must not lose the event: it is kept as sent (its frames unsymbolicated).
    console.error("symbolication failed", event.event_id, error);
    return { event, missingImages: [] };
  }
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
