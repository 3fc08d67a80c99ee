// How the chunks of a file map onto R2 multipart parts. R2 wants every part but the last to have the
// same size (≥ 5 MiB), while chunks may have any size; so the file is cut into parts of exactly
// `partBytes`, each described as the chunk byte ranges it is copied from.

export interface ChunkSegment {
  /** Index into the file's chunk list. */
  chunkIndex: number;
  /** Byte range inside that chunk. */
  start: number;
  end: number;
}

export interface PlannedPart {
  /** 1-based, as R2 numbers parts. */
  partNumber: number;
  /** Offset of the part in the assembled file. */
  offset: number;
  length: number;
  segments: ChunkSegment[];
}

/** Total bytes of a file made of chunks of these sizes. */
export const totalSize = (chunkSizes: readonly number[]): number => chunkSizes.reduce((a, b) => a + b, 0);

/** The parts of a file whose chunks have `chunkSizes`, in order; an empty file has no parts. */
export function planParts(chunkSizes: readonly number[], partBytes: number): PlannedPart[] {
  if (!Number.isSafeInteger(partBytes) || partBytes <= 0) throw new RangeError("part size must be positive");
  const parts: PlannedPart[] = [];
  let current: PlannedPart | null = null;
  let fileOffset = 0;
  chunkSizes.forEach((size, chunkIndex) => {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`bad size for chunk ${chunkIndex}`);
    let start = 0;
    while (start < size) {
      if (!current || current.length === partBytes) {
        current = { partNumber: parts.length + 1, offset: fileOffset, length: 0, segments: [] };
        parts.push(current);
      }
      const take = Math.min(size - start, partBytes - current.length);
      current.segments.push({ chunkIndex, start, end: start + take });
      current.length += take;
      fileOffset += take;
      start += take;
    }
  });
  return parts;
}
