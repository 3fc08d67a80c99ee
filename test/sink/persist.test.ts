// A sink started with `persist` keeps its state in a directory laid out as `npm start` lays out
// FAULTLINE_STATE_DIR: a second start finds its events, DSN and token again, and npm start's own steps
// (wrangler d1 migrations apply, the default tenant) find it up to date — same migrations recorded,
// same key, same token.
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFaultline } from "faultline/testing";
import { afterAll, describe, expect, it } from "vitest";
import { applyMigrations, ensureDefaults, ROOT, sqlLocal } from "../../scripts/local-server.mjs";
import { errorEvent, sendEnvelope } from "./envelopes.ts";

const dir = mkdtempSync(join(tmpdir(), "faultline-sink-persist-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("startFaultline({ persist })", () => {
  it("keeps events, DSN and token across starts, in a state npm start opens as its own", async () => {
    const first = await startFaultline({ persist: dir });
    await sendEnvelope(first.dsn, [errorEvent("kept across starts")]);
    const stored = await first.waitForEvent({ message: "kept across starts" });
    await first.close();
    expect(existsSync(join(dir, "state", "v3", "d1"))).toBe(true);
    expect(existsSync(join(dir, "faultline-local.json"))).toBe(true);

    const second = await startFaultline({ persist: dir });
    try {
      expect(new URL(second.dsn).username).toBe(new URL(first.dsn).username);
      expect(second.authToken).toBe(first.authToken);
      expect((await second.events()).map((e) => e.id)).toEqual([stored.id]);
    } finally {
      await second.close();
    }

    // What `FAULTLINE_STATE_DIR=<dir> npm start` runs before it starts wrangler dev.
    const state = join(dir, "state");
    applyMigrations(state);
    const migrations = readdirSync(join(ROOT, "migrations")).filter((f) => f.endsWith(".sql"));
    // Nothing was applied twice (it would have failed) and nothing is missing.
    expect(sqlLocal(state, "SELECT COUNT(*) AS n FROM d1_migrations")[0]?.n).toBe(migrations.length);
    const defaults = ensureDefaults(state, join(dir, "faultline-local.json"));
    expect(defaults.publicKey).toBe(new URL(first.dsn).username);
    expect(defaults.token).toBe(first.authToken);
    expect(defaults.projectId).toBe(first.projectId);
    const [event] = sqlLocal(state, `SELECT title FROM events WHERE event_id = '${stored.id}'`);
    expect(event?.title).toBe("TypeError: kept across starts");
  });
});
