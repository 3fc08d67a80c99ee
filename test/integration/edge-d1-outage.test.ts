// The ingest Worker's own D1 reads while D1 is unavailable: the DSN key and the debug files an image
// resolves to are served from what the isolate knew, even expired, so ingest goes on into the spool.
// Only what it never saw fails (a key: 503 "please retry"; an image: recorded as missing).
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FaultlineError } from "../../src/errors.ts";
import { resolveProjectKey } from "../../src/ingest/project-keys.ts";
import { findCandidatesCached } from "../../src/symbol-service/candidate-cache.ts";
import { faultyD1, setD1Faults } from "../faults/faulty-d1.ts";
import { createTenant, newEventId } from "./helpers.ts";

afterEach(() => {
  setD1Faults({});
  vi.restoreAllMocks();
});

/** D1 down from now on, and the clock a minute ahead (every cache entry has expired). */
function outageAMinuteLater(): D1Database {
  const later = Date.now() + 60_000;
  setD1Faults({ downUntil: Number.MAX_SAFE_INTEGER });
  vi.spyOn(Date, "now").mockReturnValue(later);
  return faultyD1(env.DB, "edge");
}

describe("the ingest Worker during a D1 outage", () => {
  it("keeps accepting a DSN key it resolved before, and asks an unknown key to retry", async () => {
    const t = await createTenant();
    const before = await resolveProjectKey(env.DB, t.publicKey, t.projectId);
    const down = outageAMinuteLater();
    expect(await resolveProjectKey(down, t.publicKey, t.projectId)).toEqual(before);
    const unknown = await resolveProjectKey(down, "f".repeat(32), null).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(FaultlineError);
    expect((unknown as FaultlineError).status).toBe(503);
  });

  it("symbolicates with the debug files it looked up before, and treats an unseen image as missing", async () => {
    const t = await createTenant();
    const seen = newEventId();
    expect(await findCandidatesCached(env.DB, t.projectId, [seen], [])).toEqual([]);
    const down = outageAMinuteLater();
    expect(await findCandidatesCached(down, t.projectId, [seen], [])).toEqual([]);
    expect(await findCandidatesCached(down, t.projectId, [newEventId()], [])).toEqual([]);
  });
});
