// Visibility latency under load: while wrk sends the bench load, one extra panic every `everyMs`, each
// with a known event id; from its 2xx, the time until the REST API finds it (a) by id,
// `GET …/events/{id}/` (answered from the spool before the flush), and (b) in the issue stream, an
// issue search for the event id (answered from D1, so after the flush).
import { randomBytes } from "node:crypto";
import { panicEvent, toEnvelope } from "./envelopes.mjs";

const POLL_MS = 10;
const GIVE_UP_MS = 30_000;

async function until(found) {
  const started = performance.now();
  while (performance.now() - started < GIVE_UP_MS) {
    if (await found()) return performance.now() - started;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return Number.POSITIVE_INFINITY;
}

async function probeOne({ base, path, token, orgSlug, projectSlug }) {
  const event = panicEvent(Number.parseInt(randomBytes(1).toString("hex"), 16) % 20);
  const res = await fetch(`${base}${path}`, { method: "POST", body: toEnvelope(event) });
  await res.arrayBuffer();
  if (res.status !== 200) return null;
  const headers = { authorization: `Bearer ${token}` };
  const project = `${base}/api/0/projects/${orgSlug}/${projectSlug}`;
  const [byId, inStream] = await Promise.all([
    until(async () => {
      const r = await fetch(`${project}/events/${event.eventId}/`, { headers });
      await r.arrayBuffer();
      return r.status === 200;
    }),
    until(async () => {
      const r = await fetch(`${project}/issues/?query=${event.eventId}`, { headers });
      const issues = r.status === 200 ? await r.json() : [];
      return Array.isArray(issues) && issues.length > 0;
    }),
  ]);
  return { byId, inStream };
}

const pct = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/**
 * Sends a probe every `everyMs` for `seconds` (the caller runs the load meanwhile) and resolves with
 * p50/p99 in ms of both visibilities and the number of probes.
 */
export async function measureVisibility({ seconds, everyMs = 100, ...target }) {
  const probes = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    probes.push(probeOne(target));
    await new Promise((r) => setTimeout(r, everyMs));
  }
  const results = (await Promise.all(probes)).filter((r) => r !== null);
  const byId = results.map((r) => r.byId);
  const inStream = results.map((r) => r.inStream);
  return {
    probes: results.length,
    byIdP50: pct(byId, 50),
    byIdP99: pct(byId, 99),
    inStreamP50: pct(inStream, 50),
    inStreamP99: pct(inStream, 99),
  };
}
