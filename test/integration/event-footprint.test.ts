// What an error event's D1 row keeps of its payload, through the ingest endpoint and the REST API: the
// row holds a compact projection (no copy of the columns, each frame that only names a file as that
// name) less its shape, which event_shapes holds once for the events that repeat it, and less its span
// id and exception value, which have columns of their own; and every read
// that works on rows (event lists, an issue's events, tags and tag values,
// discover's columns and filters, issue search, the trace view) answers the same from it as from a row
// written before, which holds the whole payload (discover's stack.filename in the stack's order too).
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { shapeHash } from "../../src/db/payload-shape.ts";
import { apiGet, discoverById, issueIdsFound } from "./api-reads.ts";
import {
  createTenant,
  drainSpool,
  envelope,
  eventRow,
  newEventId,
  postEnvelope,
  storedPayload,
  type Tenant,
} from "./helpers.ts";

type Json = Record<string, unknown>;

const TRACE = "a1".repeat(16);

/** What a panic's SDK tags and contexts are (the trace context aside); the default is the bench's. */
interface Variant {
  tags?: Record<string, string>;
  contexts?: Record<string, unknown> | null;
}

const RUST_CONTEXTS = {
  os: { type: "os", name: "Linux", version: "6.1.0" },
  runtime: { type: "runtime", name: "rustc", version: "1.80.0" },
};

async function sendPanic(t: Tenant, order: number, variant: Variant = {}): Promise<string> {
  const id = newEventId();
  const body = {
    event_id: id,
    level: "fatal",
    platform: "native",
    release: "api@1.4.0",
    environment: "production",
    server_name: "web-3",
    timestamp: Date.now() / 1000,
    tags: variant.tags ?? { customer: "acme" },
    user: { id: "user-7", email: "u7@example.com" },
    sdk: { name: "sentry.rust", version: "0.34.0", packages: [{ name: "cargo:sentry", version: "0.34.0" }] },
    contexts:
      variant.contexts === null
        ? undefined
        : { ...(variant.contexts ?? RUST_CONTEXTS), trace: { trace_id: TRACE, span_id: "b2".repeat(8) } },
    exception: {
      values: [
        {
          type: "panic",
          value: `called \`Option::unwrap()\` on a \`None\` value (order ${order})`,
          mechanism: { type: "panic", handled: false },
          stacktrace: {
            frames: [
              { function: "std::rt::lang_start", filename: "rt.rs", lineno: 10, in_app: false },
              { function: "load", filename: "load.rs", lineno: 4, in_app: true, vars: { x: "1" } },
              { function: "parse", filename: "parse.rs", lineno: 9, in_app: true },
              { function: "load_again", filename: "load.rs", lineno: 7, in_app: true },
              { function: "handle", filename: "handle_request.rs", lineno: 78, in_app: true },
              { function: "core::panicking", filename: "panicking.rs", lineno: 1, in_app: false },
            ],
          },
        },
      ],
    },
  };
  const res = await postEnvelope(t, envelope({ event_id: id }, [{ type: "event" }, JSON.stringify(body)]));
  expect(res.status).toBe(200);
  return id;
}

/** Rewrites the events as rows written before 0034 were: the whole payload in `payload`, no shape. */
async function asRowsBeforeShapes(t: Tenant, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const whole = await storedPayload(t.projectId, id);
    await env.DB.prepare(
      `UPDATE events SET payload = ?, shape_id = NULL, span_id = NULL, error_value = NULL
       WHERE project_id = ? AND event_id = ?`,
    )
      .bind(whole, t.projectId, id)
      .run();
  }
}

const DISCOVER_FIELDS = [
  "id",
  "title",
  "error.type",
  "error.value",
  "error.handled",
  "error.mechanism",
  "stack.filename",
  "os.name",
  "runtime.name",
  "sdk.name",
  "sdk.version",
  "user.display",
  "user.email",
  "server_name",
  "trace.span",
  "tags[customer]",
  "transaction.duration",
];

/** Everything the API answers from the rows of the tenant's one issue. */
async function reads(t: Tenant, issueId: string): Promise<unknown[]> {
  const project = `projects/${t.orgSlug}/${t.projectSlug}`;
  const discover = (query: string) => discoverById(t, DISCOVER_FIELDS, query);
  const search = (query: string) => issueIdsFound(t, query);
  return [
    await apiGet(t, `${project}/events/`),
    await apiGet(t, `issues/${issueId}/events/`),
    await apiGet(t, `issues/${issueId}/tags/`),
    await apiGet(t, `issues/${issueId}/tags/os/values/`),
    await apiGet(t, `issues/${issueId}/tags/customer/values/`),
    await discover(""),
    await discover("error.type:panic error.handled:0 os.name:Linux sdk.name:sentry.rust"),
    await discover('stack.filename:"*parse.rs*" runtime.name:rustc error.mechanism:panic'),
    await discover("error.value:*order*"),
    await search("user.id:user-7"),
    await search("user.email:u7@example.com customer:acme"),
    await apiGet(t, `organizations/${t.orgSlug}/trace/${TRACE}/`),
    await discover(`trace.span:${"b2".repeat(8)}`),
  ];
}

describe("an error event's D1 row", () => {
  let t: Tenant;
  beforeEach(async () => {
    t = await createTenant();
  });

  it("keeps a projection without copies of its columns, and what events repeat once, as their shape", async () => {
    const ids = [await sendPanic(t, 1), await sendPanic(t, 2)];
    await drainSpool(t.projectId);
    const rows = await Promise.all(ids.map((id) => eventRow(t.projectId, id)));
    const own = rows.map((r) => JSON.parse(String(r?.payload)));
    expect(own[0]).toEqual({
      server_name: "web-3",
      // The tags normalization derived from the os and runtime contexts are the shape's.
      tags: [["customer", "acme"]],
      user: { id: "user-7", email: "u7@example.com" },
    });
    // The span id and the exception's value, which queries read of each event, have columns; a value
    // the title spells (`panic: …`) is left to the title (migration 0035).
    expect(rows.map((r) => [r?.error_value, r?.title])).toEqual([
      ["", "panic: called `Option::unwrap()` on a `None` value (order 1)"],
      ["", "panic: called `Option::unwrap()` on a `None` value (order 2)"],
    ]);
    // The hex span id is stored as its 8 bytes, not 16 characters of text.
    const spanIds = await env.DB.prepare(
      "SELECT typeof(span_id) AS kind, length(span_id) AS bytes, lower(hex(span_id)) AS hex FROM events WHERE project_id = ? ORDER BY event_id",
    )
      .bind(t.projectId)
      .all<{ kind: string; bytes: number; hex: string }>();
    expect(spanIds.results).toEqual([
      { kind: "blob", bytes: 8, hex: "b2".repeat(8) },
      { kind: "blob", bytes: 8, hex: "b2".repeat(8) },
    ]);
    // One shape for both: the frames, each file-only one as its file name, the location in its place.
    expect(rows[0]?.shape_id).toEqual(expect.any(Number));
    expect(rows[1]?.shape_id).toBe(rows[0]?.shape_id);
    const shapes = await env.DB.prepare("SELECT id, hash, shape FROM event_shapes WHERE project_id = ?")
      .bind(t.projectId)
      .all<{ id: number; hash: string; shape: string }>();
    expect(shapes.results.map((r) => r.id)).toEqual([rows[0]?.shape_id]);
    // Keyed by its hash, so its unique index does not hold the text again.
    expect(shapes.results[0]?.hash).toBe(shapeHash(String(shapes.results[0]?.shape)));
    expect(JSON.parse(String(shapes.results[0]?.shape))).toEqual({
      sdk: { name: "sentry.rust", version: "0.34.0" },
      contexts: { os: { name: "Linux", version: "6.1.0" }, runtime: { name: "rustc", version: "1.80.0" } },
      tags: [
        ["os", "Linux 6.1.0"],
        ["os.name", "Linux"],
        ["runtime", "rustc 1.80.0"],
        ["runtime.name", "rustc"],
      ],
      exception: {
        values: [
          {
            type: "panic",
            mechanism: { type: "panic", handled: false },
            stacktrace: {
              frames: [
                "rt.rs",
                "load.rs",
                "parse.rs",
                { filename: "handle_request.rs", lineno: 78, in_app: true },
                "panicking.rs",
              ],
            },
          },
        ],
      },
    });
  });

  it("answers every list, facet, discover column, filter and search the same as a row holding the whole payload", async () => {
    const ids = [await sendPanic(t, 1), await sendPanic(t, 2)];
    await drainSpool(t.projectId);
    const [item] = (await apiGet(t, `projects/${t.orgSlug}/${t.projectSlug}/events/`)) as Json[];
    const issueId = String(item?.groupID);
    const before = await reads(t, issueId);
    // The reads found the events: the filters matched and the columns hold values.
    const rows = (before[5] as { data: Json[] }).data;
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      "error.type": "panic",
      "error.handled": false,
      "os.name": "Linux",
      "runtime.name": "rustc",
      "sdk.name": "sentry.rust",
    });
    expect(rows[0]?.["stack.filename"]).toEqual(
      expect.arrayContaining(["rt.rs", "load.rs", "parse.rs", "handle_request.rs", "panicking.rs"]),
    );
    for (const i of [6, 7, 8]) expect((before[i] as { data: Json[] }).data).toHaveLength(2);
    expect(before[9]).toEqual([issueId]);
    expect(before[10]).toEqual([issueId]);
    // The span id filter finds both events by the id as SDKs spell it.
    expect((before[12] as { data: { "trace.span": string }[] }).data.map((r) => r["trace.span"])).toEqual([
      "b2".repeat(8),
      "b2".repeat(8),
    ]);
    expect(item?.location).toBe("handle_request.rs:78");

    // Rows written before byte span ids hold the span id as its hex text: every read answers the same.
    await env.DB.prepare("UPDATE events SET span_id = lower(hex(span_id)) WHERE project_id = ?")
      .bind(t.projectId)
      .run();
    expect(
      (
        await env.DB.prepare("SELECT DISTINCT typeof(span_id) AS kind FROM events WHERE project_id = ?")
          .bind(t.projectId)
          .all<{ kind: string }>()
      ).results,
    ).toEqual([{ kind: "text" }]);
    expect(await reads(t, issueId)).toEqual(before);

    // Rows written before the projection existed hold the whole payload in `payload`.
    await asRowsBeforeShapes(t, ids);
    expect(await reads(t, issueId)).toEqual(before);
  });

  it("keeps only the SDK's tags in the row and reads every event's tags as a row holding the whole payload", async () => {
    const browser = {
      ...RUST_CONTEXTS,
      browser: { type: "browser", name: "Firefox", version: "120.0" },
    };
    const ids = [
      // SDK tags and context tags; only context tags; an SDK tag for a context's key; no contexts.
      await sendPanic(t, 1),
      await sendPanic(t, 2, { tags: {}, contexts: browser }),
      await sendPanic(t, 3, { tags: { os: "Custom OS 1", customer: "initech" } }),
      await sendPanic(t, 4, { tags: { customer: "globex" }, contexts: null }),
    ];
    await drainSpool(t.projectId);
    const rows = await Promise.all(ids.map((id) => eventRow(t.projectId, id)));
    expect(rows.map((r) => JSON.parse(String(r?.payload)).tags ?? null)).toEqual([
      [["customer", "acme"]],
      null,
      [
        ["os", "Custom OS 1"],
        ["customer", "initech"],
      ],
      [["customer", "globex"]],
    ]);
    const shapeTags = async (id: unknown) =>
      JSON.parse(
        String(
          (
            await env.DB.prepare("SELECT shape FROM event_shapes WHERE id = ?")
              .bind(id)
              .first<{ shape: string }>()
          )?.shape,
        ),
      ).tags ?? null;
    const rust = [
      ["os", "Linux 6.1.0"],
      ["os.name", "Linux"],
      ["runtime", "rustc 1.80.0"],
      ["runtime.name", "rustc"],
    ];
    expect(await Promise.all(rows.map((r) => shapeTags(r?.shape_id)))).toEqual([
      rust,
      [...rust, ["browser", "Firefox 120.0"], ["browser.name", "Firefox"]],
      rust.slice(1),
      null,
    ]);
    // An SDK tag for a context key leaves other pairs to the shape: another shape, not one per event.
    expect(rows[0]?.shape_id).not.toBe(rows[2]?.shape_id);

    const [item] = (await apiGet(t, `projects/${t.orgSlug}/${t.projectSlug}/events/`)) as Json[];
    const issueId = String(item?.groupID);
    const before = await tagReads(t, issueId, ids);
    // The event list and event detail show every tag (sorted by key, beside those of the columns).
    const sent = new Set(["customer", "os", "os.name", "runtime", "runtime.name", "browser", "browser.name"]);
    const pairs = (tags: { key: string; value: string }[]) =>
      tags.filter((tag) => sent.has(tag.key)).map((tag) => [tag.key, tag.value]);
    const listed = new Map(
      (before[0] as { eventID: string; tags: { key: string; value: string }[] }[]).map((e) => [
        e.eventID,
        pairs(e.tags),
      ]),
    );
    const byKey = (list: string[][]) => [...list].sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    expect(ids.map((id) => listed.get(id))).toEqual([
      byKey([["customer", "acme"], ...rust]),
      byKey([...rust, ["browser", "Firefox 120.0"], ["browser.name", "Firefox"]]),
      byKey([["os", "Custom OS 1"], ["customer", "initech"], ...rust.slice(1)]),
      [["customer", "globex"]],
    ]);
    const detail = before.slice(-4) as { tags: { key: string; value: string }[] }[];
    expect(detail.map((d) => pairs(d.tags))).toEqual(ids.map((id) => listed.get(id)));
    // The issue's tag values count the derived tags, and its search finds it by them.
    const values = (v: unknown) =>
      Object.fromEntries((v as { value: string; count: number }[]).map((x) => [x.value, x.count]));
    expect(values(before[3])).toEqual({ "Linux 6.1.0": 2, "Custom OS 1": 1 });
    expect(values(before[4])).toEqual({ Firefox: 1 });
    expect(before[9]).toEqual([issueId]);
    // Discover's tag columns and filters found the derived tags.
    const discovered = (before[5] as { data: Json[] }).data;
    expect(discovered.map((r) => [r["tags[os]"], r["tags[browser.name]"]])).toEqual(
      expect.arrayContaining([
        ["Linux 6.1.0", null],
        ["Linux 6.1.0", "Firefox"],
        ["Custom OS 1", null],
      ]),
    );
    expect((before[6] as { data: Json[] }).data).toHaveLength(3);
    expect((before[7] as { data: Json[] }).data).toHaveLength(1);
    expect((before[8] as { data: Json[] }).data).toHaveLength(2);

    // Rows written before 0034 hold the whole payload in `payload`: every read answers the same.
    await asRowsBeforeShapes(t, ids);
    expect(await tagReads(t, issueId, ids)).toEqual(before);
  });
});

/** Every read of the issue's events' tags: lists, facets, discover's tag columns and filters, detail. */
async function tagReads(t: Tenant, issueId: string, ids: string[]): Promise<unknown[]> {
  const project = `projects/${t.orgSlug}/${t.projectSlug}`;
  const fields = [
    "id",
    "os.name",
    "browser.name",
    "tags[os]",
    "tags[os.name]",
    "tags[browser.name]",
    "tags[customer]",
  ];
  const discover = (query: string) => discoverById(t, fields, query);
  const search = (query: string) => issueIdsFound(t, query);
  return [
    await apiGet(t, `${project}/events/`),
    await apiGet(t, `issues/${issueId}/events/`),
    await apiGet(t, `issues/${issueId}/tags/`),
    await apiGet(t, `issues/${issueId}/tags/os/values/`),
    await apiGet(t, `issues/${issueId}/tags/browser.name/values/`),
    await discover(""),
    await discover("os.name:Linux"),
    await discover('os:"Custom OS 1"'),
    await discover('tags[os.name]:Linux tags[runtime]:"rustc 1.80.0" !customer:initech'),
    await search("os.name:Linux browser.name:Firefox"),
    ...(await Promise.all(ids.map((id) => apiGet(t, `${project}/events/${id}/`)))),
  ];
}
