// What the ingest benchmarks read back from Faultline after a load: the project's object counters through
// the ingest-stats API, waiting for its spool to drain, and which acknowledged events D1 holds.
import { sqlLocal } from "../scripts/local-server.mjs";
import { panicEvent, toEnvelope } from "./envelopes.mjs";
import { PLAIN_PLACEHOLDER } from "./wrk.mjs";

/** `count` sentry-rust panics (30 frames, over `count` fingerprints) whose event id is the wrk placeholder. */
export function panicTemplates(count) {
  return Array.from({ length: count }, (_, seed) => {
    const event = panicEvent(seed);
    return toEnvelope({
      ...event,
      eventId: PLAIN_PLACEHOLDER,
      payload: { ...event.payload, event_id: PLAIN_PLACEHOLDER },
    });
  });
}

/** The project's Durable Object counters (commits, D1 rows, flushes, what is spooled). */
export async function ingestStats(port, token) {
  const res = await fetch(`http://127.0.0.1:${port}/api/0/projects/faultline/default/ingest-stats/`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`ingest-stats answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** Waits until the project's spool is empty; resolves with the milliseconds it took. */
export async function waitForDrain(port, token, timeoutMs = 300_000) {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const stats = await ingestStats(port, token);
    if (stats.spooled === 0) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the spool did not drain within ${timeoutMs} ms`);
}

/** How many of `ids` (acknowledged event ids) the local D1 at `persistTo` does not hold. */
export function missingFromD1(persistTo, ids) {
  if (ids.length === 0) return 0;
  // Every id of one wrk run starts with that run's nonce: read back that range only.
  const prefixes = [...new Set(ids.map((id) => id.slice(0, 16)))];
  const stored = new Set();
  for (const prefix of prefixes) {
    const rows = sqlLocal(
      persistTo,
      `SELECT event_id FROM events WHERE event_id >= '${prefix}' AND event_id < '${prefix}g'`,
    );
    for (const row of rows) stored.add(row.event_id);
  }
  return ids.filter((id) => !stored.has(id)).length;
}

/** Events D1 holds of the wrk runs whose ids start with these nonces (acknowledged or cut off at the end). */
export function storedOfRuns(persistTo, ids) {
  const prefixes = [...new Set(ids.map((id) => id.slice(0, 16)))];
  let n = 0;
  for (const prefix of prefixes) {
    const [{ n: count }] = sqlLocal(
      persistTo,
      `SELECT COUNT(*) AS n FROM events WHERE event_id >= '${prefix}' AND event_id < '${prefix}g'`,
    );
    n += Number(count);
  }
  return n;
}
