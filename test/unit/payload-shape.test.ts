// An event's shape (what many projections repeat), the columns of a shaped row and the rest its row
// keeps: every path a query reads is in exactly one of them, and putting them back together gives the
// projection (but for the values of exceptions before the last, which no query reads).
import { describe, expect, it } from "vitest";
import { projectionOf } from "../../src/db/payload-projection.ts";
import {
  COLUMN_PATHS,
  columnPath,
  DERIVED_ERROR_VALUE,
  shapedProjection,
  shapeHash,
  shapePath,
  spanIdAsBlobHex,
  splitProjection,
} from "../../src/db/payload-shape.ts";
import { withContextTags } from "../../src/protocol/normalize/tags.ts";
import type { JsonObject, JsonValue } from "../../src/protocol/types.ts";

const event = {
  type: "error",
  timestamp: 1_765_000_000.5,
  message: "boom",
  culprit: "app::main",
  server_name: "web-1",
  tags: [["customer", "acme"]],
  user: { id: "u1" },
  request: { url: "https://example.com/x", method: "POST" },
  contexts: {
    os: { name: "Linux", version: "6.1" },
    runtime: { name: "rustc", version: "1.80" },
    trace: { trace_id: "e".repeat(32), span_id: "f".repeat(16) },
  },
  sdk: { name: "sentry.rust", version: "0.34.0" },
  exception: {
    values: [
      { type: "Os", value: "No such file (os error 2)" },
      { type: "Valueless" },
      {
        type: "panic",
        value: "order 17",
        mechanism: { type: "panic", handled: false },
        stacktrace: { frames: [{ filename: "a.rs", lineno: 3, in_app: true }] },
      },
    ],
  },
};

const projection = projectionOf(event as unknown as JsonObject);
const { own, shape, columns } = splitProjection(projection);
const shapeObject = JSON.parse(shape ?? "null");

describe("splitProjection", () => {
  it("moves exception types, mechanisms and frames, the SDK and the os, runtime and browser contexts to the shape", () => {
    expect(shapeObject).toEqual({
      sdk: { name: "sentry.rust", version: "0.34.0" },
      contexts: { os: { name: "Linux", version: "6.1" }, runtime: { name: "rustc", version: "1.80" } },
      exception: {
        values: [
          { type: "Os" },
          { type: "Valueless" },
          {
            type: "panic",
            mechanism: { type: "panic", handled: false },
            stacktrace: { frames: [{ filename: "a.rs", lineno: 3, in_app: true }] },
          },
        ],
      },
    });
  });

  it("keeps the event's own fields in the row, its span id and last exception's value in columns", () => {
    expect(own).toEqual({
      message: "boom",
      culprit: "app::main",
      server_name: "web-1",
      tags: [["customer", "acme"]],
      user: { id: "u1" },
      request: { url: "https://example.com/x", method: "POST" },
    });
    expect(columns).toEqual({ spanId: "f".repeat(16), errorValue: "order 17" });
  });

  it("keeps a last exception value that is no string, and the trace's other fields, in the JSON", () => {
    const odd = splitProjection({
      contexts: { trace: { span_id: "a".repeat(16), op: "http.server" } },
      exception: {
        values: [
          { type: "E", value: "first" },
          { type: "E", value: 7 },
        ],
      },
    });
    expect(odd.own).toEqual({
      contexts: { trace: { op: "http.server" } },
      exception: { values: [{}, { value: 7 }] },
    });
    expect(odd.columns).toEqual({ spanId: "a".repeat(16), errorValue: null });
  });

  it("leaves a last exception value the title spells exactly (`type: value`) to the title", () => {
    const derived = splitProjection(projection, "panic: order 17");
    expect(derived.columns.errorValue).toBe(DERIVED_ERROR_VALUE);
    expect(derived.own).toEqual(own);
    // Any other title, a type that is no string, or no title: the value is stored.
    for (const title of ["panic: order 1", "panic: order 17 ", "Panic: order 17", "order 17", null])
      expect([title, splitProjection(projection, title).columns.errorValue]).toEqual([title, "order 17"]);
    const typeless = splitProjection({ exception: { values: [{ type: 3, value: "v" }] } }, "3: v");
    expect(typeless.columns.errorValue).toBe("v");
    // SQLite's length() stops at a NUL: a title holding one cannot be cut by it.
    const nul = splitProjection({ exception: { values: [{ type: "A\u0000B", value: "v" }] } }, "A\u0000B: v");
    expect(nul.columns.errorValue).toBe("v");
  });

  it("keeps an empty last exception value in the JSON, so an empty column only ever means the title", () => {
    const empty = splitProjection({ exception: { values: [{ type: "E", value: "" }] } }, "E: ");
    expect(empty.own).toEqual({ exception: { values: [{ value: "" }] } });
    expect(empty.columns.errorValue).toBeNull();
  });

  it("has no shape for a projection without what a shape holds", () => {
    const bare = splitProjection({ message: "m", tags: [["a", "b"]] });
    expect(bare).toEqual({
      own: { message: "m", tags: [["a", "b"]] },
      shape: null,
      columns: { spanId: null, errorValue: null },
    });
    // Nor columns: without a shape the row's JSON keeps its span id.
    const traced = { contexts: { trace: { span_id: "b".repeat(16) } } };
    expect(shapedProjection(traced)).toEqual({
      payload: JSON.stringify(traced),
      shape: null,
      spanId: null,
      errorValue: null,
    });
  });

  it("is the same text for events that differ only in what the row keeps", () => {
    const other = {
      ...event,
      user: { id: "u2" },
      exception: {
        values: event.exception.values.map((v, i) => (i === 2 ? { ...v, value: "order 18" } : v)),
      },
    };
    expect(shapedProjection(other as unknown as JsonObject).shape).toBe(shape);
  });
});

describe("shapePath", () => {
  it("reads each path of the projection from where splitProjection put it", () => {
    // json_extract's paths as the queries write them: keys, and [n] / [#-1] array steps.
    const read = (doc: unknown, path: string): unknown =>
      [...path.slice(1).matchAll(/\.([a-z_]+)|\[(#-1|\d+)\]/g)].reduce<unknown>((at, [, key, index]) => {
        if (key !== undefined) return (at as Record<string, unknown> | undefined)?.[key];
        const list = Array.isArray(at) ? at : [];
        return index === "#-1" ? list[list.length - 1] : list[Number(index)];
      }, doc);
    const columnValues: Record<string, unknown> = {
      span_id: columns.spanId,
      error_value: columns.errorValue,
    };
    for (const path of [
      "$.sdk.name",
      "$.contexts.os.name",
      "$.contexts.runtime.version",
      "$.user.id",
      "$.tags",
      "$.culprit",
      "$.request.url",
      "$.exception.values[#-1].type",
      "$.exception.values[0].type",
      "$.exception.values[#-1].mechanism.handled",
      "$.exception.values[#-1].stacktrace.frames[0].filename",
      "$.exception.values[#-1].value",
      "$.contexts.trace.span_id",
    ]) {
      const column = columnPath(path);
      const value = column ? columnValues[column] : read(shapePath(path) ? shapeObject : own, path);
      expect([path, value]).toEqual([path, read(projection, path)]);
    }
    expect(shapePath("$.exception")).toBe(true);
    expect(shapePath("$.exception.values[#-1].type")).toBe(true);
    expect(shapePath("$.exception.values[#-1].mechanism.handled")).toBe(true);
    expect(shapePath("$.exception.values[#-1].value")).toBe(false);
    expect(shapePath("$.sdkx")).toBe(false);
    expect(columnPath(COLUMN_PATHS.span_id)).toBe("span_id");
    expect(columnPath("$.exception.values[#-1].value")).toBe("error_value");
    expect(columnPath("$.exception.values[0].value")).toBeNull();
    expect(shapePath("$.contexts.device.model")).toBe(false);
  });
});

describe("shapeHash", () => {
  it("keys a shape by 22 base64url characters of its SHA-256, the same for the same text", () => {
    const key = shapeHash(shape ?? "");
    expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(shapeHash(shape ?? "")).toBe(key);
    expect(shapeHash(`${shape} `)).not.toBe(key);
    // SHA-256 of "abc", base64url, first 22 characters.
    expect(shapeHash("abc")).toBe("ungWv48Bz-pBQUDeXa4iI7");
  });
});

describe("spanIdAsBlobHex", () => {
  it("stores only a span id that its hex spelling gives back exactly as bytes", () => {
    expect(spanIdAsBlobHex("b2b2b2b2b2b2b2b2")).toBe("b2b2b2b2b2b2b2b2");
    expect(spanIdAsBlobHex("0123456789abcdef")).toBe("0123456789abcdef");
    // Upper case, other lengths and non-hex would not read back as sent: they stay text.
    for (const text of ["B2B2B2B2B2B2B2B2", "b2b2b2b2b2b2b2", "b2b2b2b2b2b2b2b2b2", "zzzzzzzzzzzzzzzz", ""])
      expect(spanIdAsBlobHex(text)).toBeNull();
    expect(spanIdAsBlobHex(null)).toBeNull();
    expect(spanIdAsBlobHex(undefined)).toBeNull();
  });
});

describe("the tags derived from the shape's contexts", () => {
  const contexts = {
    os: { name: "Linux", version: "6.1" },
    runtime: { name: "rustc", version: "1.80" },
    browser: { name: "Firefox", version: "120" },
  };
  /** The projection of an event whose SDK sent `sdkTags`, with its tags as normalization leaves them. */
  const projected = (sdkTags: [string, string][], ctx: Record<string, unknown> | undefined) =>
    projectionOf({
      ...(ctx ? { contexts: ctx } : {}),
      tags: withContextTags(sdkTags, ctx),
      sdk: { name: "sentry.rust", version: "0.34.0" },
      exception: { values: [{ type: "panic", value: "boom" }] },
    } as unknown as JsonObject);
  /** The row's part and the shape's, and the two one after the other (what readers read). */
  const split = (p: JsonObject) => {
    const { own, shape } = splitProjection(p);
    const shared = JSON.parse(shape ?? "{}") as JsonObject;
    const list = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);
    const whole =
      own.tags !== undefined && !Array.isArray(own.tags)
        ? own.tags
        : [...list(own.tags), ...list(shared.tags)];
    // Exact: the original tags, in order, whatever was sent.
    expect(whole).toEqual(p.tags ?? []);
    return { own, shared, whole };
  };

  it("moves the pairs the contexts derive, which end the event's tags, into the shape", () => {
    const p = projected([["customer", "acme"]], contexts);
    const { own, shared, whole } = split(p);
    expect(own.tags).toEqual([["customer", "acme"]]);
    expect(shared.tags).toEqual([
      ["os", "Linux 6.1"],
      ["os.name", "Linux"],
      ["runtime", "rustc 1.80"],
      ["runtime.name", "rustc"],
      ["browser", "Firefox 120"],
      ["browser.name", "Firefox"],
    ]);
    expect(whole).toEqual(p.tags);
  });

  it("drops the row's tags when every pair is derived", () => {
    const p = projected([], { os: contexts.os });
    const { own, shared, whole } = split(p);
    expect(own).not.toHaveProperty("tags");
    expect(shared.tags).toEqual([
      ["os", "Linux 6.1"],
      ["os.name", "Linux"],
    ]);
    expect(whole).toEqual(p.tags);
  });

  it("keeps a pair the SDK sent for a context's key in the row, and what comes before it", () => {
    const p = projected(
      [
        ["os", "Custom OS"],
        ["customer", "acme"],
      ],
      contexts,
    );
    const { own, shared, whole } = split(p);
    expect(own.tags).toEqual([
      ["os", "Custom OS"],
      ["customer", "acme"],
    ]);
    expect((shared.tags as unknown[])[0]).toEqual(["os.name", "Linux"]);
    expect(whole).toEqual(p.tags);
    // The SDK's value for a key ending its tags, when it is not the derived one, stays too.
    const last = {
      ...p,
      tags: [
        ["runtime.name", "rustc"],
        ["os.name", "BSD"],
      ],
    } as JsonObject;
    expect(split(last).own.tags).toEqual(last.tags);
    expect(split(last).shared).not.toHaveProperty("tags");
  });

  it("moves nothing the row's contexts do not derive, nor pairs followed by any other", () => {
    // No contexts: an SDK's `os` tag is its own.
    const bare = projected([["os", "Linux 6.1"]], undefined);
    expect(split(bare).own.tags).toEqual([["os", "Linux 6.1"]]);
    expect(split(bare).shared).not.toHaveProperty("tags");
    // A device context is no shape's: its tag ends the run, and nothing moves.
    const device = projected([], { ...contexts, device: { model: "Pixel 8" } });
    expect((device.tags as unknown[]).at(-1)).toEqual(["device", "Pixel 8"]);
    expect(split(device).own.tags).toEqual(device.tags);
    expect(split(device).shared).not.toHaveProperty("tags");
    // Derived pairs before an SDK's tag (never so after normalization) stay in the row.
    const before = {
      ...projected([], contexts),
      tags: [
        ["os.name", "Linux"],
        ["customer", "acme"],
      ],
    };
    expect(split(before as JsonObject).own.tags).toEqual(before.tags);
    // Tags that are no list of pairs stay as they are.
    const odd = { ...projected([], contexts), tags: { os: "Linux 6.1" } } as JsonObject;
    expect(split(odd).own.tags).toEqual({ os: "Linux 6.1" });
  });

  it("is the same shape for events that differ only in the SDK's own tags", () => {
    const a = splitProjection(projected([["customer", "acme"]], contexts)).shape;
    const b = splitProjection(
      projected(
        [
          ["customer", "globex"],
          ["region", "eu"],
        ],
        contexts,
      ),
    ).shape;
    const c = splitProjection(projected([], contexts)).shape;
    expect(a).toBe(b);
    expect(a).toBe(c);
  });
});
