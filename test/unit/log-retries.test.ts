// Which records of a batch a retry drops: those of the log items whose digest was spooled before,
// by each item's share of the batch, in order.
import { describe, expect, it } from "vitest";
import { emptyBatch, type IngestBatch } from "../../src/project/index.ts";
import { withoutSources } from "../../src/project/log-retries.ts";

const key = { organizationId: 1, projectId: 1, keyId: 1, projectLimit: null, keyLimit: null };

function batchOf(items: { digest: string; bodies: string[] }[], loose: string[] = []): IngestBatch {
  const batch = emptyBatch(key, 0);
  for (const item of items) {
    for (const body of item.bodies)
      batch.logs.push({ timestamp: 1, level: "info", body, attributes: {}, typedAttributes: {} });
    batch.logSources?.push({ digest: item.digest, count: item.bodies.length });
  }
  for (const body of loose)
    batch.logs.push({ timestamp: 1, level: "info", body, attributes: {}, typedAttributes: {} });
  return batch;
}

describe("withoutSources", () => {
  it("drops the records of seen items only, keeping repeats inside an item", () => {
    const batch = batchOf([
      { digest: "a", bodies: ["a1", "a1"] },
      { digest: "b", bodies: ["b1", "b2", "b3"] },
      { digest: "c", bodies: ["c1"] },
    ]);
    const out = withoutSources(batch, new Set(["b"]));
    expect(out.logs.map((l) => l.body)).toEqual(["a1", "a1", "c1"]);
    expect(out.logSources).toEqual([
      { digest: "a", count: 2 },
      { digest: "c", count: 1 },
    ]);
    expect(batch.logs).toHaveLength(6);
  });

  it("answers the batch itself when nothing was seen, and keeps records no item names", () => {
    const batch = batchOf([{ digest: "a", bodies: ["a1"] }], ["loose"]);
    expect(withoutSources(batch, new Set(["x"]))).toBe(batch);
    expect(withoutSources(batch, new Set(["a"])).logs.map((l) => l.body)).toEqual(["loose"]);
  });
});
