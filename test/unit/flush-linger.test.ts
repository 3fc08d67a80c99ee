// How long the spool's flush waits for more envelopes: a quiet project's event reaches D1 after the
// short linger; a busy project's commits wait longer and carry more envelopes each.
import { describe, expect, it } from "vitest";
import {
  SPOOL_BUSY_COMMIT_ENVELOPES,
  SPOOL_FLUSH_BUSY_LINGER_MS,
  SPOOL_FLUSH_LINGER_MS,
} from "../../src/limits.ts";
import { flushLinger } from "../../src/project/spool-flusher.ts";

describe("the flush's linger", () => {
  it("is the short one for a quiet project and the long one once a commit carried many envelopes", () => {
    expect(SPOOL_FLUSH_BUSY_LINGER_MS).toBeGreaterThan(SPOOL_FLUSH_LINGER_MS);
    expect(flushLinger(0)).toBe(SPOOL_FLUSH_LINGER_MS);
    expect(flushLinger(SPOOL_BUSY_COMMIT_ENVELOPES - 1)).toBe(SPOOL_FLUSH_LINGER_MS);
    expect(flushLinger(SPOOL_BUSY_COMMIT_ENVELOPES)).toBe(SPOOL_FLUSH_BUSY_LINGER_MS);
    expect(flushLinger(128)).toBe(SPOOL_FLUSH_BUSY_LINGER_MS);
  });
});
