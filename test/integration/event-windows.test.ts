// A project's error events by time are its issues' events (migration 0042: no index by project and
// time), read newest first through windows that widen from 1 hour to 1 day, 7 days and the whole
// range (src/db/event-windows.ts). Through the real envelope endpoint and Sentry's event APIs: pages
// that a narrow window cannot fill, and pages that cross from one window to the next, come out exactly
// as the project's events sorted by time, in both directions, with transactions where Sentry shows them.
import { beforeAll, describe, expect, it } from "vitest";
import { errorEvent } from "./discover-fixtures.ts";
import {
  createTenant,
  drainSpool,
  newEventId,
  postEnvelope,
  type Tenant,
  transactionWithOneSpan,
} from "./helpers.ts";
import { call } from "./tenant-helpers.ts";

const HOUR = 3600;
const DAY = 86_400;

let t: Tenant;
let other: Tenant;
/** The error events sent, newest first. */
const sent: { id: string; age: number; message: string }[] = [];
let transactionId = "";

/** Ages chosen so that every window boundary (1 h, 1 d, 7 d) has events on both sides. */
const AGES = [60, 1_800, 3 * HOUR, 20 * HOUR, 2 * DAY, 3 * DAY, 6 * DAY, 9 * DAY, 12 * DAY];

beforeAll(async () => {
  t = await createTenant();
  other = await createTenant();
  const now = Date.now() / 1000;
  for (const [i, age] of AGES.entries()) {
    const id = newEventId();
    // Three issues, so that a window's events come from several issues' ranges.
    const message = `window event in issue ${i % 3}`;
    const body = errorEvent(id, { message, level: "error", platform: "rust", timestamp: now - age });
    const res = await postEnvelope(t, body);
    expect(res.status, await res.clone().text()).toBe(200);
    sent.push({ id, age, message });
  }
  transactionId = newEventId();
  expect(
    (await postEnvelope(t, transactionWithOneSpan(transactionId, newEventId(), now - 2 * HOUR))).status,
  ).toBe(200);
  // Another tenant's events at the same times must never appear.
  for (const age of AGES.slice(0, 3)) {
    const id = newEventId();
    const body = errorEvent(id, {
      message: "foreign",
      level: "error",
      platform: "rust",
      timestamp: now - age,
    });
    expect((await postEnvelope(other, body)).status).toBe(200);
  }
  await drainSpool(t.projectId);
  await drainSpool(other.projectId);
});

async function pages(path: string, perPage: number): Promise<string[][]> {
  const out: string[][] = [];
  for (let offset = 0; ; offset += perPage) {
    const sep = path.includes("?") ? "&" : "?";
    const res = await call<{ id?: string; eventID?: string }[] | { data: { id: string }[] }>(
      t.token,
      "GET",
      `${path}${sep}per_page=${perPage}&cursor=0:${offset}:0`,
    );
    expect(res.status, res.text).toBe(200);
    const rows = Array.isArray(res.body) ? res.body : res.body.data;
    out.push(rows.map((r) => ("eventID" in r && r.eventID ? r.eventID : (r.id ?? ""))));
    if (!res.res.headers.get("link")?.includes('rel="next"; results="true"')) return out;
    if (out.length > 20) throw new Error("paging did not end");
  }
}

const newestFirst = () => sent.map((e) => e.id);
const chunks = (ids: string[], size: number) =>
  Array.from({ length: Math.ceil(ids.length / size) }, (_, i) => ids.slice(i * size, i * size + size));

describe("a project's error events by time, through its issues", () => {
  it("the project event list pages newest first across every window, and oldest first", async () => {
    const list = `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/`;
    for (const perPage of [1, 2, 4, 100])
      expect(await pages(list, perPage)).toEqual(chunks(newestFirst(), perPage));
    expect((await pages(`${list}?sort=timestamp`, 4)).flat()).toEqual([...newestFirst()].reverse());
    // A range anchors the windows at its own end (newest first) or start (oldest first).
    expect((await pages(`${list}?statsPeriod=7d`, 3)).flat()).toEqual(
      sent.filter((e) => e.age < 7 * DAY).map((e) => e.id),
    );
    expect((await pages(`${list}?statsPeriod=10d&sort=timestamp`, 3)).flat()).toEqual(
      sent
        .filter((e) => e.age < 10 * DAY)
        .map((e) => e.id)
        .reverse(),
    );
  });

  it("discover's error events sorted by time page the same way; aggregates count every window", async () => {
    const base = `/api/0/organizations/${t.orgSlug}/events/?dataset=errors&field=id&field=timestamp&statsPeriod=14d`;
    expect((await pages(`${base}&sort=-timestamp`, 2)).flat()).toEqual(newestFirst());
    expect((await pages(`${base}&sort=timestamp`, 5)).flat()).toEqual([...newestFirst()].reverse());
    const counts = await call<{ data: { message: string; "count()": number }[] }>(
      t.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/events/?dataset=errors&field=message&field=count()&sort=message&statsPeriod=14d`,
    );
    expect(counts.status, counts.text).toBe(200);
    expect(counts.body.data).toEqual([
      { message: "window event in issue 0", "count()": 3 },
      { message: "window event in issue 1", "count()": 3 },
      { message: "window event in issue 2", "count()": 3 },
    ]);
  });

  it("the discover dataset holds the transaction beside the error events, in time order", async () => {
    const res = await call<{ data: { id: string; "event.type": string }[] }>(
      t.token,
      "GET",
      `/api/0/organizations/${t.orgSlug}/events/?dataset=discover&field=id&field=event.type&field=timestamp&sort=-timestamp&statsPeriod=14d&per_page=4`,
    );
    expect(res.status, res.text).toBe(200);
    // 60 s, 30 min, then the transaction (2 h), then 3 h.
    expect(res.body.data.map((r) => r.id)).toEqual([sent[0]?.id, sent[1]?.id, transactionId, sent[2]?.id]);
    expect(res.body.data[2]?.["event.type"]).toBe("transaction");
  });
});
