// Symbolication of native events against the project's uploaded debug files, at ingest (before
// grouping, so grouping sees function names) and again when a debug file arrives late. Each image is
// matched to a debug file by debug id (code id only when the image has no debug id), the file's
// lookup is opened from R2 (cached per isolate), and the images an event's frames fell into are
// recorded with whether their file was missing, so a later upload can find the event.
import type { BlobBucket } from "../blobs/bucket.ts";
import { recordImageReferences } from "../db/event-debug-images.ts";
import { FaultlineError } from "../errors.ts";
import { MAX_RECORDED_IMAGES } from "../limits.ts";
import type { DebugImage, NormalizedEvent } from "../protocol/types.ts";
import type { Lookup } from "../symbolication/lookup-query.ts";
import { imageKey, NATIVE_IMAGE_TYPES, needsSymbolication } from "../symbolication/native-event.ts";
import { imageIdentity, symbolicateEvent } from "../symbolication/symbolicate.ts";
import { findCandidatesCached } from "./candidate-cache.ts";
import { bestCandidate, type Candidate, findCandidates } from "./candidates.ts";
import { openCachedLookup } from "./lookup-cache.ts";

export interface NativeContext {
  db: D1Database;
  bucket: BlobBucket;
  projectId: number;
  /**
   * Ingest answers from the isolate's recent lookups (see candidate-cache.ts), reloading expired ones
   * in `background` when given; late jobs read D1.
   */
  cachedCandidates?: { background?: (work: Promise<unknown>) => void };
}

/** One image the event's frames pointed into: its debug id (or `code:<code id>`), and whether its file was missing. */
export interface ImageReference {
  key: string;
  missing: boolean;
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
  const debugIds = identities.flatMap((i) => (i.debugId ? [i.debugId] : []));
  const codeIds = identities.flatMap((i) => (!i.debugId && i.codeId ? [i.codeId] : []));
  const candidates = ctx.cachedCandidates
    ? await findCandidatesCached(ctx.db, ctx.projectId, debugIds, codeIds, {
        background: ctx.cachedCandidates.background,
      })
    : await findCandidates(ctx.db, ctx.projectId, debugIds, codeIds);
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
 * Keeps the references a later debug file can act on: images whose file was missing. References that
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
  await recordImageReferences(
    db,
    projectId,
    event,
    missing.map((r) => r.key),
    resolved.map((r) => r.key),
  );
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
