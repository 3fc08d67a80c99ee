// `npm run bench:retention`: how fast the retention sweep deletes. Sends BENCH_RETENTION_ATTACHED
// (default 500) 30-frame sentry-rust panics dated 120 days back, each with a 4 KiB attachment (real R2
// objects), through `wrangler dev` running the fault Worker (bench/faults/wrangler.toml, for its
// `POST /__retention` seam); then clones their stored rows in the local D1 file until it holds
// BENCH_RETENTION_EVENTS (default 100,000) expired error events (a month of them, one every 26 s before
// the sent ones) in BENCH_RETENTION_ISSUES (default 2,000) issues, their ids scattered over the table's
// key order as real (random) event ids are, and has the project's object run its alarm with the
// retention clock an hour further on each time (a fresh hourly budget, set to no limit) until nothing
// is left. Prints events/s deleted with their stored bytes, measured inside the object (its sweep time)
// and from here (wall time).
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations, ensureDefaults, freePort, startDev, stopDev } from "../scripts/local-server.mjs";
import { panicEvent } from "./envelopes.mjs";
import { waitForDrain } from "./ingest-check.mjs";
import { controlPlaneFile } from "./local-d1.mjs";

const EVENTS = Number(process.env.BENCH_RETENTION_EVENTS ?? 100_000);
const ISSUES = Number(process.env.BENCH_RETENTION_ISSUES ?? 2_000);
const ATTACHED = Number(process.env.BENCH_RETENTION_ATTACHED ?? 500);
const TARGET_EVENTS_PER_SECOND = 5_000;
const DAY = 86_400;
const HOUR_MS = 3_600_000;
const PORT = await freePort(18799);
const enc = new TextEncoder();

const d1File = controlPlaneFile;

/** An envelope of one event and one attachment. */
function envelopeWithAttachment(eventId, payload, attachment) {
  const body = enc.encode(JSON.stringify(payload));
  const parts = [
    enc.encode(
      `${JSON.stringify({ event_id: eventId })}\n${JSON.stringify({ type: "event", length: body.byteLength })}\n`,
    ),
    body,
    enc.encode(
      `\n${JSON.stringify({ type: "attachment", length: attachment.byteLength, filename: "app.log", content_type: "text/plain" })}\n`,
    ),
    attachment,
    enc.encode("\n"),
  ];
  return Buffer.concat(parts);
}

async function ingestOld(defaults, old) {
  const url = `http://127.0.0.1:${PORT}/api/${defaults.projectId}/envelope/?sentry_key=${defaults.publicKey}&sentry_version=7`;
  const attachment = enc.encode("log line of the crashed run\n".repeat(147));
  let next = 0;
  const worker = async () => {
    while (next < ATTACHED) {
      const i = next++;
      const event = panicEvent(i % 20);
      const eventId = randomBytes(16).toString("hex");
      const payload = { ...event.payload, event_id: eventId, timestamp: old };
      const res = await fetch(url, {
        method: "POST",
        body: envelopeWithAttachment(eventId, payload, attachment),
      });
      if (!res.ok) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** Runs SQL on the local D1 file with the sqlite3 shell; answers its rows when `json`. */
function sqlite(file, sql, json = false) {
  const out = execFileSync("sqlite3", [...(json ? ["-json"] : []), file], { input: sql, encoding: "utf8" });
  return json ? JSON.parse(out || "[]") : out;
}

/**
 * A clone's stored bytes as the stored-bytes counter counts an event row (EVENT_BYTES_SQL in
 * src/db/storage-usage.ts): its projection text plus the compressed length its segment locator names
 * (the locator's last field, decimal), so the sweep subtracts from the counter what seeding added.
 */
const CLONE_BYTES_SQL = `COALESCE(length(CAST(payload AS BLOB)), 0)
  + COALESCE(CAST(replace(payload_ref, rtrim(payload_ref, '0123456789'), '') AS INTEGER), 0)`;

/**
 * Clones the stored events (and their issue) until the project holds EVENTS expired events: each clone
 * a copy of a stored row, its projection, shape, columns and segment locator included.
 */
function seed(file, projectId, old) {
  const clones = EVENTS - ATTACHED;
  // Real event ids are random, so neither time nor issue order is the table's key order: the clones'
  // ids are scattered the same way (an odd multiplier is a bijection modulo 2^32, so they stay unique).
  const id = "printf('z%031x', (n.i * 2654435761) % 4294967296)";
  sqlite(
    file,
    `BEGIN;
CREATE TEMP TABLE tmpl AS SELECT row_number() OVER () - 1 AS k, * FROM events WHERE project_id = ${projectId} LIMIT 20;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${ISSUES - 1})
INSERT INTO issues (project_id, primary_hash, type, title, culprit, level, platform, metadata, status, first_seen,
  last_seen, times_seen, short_id)
SELECT ${projectId}, lower(hex(randomblob(16))), s.type, s.title || ' ' || n.i, s.culprit, s.level, s.platform,
  s.metadata, 'unresolved', ${old}, ${old}, ${Math.ceil(EVENTS / ISSUES)}, 100000 + n.i
FROM n, (SELECT * FROM issues WHERE project_id = ${projectId} LIMIT 1) s;
INSERT INTO issue_hashes (project_id, hash, issue_id)
SELECT project_id, primary_hash, id FROM issues WHERE project_id = ${projectId} AND short_id >= 100000;
CREATE TEMP TABLE seeded AS SELECT short_id - 100000 AS k, id FROM issues WHERE project_id = ${projectId} AND short_id >= 100000;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${clones - 1})
INSERT INTO events (project_id, event_id, issue_id, type, timestamp, received, level, platform, release, environment,
  user_key, title, message, transaction_name, trace_id, payload, payload_key, payload_ref, shape_id, span_id, error_value)
SELECT ${projectId}, ${id}, g.id, t.type, ${old} - n.i * 26, ${old} - n.i * 26, t.level, t.platform, t.release, t.environment,
  t.user_key, t.title, t.message, t.transaction_name, t.trace_id, replace(t.payload, t.event_id, ${id}), NULL,
  t.payload_ref, t.shape_id, t.span_id, t.error_value
FROM n JOIN tmpl t ON t.k = n.i % (SELECT COUNT(*) FROM tmpl) JOIN seeded g ON g.k = n.i % ${ISSUES};
UPDATE storage_usage SET bytes = bytes + (SELECT SUM(${CLONE_BYTES_SQL}) FROM events
  WHERE project_id = ${projectId} AND event_id LIKE 'z%') WHERE project_id = ${projectId};
COMMIT;`,
  );
  return sqlite(file, `SELECT bytes FROM storage_usage WHERE project_id = ${projectId}`, true)[0]?.bytes ?? 0;
}

function left(file, projectId) {
  const [row] = sqlite(
    file,
    `SELECT (SELECT COUNT(*) FROM events WHERE project_id = ${projectId}) AS events,
       (SELECT COUNT(*) FROM issues WHERE project_id = ${projectId}) AS issues,
       (SELECT COUNT(*) FROM attachments WHERE project_id = ${projectId}) AS attachments,
       (SELECT bytes FROM storage_usage WHERE project_id = ${projectId}) AS storedBytes`,
    true,
  );
  return row;
}

/** One alarm run with the retention clock `hour` hours ahead; a restart of the dev Worker is retried. */
async function sweepOnce(projectId, hour) {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`http://127.0.0.1:${PORT}/__retention`, {
      method: "POST",
      body: JSON.stringify({ projectId, aheadMs: hour * HOUR_MS, budgetPerHour: 1e12 }),
    });
    if (res.ok) return res.json();
    const text = await res.text();
    if (res.status !== 503 || attempt >= 3) throw new Error(`/__retention answered ${res.status}: ${text}`);
    console.log(`retrying after: ${text}`);
  }
}

const persistTo = mkdtempSync(join(tmpdir(), "faultline-bench-retention-"));
let server;
try {
  applyMigrations(persistTo);
  const defaults = ensureDefaults(persistTo, join(persistTo, "local.json"));
  const old = Date.now() / 1000 - 120 * DAY;
  server = await startDev({ port: PORT, persistTo, config: "bench/faults/wrangler.toml" });
  await ingestOld(defaults, old);
  await waitForDrain(PORT, defaults.token);
  stopDev(server);
  await new Promise((r) => server.child.once("exit", r));
  const file = d1File(persistTo);
  const storedBefore = seed(file, defaults.projectId, old);
  console.log(
    `seeded ${EVENTS} expired events in about ${ISSUES + 20} issues (${ATTACHED} with an attachment in R2); stored ${(storedBefore / 2 ** 20).toFixed(1)} MiB`,
  );

  server = await startDev({
    port: PORT,
    persistTo,
    config: "bench/faults/wrangler.toml",
    log: process.env.BENCH_LOG ? "inherit" : "pipe",
  });
  const started = performance.now();
  let totals = { runs: 0, rows: 0, events: 0, issues: 0, bytes: 0, ms: 0 };
  const sum = { ...totals };
  for (let hour = 2; ; hour++) {
    const now = await sweepOnce(defaults.projectId, hour);
    // A restarted dev Worker starts its object's totals from zero: add what each run did.
    const before =
      now.runs >= totals.runs ? totals : { runs: 0, rows: 0, events: 0, issues: 0, bytes: 0, ms: 0 };
    const run = Object.fromEntries(Object.keys(now).map((k) => [k, now[k] - before[k]]));
    if (run.rows === 0) break;
    for (const k of Object.keys(sum)) sum[k] += run[k];
    totals = now;
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const sweepSeconds = sum.ms / 1000;
  stopDev(server);
  await new Promise((r) => server.child.once("exit", r));
  server = null;
  const after = left(file, defaults.projectId);
  const rate = sum.events / sweepSeconds;
  console.log(
    `deleted ${sum.events} events, ${sum.issues} issues, ${sum.rows} D1 rows, ${(sum.bytes / 2 ** 20).toFixed(1)} MiB stored bytes in ${sum.runs} alarm runs`,
  );
  console.log(
    `sweep rate: ${rate.toFixed(0)} events/s (${(sum.bytes / 2 ** 20 / sweepSeconds).toFixed(1)} MiB/s) in the object's sweep time ${sweepSeconds.toFixed(2)} s; ${(sum.events / wallSeconds).toFixed(0)} events/s wall time ${wallSeconds.toFixed(2)} s (target ≥ ${TARGET_EVENTS_PER_SECOND})`,
  );
  console.log(
    `left: ${after.events} events, ${after.issues} issues, ${after.attachments} attachments, ${after.storedBytes} stored bytes counted`,
  );
  if (after.events !== 0 || after.issues !== 0 || after.attachments !== 0)
    throw new Error("the sweep left expired rows");
  if (rate < TARGET_EVENTS_PER_SECOND)
    console.log(`below the target of ${TARGET_EVENTS_PER_SECOND} events/s`);
} finally {
  if (server) stopDev(server);
  rmSync(persistTo, { recursive: true, force: true });
}
