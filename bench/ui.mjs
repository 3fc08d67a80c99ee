// `npm run bench` (or `node bench/ui.mjs`): server-side rendering of the issue stream with 10,000 issues
// in the project. Seeds a fresh local D1 directly (10,000 issues, 30,000 events in the last 24 h for the
// sparklines), signs in as the bootstrap user and times full page requests against `wrangler dev`.
// Figures are wall time per request on loopback: everything the Worker does (D1 queries included) plus
// a loopback round trip, so they bound the Worker time from above.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { applyMigrations, ensureDefaults, sqlLocal, startDev, stopDev } from "../scripts/local-server.mjs";

const ISSUES = Number(process.env.BENCH_UI_ISSUES ?? 10_000);
const EVENTS = Number(process.env.BENCH_UI_EVENTS ?? 30_000);
const RUNS = Number(process.env.BENCH_UI_RUNS ?? 40);
const PORT = 18790;

function seed(persistTo, projectId, now) {
  const levels = "CASE i % 10 WHEN 0 THEN 'warning' WHEN 1 THEN 'fatal' ELSE 'error' END";
  sqlLocal(
    persistTo,
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ISSUES})
     INSERT INTO issues (project_id, primary_hash, type, title, culprit, level, platform, metadata, status, substatus,
       first_seen, last_seen, times_seen, user_count, first_release, last_release)
     SELECT ${projectId}, printf('%032x', i), 'error', printf('ParseIntError: invalid digit found in string (case %d)', i),
       printf('orders::parse_line in src/orders/mod%d.rs', i % 97), ${levels}, 'rust', '{}',
       CASE WHEN i % 7 = 0 THEN 'resolved' WHEN i % 11 = 0 THEN 'ignored' ELSE 'unresolved' END,
       CASE WHEN i % 13 = 0 THEN 'regressed' WHEN i % 7 = 0 OR i % 11 = 0 THEN NULL ELSE 'ongoing' END,
       ${now} - 86400 * 14 + i * 60, ${now} - (i % 86400), 1 + (i * 7919) % 5000, (i * 31) % 200,
       printf('orderd@1.%d.0', i % 20), printf('orderd@1.%d.0', (i % 20) + 1)
     FROM n`,
  );
  sqlLocal(
    persistTo,
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${EVENTS})
     INSERT INTO events (project_id, event_id, issue_id, type, timestamp, received, level, platform, title)
     SELECT ${projectId}, printf('%032x', i), (SELECT MIN(id) FROM issues) + (i * 7) % ${ISSUES}, 'error',
       ${now} - (i * 2.87) % 86400, ${now}, 'error', 'rust', 'ParseIntError'
     FROM n`,
  );
}

async function signIn(url, email, password) {
  const form = await fetch(`${url}/auth/login/`);
  const csrf = /fl_login_csrf=([0-9a-f]+)/.exec(form.headers.get("set-cookie") ?? "")?.[1];
  const res = await fetch(`${url}/auth/login/`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: `fl_login_csrf=${csrf}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: csrf ?? "", email, password, next: "/" }),
  });
  const session = /fl_session=([0-9a-f]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  if (!session) throw new Error(`sign-in failed: ${res.status}`);
  return `fl_session=${session}`;
}

async function time(url, cookie) {
  const latencies = [];
  let bytes = 0;
  for (let i = 0; i < RUNS + 5; i++) {
    const started = performance.now();
    const res = await fetch(url, { headers: { cookie } });
    const body = await res.text();
    const ms = performance.now() - started;
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    bytes = body.length;
    if (i >= 5) latencies.push(ms);
  }
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return { p50: pct(50), p99: pct(99), bytes };
}

export async function runUiBench() {
  const persistTo = mkdtempSync(join(tmpdir(), "faultline-bench-ui-"));
  let server;
  try {
    applyMigrations(persistTo);
    const defaults = ensureDefaults(persistTo, join(persistTo, "local.json"));
    seed(persistTo, defaults.projectId, Math.floor(Date.now() / 1000));
    server = await startDev({ port: PORT, persistTo, inspectorPort: 0 });
    const url = `http://127.0.0.1:${PORT}`;
    const cookie = await signIn(url, defaults.userEmail, defaults.password);
    const stream = `${url}/organizations/${defaults.orgSlug}/issues/?project=${defaults.projectSlug}`;
    const cases = [
      ["unresolved, last seen (default)", stream],
      ["all issues, most events", `${stream}&query=&sort=freq`],
      [
        "level:error + free text",
        `${stream}&query=${encodeURIComponent("is:unresolved level:error case 99")}`,
      ],
      ["page 100 (offset 2,475)", `${stream}&cursor=2475`],
    ];
    const rows = [];
    for (const [name, target] of cases) {
      const r = await time(target, cookie);
      rows.push({
        "issue stream SSR": name,
        "p50 ms": r.p50.toFixed(1),
        "p99 ms": r.p99.toFixed(1),
        "HTML KiB": (r.bytes / 1024).toFixed(0),
      });
    }
    console.log(
      `\nSSR of the issue stream with ${ISSUES.toLocaleString("en")} issues in the project (${EVENTS.toLocaleString("en")} events in 24 h), Worker time (wall per request on loopback, local D1, ${RUNS} runs after 5 warm-up):`,
    );
    console.table(rows);
    return rows;
  } finally {
    stopDev(server);
    rmSync(persistTo, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await runUiBench();
