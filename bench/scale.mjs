// `npm run bench:scale`: Faultline with one big project. Ingests real templates (sentry-rust panics and
// transactions) through `wrangler dev`, then clones their stored rows straight into the local D1 file
// until it holds BENCH_SCALE_EVENTS error events in BENCH_SCALE_ISSUES issues over BENCH_SCALE_RELEASES
// releases and 30 days (plus transactions with spans and logs), and measures at that size: ingest
// (wrk, as `npm run bench`, beside the trivial Worker), the issue stream (default, by tag, by release),
// event detail, the trace view, the releases list, and D1 bytes per stored event — over the seeded file,
// and from the database's growth while wrk ingests — with the R2 Class A writes of payload segments per
// 1,000 events ingested, and event detail from a sealed segment. Needs wrk.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { applyMigrations, ensureDefaults, freePort, startDev, stopDev } from "../scripts/local-server.mjs";
import { panicEvent, toEnvelope, transactionEvent } from "./envelopes.mjs";
import { ingestStats, panicTemplates, waitForDrain } from "./ingest-check.mjs";
import { controlPlaneFile } from "./local-d1.mjs";
import { requireWrk, runWrk } from "./wrk.mjs";

const EVENTS = Number(process.env.BENCH_SCALE_EVENTS ?? 1_000_000);
const ISSUES = Number(process.env.BENCH_SCALE_ISSUES ?? 50_000);
const RELEASES = Number(process.env.BENCH_SCALE_RELEASES ?? 200);
const TRANSACTIONS = Number(process.env.BENCH_SCALE_TRANSACTIONS ?? Math.round(EVENTS / 10));
const LOGS = Number(process.env.BENCH_SCALE_LOGS ?? EVENTS);
const RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 30);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const READ_TIMEOUT_MS = Number(process.env.BENCH_SCALE_READ_TIMEOUT_MS ?? 30_000);
// Other benches and test servers may hold the usual ports: take free ones.
const PORTS = { faultline: await freePort(18791), trivial: await freePort(18792) };
const DAY = 86_400;

requireWrk();

const d1File = controlPlaneFile;

/** Real rows to clone: a few panics and transactions sent through the ingest path. */
async function ingestTemplates(port, defaults) {
  const url = `http://127.0.0.1:${port}/api/${defaults.projectId}/envelope/?sentry_key=${defaults.publicKey}&sentry_version=7`;
  const sends = [
    ...Array.from({ length: 5 }, (_, i) => panicEvent(i)),
    ...Array.from({ length: 3 }, () => transactionEvent()),
  ];
  for (const e of sends) {
    const res = await fetch(url, { method: "POST", body: toEnvelope(e) });
    if (!res.ok) throw new Error(`template ingest: ${res.status} ${await res.text()}`);
  }
  await waitForDrain(port, defaults.token);
}

/** Clones the templates into EVENTS events, ISSUES issues, RELEASES releases, spans and logs. */
function seed(file, projectId, organizationId, now) {
  const db = new DatabaseSync(file);
  const errors = db.prepare("SELECT * FROM events WHERE issue_id IS NOT NULL").all();
  const transactions = db.prepare("SELECT * FROM events WHERE issue_id IS NULL").all();
  const spans = db.prepare("SELECT * FROM spans").all();
  const issue = db.prepare("SELECT * FROM issues LIMIT 1").get();
  db.exec("BEGIN");
  const release = db.prepare(
    "INSERT OR IGNORE INTO releases (organization_id, version, date_added) VALUES (?, ?, ?)",
  );
  const releaseProject = db.prepare(
    "INSERT OR IGNORE INTO release_projects (release_id, project_id) SELECT id, ? FROM releases WHERE organization_id = ? AND version = ?",
  );
  for (let r = 0; r < RELEASES; r++) {
    const version = `api@1.${r}.0`;
    release.run(organizationId, version, now - 90 * DAY + r * ((90 * DAY) / RELEASES));
    releaseProject.run(projectId, organizationId, version);
  }
  const insertIssue = db.prepare(
    `INSERT INTO issues (project_id, primary_hash, type, title, culprit, level, platform, logger, metadata, status,
       substatus, first_seen, last_seen, times_seen, user_count, first_release, last_release)
     VALUES (?, ?, 'error', ?, ?, ?, ?, ?, ?, ?, 'ongoing', ?, ?, ?, ?, ?, ?) RETURNING id`,
  );
  const insertHash = db.prepare("INSERT INTO issue_hashes (project_id, hash, issue_id) VALUES (?, ?, ?)");
  const issueIds = [];
  for (let i = 0; i < ISSUES; i++) {
    const hash = `${i.toString(16).padStart(8, "0")}${"ab".repeat(12)}`;
    const firstSeen = now - 30 * DAY + (i * 30 * DAY) / ISSUES;
    const { id } = insertIssue.get(
      projectId,
      hash,
      `${issue.title} #${i}`,
      issue.culprit,
      issue.level,
      issue.platform,
      issue.logger,
      issue.metadata,
      i % 9 === 0 ? "resolved" : "unresolved",
      firstSeen,
      now - (i % DAY),
      Math.ceil(EVENTS / ISSUES),
      i % 50,
      `api@1.${i % RELEASES}.0`,
      `api@1.${(i + 1) % RELEASES}.0`,
    );
    insertHash.run(projectId, hash, id);
    issueIds.push(id);
  }
  // A clone copies every column of its template (whatever the schema has), with its own ids, times and
  // release. A clone's row names its template's bytes (in the template's segment): the row is what it costs.
  const insertEvent = new Map();
  const eventId = (kind, i) => `${kind}${i.toString(16).padStart(31, "0")}`;
  const clone = (t, id, issueId, ts, releaseIndex) => {
    const row = {
      ...t,
      project_id: projectId,
      event_id: id,
      issue_id: issueId,
      timestamp: ts,
      received: ts,
      release: `api@1.${releaseIndex}.0`,
      payload_key: null,
      payload:
        t.payload === null
          ? null
          : t.payload
              .replaceAll(t.event_id, id)
              .replace(/"server_name":"web-\d+"/, `"server_name":"web-${releaseIndex % 25}"`)
              .replaceAll(t.release, `api@1.${releaseIndex}.0`),
    };
    const columns = Object.keys(row);
    const key = columns.join(",");
    if (!insertEvent.has(key))
      insertEvent.set(
        key,
        db.prepare(`INSERT INTO events (${key}) VALUES (${columns.map(() => "?").join(", ")})`),
      );
    insertEvent.get(key).run(...columns.map((c) => row[c]));
  };
  for (let i = 0; i < EVENTS; i++) {
    const ts = now - 30 * DAY + (i * 30 * DAY) / EVENTS;
    clone(
      errors[i % errors.length],
      eventId("e", i),
      issueIds[i % ISSUES],
      ts,
      Math.floor((i * RELEASES) / EVENTS),
    );
  }
  const insertSpan = db.prepare(
    `INSERT INTO spans (project_id, trace_id, span_id, parent_span_id, segment_id, event_id, is_segment, name, op,
       description, status, start_timestamp, end_timestamp, duration_ms, transaction_name, release, environment,
       attributes)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const template = transactions[0];
  const templateSpans = spans.filter((s) => s.event_id === template.event_id);
  for (let i = 0; i < TRANSACTIONS; i++) {
    const ts = now - 30 * DAY + (i * 30 * DAY) / TRANSACTIONS;
    const id = eventId("f", i);
    const traceId = `${i.toString(16).padStart(16, "0")}${"cd".repeat(8)}`;
    clone({ ...template, trace_id: traceId }, id, null, ts, Math.floor((i * RELEASES) / TRANSACTIONS));
    for (const [n, s] of templateSpans.entries()) {
      insertSpan.run(
        projectId,
        traceId,
        `${i.toString(16).padStart(12, "0")}${n.toString(16).padStart(4, "0")}`,
        s.parent_span_id,
        s.segment_id,
        id,
        s.is_segment,
        s.name,
        s.op,
        s.description,
        s.status,
        ts + (s.start_timestamp - template.timestamp),
        ts + (s.end_timestamp - template.timestamp),
        s.duration_ms,
        s.transaction_name,
        s.release,
        s.environment,
        s.attributes,
      );
    }
  }
  const insertLog = db.prepare(
    `INSERT INTO logs (project_id, timestamp, trace_id, span_id, level, severity_number, body, release, environment,
       attributes) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, 'production', '{}')`,
  );
  for (let i = 0; i < LOGS; i++) {
    const level = ["info", "info", "info", "warn", "error"][i % 5];
    insertLog.run(
      projectId,
      now - 30 * DAY + (i * 30 * DAY) / LOGS,
      `${(i % TRANSACTIONS).toString(16).padStart(16, "0")}${"cd".repeat(8)}`,
      level,
      { info: 9, warn: 13, error: 17 }[level],
      `handled request ${i} in ${i % 97} ms`,
      `api@1.${Math.floor((i * RELEASES) / LOGS)}.0`,
    );
  }
  // What the group commit would have written for the cloned events: the issues' tag values (the
  // migration's backfill reads them from the rows the same way).
  const hasTagValues = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'issue_tag_values'").get();
  if (hasTagValues) {
    const backfill = readFileSync(
      new URL("../migrations/0027_issue_tag_values.sql", import.meta.url),
      "utf8",
    );
    db.exec(backfill.slice(backfill.indexOf("\nINSERT OR IGNORE")));
  }
  // And its per-release event counts and newest event times (migration 0040).
  const hasReleaseStats = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'release_event_stats'").get();
  if (hasReleaseStats)
    db.exec(
      `INSERT INTO release_event_stats (project_id, version, events, last_seen)
       SELECT project_id, release, COUNT(*), MAX(timestamp) FROM events
       WHERE type != 'transaction' AND release IS NOT NULL GROUP BY project_id, release
       ON CONFLICT (project_id, version) DO UPDATE SET events = excluded.events, last_seen = excluded.last_seen`,
    );
  db.exec("COMMIT");
  const traceId = db
    .prepare("SELECT trace_id FROM events WHERE issue_id IS NULL AND trace_id LIKE '%cdcd' LIMIT 1")
    .get();
  db.close();
  return {
    sampleTrace: traceId.trace_id,
    sampleEvent: eventId("e", Math.floor(EVENTS / 2)),
    sampleIssue: issueIds[Math.floor(ISSUES / 2)],
  };
}

/** D1 bytes held per stored error event (the database file's pages over the events it holds). */
function bytesPerEvent(file) {
  const db = new DatabaseSync(file);
  const { pages, size } = db
    .prepare("SELECT page_count AS pages, page_size AS size FROM pragma_page_count, pragma_page_size")
    .get();
  const { n } = db.prepare("SELECT COUNT(*) AS n FROM events WHERE issue_id IS NOT NULL").get();
  const hasUsage = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'usage_hourly'").get();
  const classA = hasUsage ? (db.prepare("SELECT SUM(r2_class_a) AS a FROM usage_hourly").get().a ?? 0) : 0;
  db.close();
  return { bytes: pages * size, events: n, perEvent: (pages * size) / n, classA };
}

/**
 * Bytes of the `events` table and its indexes (SQLite's dbstat: pages as stored, free space in them
 * included) per row, each index's share, and for the error events written after `since` the average
 * stored size of each column (as SQLite's record format holds it) and of each top-level key of the
 * payload projection (its JSON text, key and separators included).
 */
function eventsTableBytes(file, since) {
  const db = new DatabaseSync(file, { readOnly: true });
  const objects = db
    .prepare(
      `SELECT name, SUM(pgsize) AS bytes FROM dbstat WHERE name = 'events'
         OR name IN (SELECT name FROM sqlite_master WHERE tbl_name = 'events' AND type = 'index') GROUP BY name`,
    )
    .all();
  const bytes = objects.reduce((sum, o) => sum + o.bytes, 0);
  const { rows } = db.prepare("SELECT COUNT(*) AS rows FROM events").get();
  const ingested = "issue_id IS NOT NULL AND received > ?";
  const columns = db
    .prepare("SELECT name FROM pragma_table_info('events')")
    .all()
    .map((c) => c.name);
  const sized = (c) =>
    `AVG(CASE typeof(${c}) WHEN 'null' THEN 0 WHEN 'real' THEN 8 WHEN 'integer' THEN
       (CASE WHEN ${c} BETWEEN 0 AND 1 THEN 0 WHEN ABS(${c}) < 128 THEN 1 WHEN ABS(${c}) < 32768 THEN 2
        WHEN ABS(${c}) < 8388608 THEN 3 WHEN ABS(${c}) < 2147483648 THEN 4 ELSE 8 END)
       ELSE LENGTH(CAST(${c} AS BLOB)) END) AS "${c}"`;
  const columnBytes = db
    .prepare(`SELECT COUNT(*) AS n, ${columns.map(sized).join(", ")} FROM events WHERE ${ingested}`)
    .get(since);
  const projection = db
    .prepare(
      `SELECT p.key AS key, SUM(LENGTH(CAST(p.key AS BLOB)) + 4 + LENGTH(CAST(json_quote(p.value) AS BLOB))) * 1.0
         / (SELECT COUNT(*) FROM events WHERE ${ingested}) AS bytes
       FROM events e, json_each(e.payload) p WHERE e.${ingested} AND json_valid(e.payload) GROUP BY p.key ORDER BY bytes DESC`,
    )
    .all(since, since);
  db.close();
  return {
    perRow: bytes / rows,
    objects: objects.map((o) => ({ object: o.name, "bytes per row": (o.bytes / rows).toFixed(0) })),
    columns: columnBytes,
    projection,
    payload: columnBytes.payload ?? 0,
  };
}

/** A stored error event written after `since` (s) whose payload is in a segment, or null. */
function segmentedEventSince(file, since) {
  const db = new DatabaseSync(file, { readOnly: true });
  const hasRef = db.prepare("SELECT 1 FROM pragma_table_info('events') WHERE name = 'payload_ref'").get();
  const row = hasRef
    ? db
        .prepare(
          "SELECT event_id FROM events WHERE issue_id IS NOT NULL AND payload_ref IS NOT NULL AND received > ? ORDER BY received LIMIT 1",
        )
        .get(since)
    : null;
  db.close();
  return row?.event_id ?? null;
}

/** p50/p99 of RUNS reads after 3 warm-ups; a read slower than READ_TIMEOUT_MS ends the series. */
async function latency(url, token) {
  const times = [];
  for (let i = 0; i < RUNS + 3; i++) {
    const started = performance.now();
    let res;
    try {
      res = await fetch(url, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(READ_TIMEOUT_MS),
      });
      await res.arrayBuffer();
    } catch {
      return { "p50 ms": `> ${READ_TIMEOUT_MS}`, "p99 ms": `> ${READ_TIMEOUT_MS}` };
    }
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    if (i >= 3) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const pct = (p) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
  return { "p50 ms": pct(50).toFixed(1), "p99 ms": pct(99).toFixed(1) };
}

const persistTo = mkdtempSync(join(tmpdir(), "faultline-bench-scale-"));
let server;
let trivial;
try {
  applyMigrations(persistTo);
  const defaults = ensureDefaults(persistTo, join(persistTo, "local.json"));
  server = await startDev({ port: PORTS.faultline, persistTo });
  await ingestTemplates(PORTS.faultline, defaults);
  stopDev(server);
  await new Promise((r) => server.child.once("exit", r));
  const file = d1File(persistTo);
  const org = new DatabaseSync(file)
    .prepare("SELECT organization_id AS id FROM projects WHERE id = ?")
    .get(defaults.projectId);
  const seededAt = performance.now();
  const now = Date.now() / 1000;
  const samples = seed(file, defaults.projectId, org.id, now);
  const seedSeconds = (performance.now() - seededAt) / 1000;
  const size = bytesPerEvent(file);
  console.log(
    `seeded ${EVENTS} events in ${ISSUES} issues, ${RELEASES} releases, ${TRANSACTIONS} transactions, ${LOGS} logs in ${seedSeconds.toFixed(0)} s; D1 ${(size.bytes / 1e9).toFixed(2)} GB, ${size.perEvent.toFixed(0)} bytes per error event`,
  );

  server = await startDev({ port: PORTS.faultline, persistTo });
  trivial = await startDev({ port: PORTS.trivial, config: "bench/trivial/wrangler.toml" });
  const base = `http://127.0.0.1:${PORTS.faultline}/api/0`;
  const project = `${base}/projects/${defaults.orgSlug}/${defaults.projectSlug}`;
  const reads = {
    "issue stream (default)": `${project}/issues/?statsPeriod=14d`,
    "issue stream, by tag": `${project}/issues/?query=${encodeURIComponent("is:unresolved server_name:web-7")}`,
    "issue stream, by release": `${project}/issues/?query=${encodeURIComponent("release:api@1.150.0")}`,
    "event list (project)": `${project}/events/`,
    "issue events": `${base}/issues/${samples.sampleIssue}/events/`,
    discover: `${base}/organizations/${defaults.orgSlug}/events/?${new URLSearchParams([
      ...["title", "error.type", "error.value", "user.display", "stack.filename", "timestamp"].map((f) => [
        "field",
        f,
      ]),
      ["sort", "-timestamp"],
      ["query", "error.type:panic"],
      ["statsPeriod", "14d"],
    ])}`,
    "discover, count by title": `${base}/organizations/${defaults.orgSlug}/events/?${new URLSearchParams([
      ["field", "title"],
      ["field", "count()"],
      ["sort", "-count()"],
      ["dataset", "errors"],
      ["statsPeriod", "24h"],
    ])}`,
    "events-stats (errors, 24h)": `${base}/organizations/${defaults.orgSlug}/events-stats/?${new URLSearchParams(
      [
        ["yAxis", "count()"],
        ["dataset", "errors"],
        ["statsPeriod", "24h"],
        ["interval", "1h"],
      ],
    )}`,
    "environments (project)": `${project}/environments/`,
    "event detail": `${project}/events/${samples.sampleEvent}/`,
    "trace view": `${base}/organizations/${defaults.orgSlug}/trace/${samples.sampleTrace}/`,
    "releases list": `${base}/organizations/${defaults.orgSlug}/releases/?project=${defaults.projectId}`,
  };
  const rows = [];
  for (const [name, url] of Object.entries(reads))
    rows.push({ read: name, ...(await latency(url, defaults.token)) });
  console.table(rows);

  const path = `/api/${defaults.projectId}/envelope/?sentry_key=${defaults.publicKey}&sentry_version=7`;
  const envelopes = panicTemplates(20);
  const base16 = await runWrk({ port: PORTS.trivial, path, connections: 16, seconds: SECONDS, envelopes });
  const statsBefore = await ingestStats(PORTS.faultline, defaults.token);
  const run = await runWrk({ port: PORTS.faultline, path, connections: 16, seconds: SECONDS, envelopes });
  await waitForDrain(PORTS.faultline, defaults.token);
  const statsAfter = await ingestStats(PORTS.faultline, defaults.token);
  console.table([
    { run: "trivial Worker", "req/s": base16.rps.toFixed(0), "p99 ms": base16.p99.toFixed(1) },
    {
      run: `faultline at ${EVENTS} events`,
      "req/s": run.rps.toFixed(0),
      "p99 ms": run.p99.toFixed(1),
      ratio: (run.rps / base16.rps).toFixed(2),
    },
  ]);
  // Event detail of an event wrk ingested whose segment was sealed (read with a ranged R2 GET).
  const sealedSample = segmentedEventSince(file, now);
  if (sealedSample && (statsAfter.segmentsSealed ?? 0) > 0)
    console.table([
      {
        read: "event detail (sealed segment)",
        ...(await latency(`${project}/events/${sealedSample}/`, defaults.token)),
      },
    ]);
  stopDev(server);
  await new Promise((r) => server.child.once("exit", r));
  server = null;
  const grown = bytesPerEvent(file);
  const table = eventsTableBytes(file, now);
  const added = grown.events - size.events;
  const sealed = (statsAfter.segmentsSealed ?? 0) - (statsBefore.segmentsSealed ?? 0);
  const stored = statsAfter.eventsStored - statsBefore.eventsStored;
  console.table([
    {
      "error events ingested": added,
      "D1 growth bytes": grown.bytes - size.bytes,
      "D1 bytes per error event": ((grown.bytes - size.bytes) / added).toFixed(0),
      "events table + indexes bytes per row": table.perRow.toFixed(0),
      "payload column bytes (ingested)": table.payload.toFixed(0),
      "segments sealed": sealed,
      "payload R2 Class A per 1,000 events": ((sealed / stored) * 1000).toFixed(2),
      "all R2 Class A per 1,000 events (cost meter)": (
        ((grown.classA - size.classA) / stored) *
        1000
      ).toFixed(2),
    },
  ]);
  console.table(table.objects);
  const { n, ...columnBytes } = table.columns;
  console.log(`stored bytes per column, average of ${n} ingested error events:`);
  console.table(Object.entries(columnBytes).map(([column, b]) => ({ column, bytes: (b ?? 0).toFixed(1) })));
  console.log("payload (projection) JSON bytes per top-level key, same events:");
  console.table(table.projection.map((p) => ({ key: p.key, bytes: p.bytes.toFixed(1) })));
  console.log("retention sweep rate: `npm run bench:retention` (events/s deleted with their bytes)");
} finally {
  if (server) stopDev(server);
  if (trivial) stopDev(trivial);
  if (!process.env.BENCH_SCALE_KEEP) rmSync(persistTo, { recursive: true, force: true });
  else console.log(`state kept in ${persistTo} (${statSync(persistTo).isDirectory()})`);
}
