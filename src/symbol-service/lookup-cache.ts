// Opened symbol lookups kept per isolate: opening reads the lookup's header (two small R2 GETs), and
// every opened lookup caches the pages it read, so the frames of the next events of the same build
// cost no R2 reads at all. Lookups are immutable (keyed by the debug file's SHA-1), so a cached one is
// never stale; a deleted one fails its next page read and its frames come out `malformed`.
import type { BlobBucket } from "../blobs/bucket.ts";
import { lookupByteSource } from "../blobs/lookups.ts";
import { type Lookup, openLookup } from "../symbolication/lookup-query.ts";

/**
 * Lookups kept open. Each holds at most 32 pages of ~64 KiB (lookup-query.ts), so 8 of them stay
 * under ~16 MiB of a 128 MB isolate.
 */
const MAX_OPEN_LOOKUPS = 8;

interface Entry {
  lookup: Promise<Lookup>;
  /** The bucket binding of the most recent request, used for the next page reads. */
  bucket: { current: BlobBucket };
}

const open = new Map<string, Entry>();

export function openCachedLookup(bucket: BlobBucket, key: string, size: number): Promise<Lookup> {
  const cached = open.get(key);
  if (cached) {
    cached.bucket.current = bucket;
    open.delete(key);
    open.set(key, cached);
    return cached.lookup;
  }
  const holder = { current: bucket };
  const lookup = openLookup(lookupByteSource(holder, key, size));
  lookup.catch(() => open.delete(key));
  open.set(key, { lookup, bucket: holder });
  if (open.size > MAX_OPEN_LOOKUPS) {
    const oldest = open.keys().next();
    if (!oldest.done) open.delete(oldest.value);
  }
  return lookup;
}

/** Drops every cached lookup (tests, benchmarks). */
export function clearLookupCache(): void {
  open.clear();
}
