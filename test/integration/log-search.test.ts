// The logs explorer's filters through the full-text prefilter (migrations/0030): each filter path gives
// what the plain scan with the exact checks gives (the oracle below runs those checks alone, on the
// table without any index but its primary key), through the page, the cursor and the histogram.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { pageReadsCandidates, pairMatch } from "../../src/db/log-prefilter.ts";
import {
  type LogCursor,
  type LogFilters,
  type LogRow,
  logVolume,
  searchLogs,
  withPrefilter,
} from "../../src/db/telemetry-search.ts";
import { type LogSearch, logSearchOf } from "../../src/protocol/telemetry-query.ts";
import { createTenant, type Tenant } from "./helpers.ts";
import { addUser, get, signIn } from "./ui-helpers.ts";

const now = Math.floor(Date.now() / 1000);

async function insertLogs(
  t: Tenant,
  rows: { body: string; attributes: object; ts?: number; env?: string; release?: string }[],
): Promise<void> {
  const statements = rows.map((r, i) =>
    env.DB.prepare(
      `INSERT INTO logs (project_id, timestamp, level, body, release, environment, attributes)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).bind(
      t.projectId,
      r.ts ?? now - Math.floor(i / 2),
      i % 4 === 0 ? "error" : "info",
      r.body,
      r.release ?? null,
      r.env ?? null,
      JSON.stringify(r.attributes),
    ),
  );
  for (let i = 0; i < statements.length; i += 500) await env.DB.batch(statements.slice(i, i + 500));
  // The volume counters, as the group commit that stores records keeps them.
  await env.DB.prepare(
    `INSERT INTO log_volume (project_id, slot, level, n)
     SELECT project_id, CAST(timestamp / 600 AS INTEGER) * 600, level, COUNT(*) FROM logs WHERE project_id = ?
     GROUP BY 1, 2, 3 ON CONFLICT (project_id, slot, level) DO UPDATE SET n = excluded.n`,
  )
    .bind(t.projectId)
    .run();
}

/** The exact checks alone over every record of the project (no index, no prefilter). */
async function oracle(t: Tenant, query: string | LogSearch): Promise<number[]> {
  const search = typeof query === "string" ? logSearchOf(query) : query;
  const parts = ["project_id = ?"];
  const params: (string | number)[] = [t.projectId];
  if (search.text) {
    parts.push("instr(lower(body), lower(?)) > 0");
    params.push(search.text);
  }
  for (const [key, value] of search.attributes) {
    parts.push("CAST(json_extract(attributes, ?) AS TEXT) = ?");
    params.push(`$."${key.replaceAll('"', "")}"`, value);
  }
  if (search.environment) {
    parts.push("environment = ?");
    params.push(search.environment);
  }
  if (search.release) {
    parts.push("release = ?");
    params.push(search.release);
  }
  const rows = await env.DB.prepare(
    `SELECT id FROM logs NOT INDEXED WHERE ${parts.join(" AND ")} ORDER BY timestamp DESC, id DESC`,
  )
    .bind(...params)
    .all<{ id: number }>();
  return rows.results.map((r) => r.id);
}

const filtersOf = (t: Tenant, query: string | LogSearch): LogFilters => ({
  ...(typeof query === "string" ? logSearchOf(query) : query),
  projectIds: [t.projectId],
  from: now - 86400,
  to: now + 60,
});

/** Every page of the search, by cursor, as the explorer walks them. */
async function allPages(filters: LogFilters, size: number): Promise<LogRow[]> {
  const seen: LogRow[] = [];
  let cursor: LogCursor | null = null;
  for (let page = 0; page < 100; page += 1) {
    const rows = await searchLogs(env.DB, filters, cursor, size);
    seen.push(...rows);
    const last = rows[rows.length - 1];
    if (rows.length < size || !last) break;
    cursor = { timestamp: last.timestamp, id: last.id };
  }
  return seen;
}

async function expectSameAsOracle(
  t: Tenant,
  query: string | LogSearch,
  expected: number,
  pageSize = 7,
): Promise<LogFilters> {
  const want = await oracle(t, query);
  expect(want).toHaveLength(expected);
  const planned = await withPrefilter(env.DB, filtersOf(t, query));
  const pages = await allPages(planned, pageSize);
  expect(pages.map((r) => r.id)).toEqual(want);
  // Unplanned (each read probes for itself) gives the same first page.
  const first = await searchLogs(env.DB, filtersOf(t, query), null, pageSize);
  expect(first.map((r) => r.id)).toEqual(want.slice(0, pageSize));
  const volume = await logVolume(env.DB, planned, 3600);
  expect(volume.reduce((n, v) => n + v.n, 0)).toBe(expected);
  return planned;
}

const SPECIAL = [
  'saved 100% of "quoted" a_b (x) [y] * AND OR NEAR',
  'Saved 100% OF "QUOTED" A_B (X) [Y] * and or near',
  "saved 100 percent of quoted ab x y",
  "café ÜBER naïve — 東京 🚀 done",
  "CAFÉ über NAÏVE — 東京 🚀 DONE",
  "a'b\"c\\d%e_f",
];

describe("logs explorer full-text prefilter", () => {
  it("free text with special characters matches the substring check exactly, through page, cursor and histogram", async () => {
    const t = await createTenant();
    const rows = Array.from({ length: 60 }, (_, i) => ({
      body: `${SPECIAL[i % SPECIAL.length]} #${i}`,
      attributes: { n: i },
    }));
    await insertLogs(t, rows);
    const planned = await expectSameAsOracle(t, '"100% of \\"quoted\\" a_b"', 20);
    expect(planned.prefilter?.table).toBe("logs_text");
    // 20 candidates of 60 records, pages of 7: the page reads the candidates.
    expect(planned.prefilter && pageReadsCandidates(planned.prefilter, 7)).toBe(true);
    await expectSameAsOracle(t, '"(x) [y] * AND OR"', 20);
    await expectSameAsOracle(t, '"b\\"c\\\\d%e_f"', 10);
    // Case folds as lower() does, ASCII only: "café" is not found in "CAFÉ" (the trigram table folds É
    // too, so "CAFÉ" is a candidate the exact check turns down), "CAF" is found in both.
    await expectSameAsOracle(t, "café", 10);
    await expectSameAsOracle(t, "CAF", 20);
    await expectSameAsOracle(t, "über", 10);
    await expectSameAsOracle(t, "東京 🚀", 20);
    // Under three characters the trigram table cannot serve: the plain walk does, with the same answer.
    const short = await expectSameAsOracle(t, "%", 30);
    expect(short.prefilter).toBeNull();
    await expectSameAsOracle(t, "nothing like this", 0);
  });

  it("attribute terms with ':' and quotes in the value, numbers and booleans, compare as the stored value", async () => {
    const t = await createTenant();
    const rows = Array.from({ length: 40 }, (_, i) => ({
      body: `request ${i}`,
      attributes: {
        url: i % 2 === 0 ? "http://api:8080/v1?a=b:c" : "http://api:8080/v2",
        worker: i % 8,
        ok: i % 4 === 0,
        "http.route": "/r/:id",
        note: 'say "hi"',
        big: "x".repeat(150) + (i % 3),
      },
    }));
    await insertLogs(t, rows);
    const planned = await expectSameAsOracle(t, "url:http://api:8080/v1?a=b:c", 20);
    expect(planned.prefilter?.table).toBe("logs_attrs");
    // Half the records match: the page walks the time index (the histogram still reads the candidates).
    expect(planned.prefilter && pageReadsCandidates(planned.prefilter, 7)).toBe(false);
    const rare = await expectSameAsOracle(t, "worker:7", 5);
    expect(rare.prefilter && pageReadsCandidates(rare.prefilter, 7)).toBe(true);
    await expectSameAsOracle(t, "worker:7 ok:1", 0);
    await expectSameAsOracle(t, "worker:4 ok:1", 5);
    await expectSameAsOracle(t, "http.route:/r/:id worker:3", 5);
    await expectSameAsOracle(t, 'note:"say \\"hi\\""', 40);
    // Longer than the pair token holds: the token matches all three, the exact check keeps one.
    await expectSameAsOracle(t, `big:${"x".repeat(150)}1`, 13);
    await expectSameAsOracle(t, "worker:70", 0);
    // Text and attribute together; each page by cursor.
    await expectSameAsOracle(t, "url:http://api:8080/v2 request 1", 6);
  });

  it("exact attribute pairs skip the record check and still give the scan's answer", async () => {
    const t = await createTenant();
    const rows = Array.from({ length: 48 }, (_, i) => ({
      body: `call ${i}`,
      attributes: {
        // Without the key's length in the token these two spell the same `a=b=c`.
        ...(i % 2 === 0 ? { "a=b": "c" } : { a: "b=c" }),
        // A key that is a prefix of another, and values that are prefixes of others.
        worker: i % 6,
        worker_id: `w${i % 6}`,
        "worker.pool": i % 6 === 1 ? "blue" : "blue-green",
        q: i % 3 === 0 ? "say \"hi\" = 'yes'" : "say",
        city: i % 4 === 0 ? "Zürich 東京 🚀" : "Zurich",
        flag: i % 5 === 0,
        ratio: i % 2 === 0 ? 0.5 : 1,
        edge: "y".repeat(87) + (i % 2),
      },
    }));
    await insertLogs(t, rows);
    // The search box has no key with `=`: filters as the API would hold them.
    const pairs = (...attributes: [string, string][]): LogSearch => ({ levels: [], attributes });
    const eq = await expectSameAsOracle(t, pairs(["a=b", "c"]), 24);
    expect(eq.prefilter).toMatchObject({ table: "logs_attrs", exact: true });
    await expectSameAsOracle(t, pairs(["a", "b=c"]), 24);
    await expectSameAsOracle(t, "a:b=c", 24);
    await expectSameAsOracle(t, "a:b", 0);
    await expectSameAsOracle(t, pairs(["a=b", "c"], ["a", "b=c"]), 0);
    const worker = await expectSameAsOracle(t, "worker:1", 8);
    expect(worker.prefilter?.exact).toBe(true);
    await expectSameAsOracle(t, "worker_id:w1", 8);
    await expectSameAsOracle(t, "worker:w1", 0);
    await expectSameAsOracle(t, "worker.pool:blue", 8);
    await expectSameAsOracle(t, "worker.pool:blue-green", 40);
    await expectSameAsOracle(t, `q:"say \\"hi\\" = 'yes'"`, 16);
    await expectSameAsOracle(t, "q:say", 32);
    await expectSameAsOracle(t, 'city:"Zürich 東京 🚀"', 12);
    await expectSameAsOracle(t, "city:Zurich worker:2", 4);
    await expectSameAsOracle(t, "flag:1", 10);
    await expectSameAsOracle(t, "ratio:0.5", 24);
    await expectSameAsOracle(t, "ratio:1", 24);
    // "5:edge=" and 88 characters: 95, whole; with a level filter too, and the histogram by level.
    const edge = await expectSameAsOracle(t, `edge:${"y".repeat(87)}1`, 24);
    expect(edge.prefilter?.exact).toBe(true);
    const errors = await withPrefilter(env.DB, { ...filtersOf(t, "worker:0"), levels: ["error"] });
    const volume = await logVolume(env.DB, errors, 3600);
    // Records 0, 12, 24, 36 are errors (every fourth) with worker 0.
    expect(volume.reduce((n, v) => n + v.n, 0)).toBe(4);
    expect(volume.every((v) => v.level === "error")).toBe(true);
    // Free text beside an exact pair: the records are read for the text, the pair is still not checked.
    await expectSameAsOracle(t, "worker:3 call 1", 1);
    // Deleting records (as retention does) removes their pair tokens: a later record that takes a
    // deleted id is not a candidate for the deleted record's pairs.
    const pairCount = async (key: string, value: string) => {
      const m = pairMatch([[key, value]]);
      const row = await env.DB.prepare(
        `SELECT COUNT(*) AS n FROM logs_attrs WHERE logs_attrs MATCH (${m.sql})`,
      )
        .bind(...m.params)
        .first<{ n: number }>();
      return row?.n;
    };
    // Other tests' records share the table: compare with the counts before.
    const before = { one: await pairCount("worker", "1"), two: await pairCount("worker", "2") };
    const newest = await env.DB.prepare("SELECT MAX(id) AS id FROM logs").first<{ id: number }>();
    await env.DB.prepare(
      `DELETE FROM logs WHERE project_id = ? AND (CAST(json_extract(attributes, '$."worker"') AS TEXT) = '1'
         OR id = ?)`,
    )
      .bind(t.projectId, newest?.id ?? 0)
      .run();
    // The newest record (47) has worker 5.
    expect(await pairCount("worker", "1")).toBe((before.one ?? 0) - 8);
    expect(await pairCount("worker", "2")).toBe(before.two);
    await insertLogs(t, [{ body: "reused", attributes: { worker: 9 } }]);
    await expectSameAsOracle(t, "worker:5", 7);
    await expectSameAsOracle(t, "worker:9", 1);
    await expectSameAsOracle(t, "worker:1", 0);
  });

  it("a text of many common trigrams probes by rising bounds and still finds its rarest", async () => {
    const t = await createTenant();
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      body: `the same common sentence for all${i % 2 === 0 ? " xyzzy" : ""} #${i}`,
      attributes: {},
      ts: now - i,
    }));
    await insertLogs(t, rows);
    // 16 trigrams probed: the first stage counts each to 1,250, which all reach (1,500 or 3,000 each);
    // the second (to 5,000) counts them all, and the rarest are the " xyzzy" ones.
    const planned = await expectSameAsOracle(t, "same common sentence for all xyzzy", 1500, 50);
    expect(planned.prefilter?.table).toBe("logs_text");
    expect(planned.prefilter?.estimate).toBe(1500);
    // Every trigram common to all records: no stage bound below 20,000 finds one under it, yet the
    // bounded counts (3,000 each) serve the histogram.
    const all = await expectSameAsOracle(t, "the same common sentence for all", 3000, 50);
    expect(all.prefilter?.estimate).toBe(3000);
  });

  it("many candidates walk the time index; environment with release reads its own index; both exact", async () => {
    const t = await createTenant();
    const rows = Array.from({ length: 2600 }, (_, i) => ({
      body: `job ${i % 3 === 0 ? "alpha" : "beta"} done`,
      attributes: { shard: i % 2 },
      ts: now - i,
      env: i % 2 === 0 ? "staging" : "production",
      release: `svc@1.${i % 5}.0`,
    }));
    await insertLogs(t, rows);
    const planned = await withPrefilter(env.DB, filtersOf(t, "alpha"));
    // Dense candidates (a third of the records): the page walks, the histogram reads the candidates.
    expect(planned.prefilter?.estimate).toBe(867);
    expect(planned.prefilter?.rangeRecords).toBe(2600);
    expect(planned.prefilter && pageReadsCandidates(planned.prefilter, 50)).toBe(false);
    const want = await oracle(t, "alpha");
    expect(want).toHaveLength(867);
    const page = await searchLogs(env.DB, planned, null, 50);
    expect(page.map((r) => r.id)).toEqual(want.slice(0, 50));
    const second = await searchLogs(
      env.DB,
      planned,
      { timestamp: page[49]!.timestamp, id: page[49]!.id },
      50,
    );
    expect(second.map((r) => r.id)).toEqual(want.slice(50, 100));
    expect((await logVolume(env.DB, planned, 600)).reduce((n, v) => n + v.n, 0)).toBe(867);
    const shard = await withPrefilter(env.DB, filtersOf(t, "shard:1"));
    expect(shard.prefilter?.estimate).toBe(1300);
    expect((await logVolume(env.DB, shard, 600)).reduce((n, v) => n + v.n, 0)).toBe(1300);
    await expectSameAsOracle(t, "environment:staging release:svc@1.3.0", 260);
    await expectSameAsOracle(t, "environment:staging release:svc@1.3.0 beta", 173);
  });

  it("the explorer page lists what the filters select", async () => {
    const t = await createTenant();
    await insertLogs(t, [
      { body: "disk 93% full on /var", attributes: { host: "db:1" } },
      { body: "disk 12% full on /var", attributes: { host: "db:2" } },
      { body: "disk 93% full on /tmp", attributes: { host: "db:2" } },
    ]);
    const browser = await signIn(await addUser(t, "member"));
    const html = async (query: string) => {
      const res = await get(
        browser,
        `/organizations/${t.orgSlug}/explore/logs/?query=${encodeURIComponent(query)}`,
      );
      expect(res.status).toBe(200);
      return res.text();
    };
    const one = await html("host:db:1 93% full");
    expect(one).toContain("disk 93% full on /var");
    expect(one).not.toContain("/tmp");
    expect(one).not.toContain("12% full");
    const text = await html("93% full");
    expect(text).toContain("disk 93% full on /var");
    expect(text).toContain("disk 93% full on /tmp");
    expect(text).not.toContain("12% full");
  });
});
