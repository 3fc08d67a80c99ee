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

/** A D1 whose queries wait until `open()` is called: what an answer waiting on D1 would hang on. */
function gatedD1(): { db: D1Database; open: () => void; queries: () => number } {
  let open = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let queries = 0;
  const db = new Proxy(env.DB, {
    get(target, prop) {
      if (prop !== "prepare") return Reflect.get(target, prop);
      return (sql: string) => {
        queries += 1;
        return new Proxy(target.prepare(sql), {
          get(statement, name) {
            const value = Reflect.get(statement, name);
            if (typeof value !== "function") return value;
            if (name === "bind")
              return (...args: unknown[]) => {
                const bound = (value as (...a: unknown[]) => D1PreparedStatement).apply(statement, args);
                return new Proxy(bound, {
                  get(b, m) {
                    const fn = Reflect.get(b, m);
                    if (typeof fn !== "function") return fn;
                    return async (...a: unknown[]) => {
                      await gate;
                      return (fn as (...x: unknown[]) => unknown).apply(b, a);
                    };
                  },
                });
              };
            return (value as (...a: unknown[]) => unknown).bind(statement);
          },
        });
      };
    },
  });
  return { db, open, queries: () => queries };
}

describe("the ingest Worker with a slow D1", () => {
  it("answers a known DSN key whose cache entry expired without waiting, reloading it once in the background", async () => {
    const t = await createTenant();
    const before = await resolveProjectKey(env.DB, t.publicKey, t.projectId);
    // The key is disabled meanwhile; the cache learns it from the background reload.
    await env.DB.prepare("UPDATE project_keys SET is_active = 0 WHERE public_key = ?")
      .bind(t.publicKey)
      .run();
    const slow = gatedD1();
    const reloads: Promise<unknown>[] = [];
    const background = (work: Promise<unknown>) => reloads.push(work);
    const later = Date.now() + 60_000;
    // Three concurrent requests while the reload waits on D1: each answers from the cache at once.
    const answers = await Promise.all(
      [0, 1, 2].map(() => resolveProjectKey(slow.db, t.publicKey, t.projectId, background, later)),
    );
    for (const answer of answers) expect(answer).toEqual(before);
    expect(reloads).toHaveLength(1);
    expect(slow.queries()).toBe(1);
    slow.open();
    await Promise.all(reloads);
    const disabled = await resolveProjectKey(slow.db, t.publicKey, t.projectId, background, later + 1).catch(
      (e: unknown) => e,
    );
    expect(disabled).toBeInstanceOf(FaultlineError);
    expect((disabled as FaultlineError).status).toBe(403);
  });
});
