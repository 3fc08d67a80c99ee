// An event's shape (what many projections repeat) and the rest its row keeps: every path of the
// projection is in exactly one of the two, and putting the shape back gives the projection.
import { describe, expect, it } from "vitest";
import { projectionOf } from "../../src/db/payload-projection.ts";
import { shapedProjection, shapePath, splitProjection, withShape } from "../../src/db/payload-shape.ts";
import type { JsonObject } from "../../src/protocol/types.ts";

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
      {
        type: "panic",
        value: "order 17",
        mechanism: { type: "panic", handled: false },
        stacktrace: { frames: [{ filename: "a.rs", lineno: 3, in_app: true }] },
      },
      { type: "Valueless" },
    ],
  },
};

const projection = projectionOf(event as unknown as JsonObject);
const { own, shape } = splitProjection(projection);
const shapeObject = JSON.parse(shape ?? "null");

describe("splitProjection", () => {
  it("moves exception types, mechanisms and frames, the SDK and the os, runtime and browser contexts to the shape", () => {
    expect(shapeObject).toEqual({
      sdk: { name: "sentry.rust", version: "0.34.0" },
      contexts: { os: { name: "Linux", version: "6.1" }, runtime: { name: "rustc", version: "1.80" } },
      exception: {
        values: [
          { type: "Os" },
          {
            type: "panic",
            mechanism: { type: "panic", handled: false },
            stacktrace: { frames: [{ filename: "a.rs", lineno: 3, in_app: true }] },
          },
          { type: "Valueless" },
        ],
      },
    });
  });

  it("keeps the event's own fields and each exception's value, index for index, in the row", () => {
    expect(own).toEqual({
      message: "boom",
      culprit: "app::main",
      server_name: "web-1",
      tags: [["customer", "acme"]],
      user: { id: "u1" },
      request: { url: "https://example.com/x", method: "POST" },
      contexts: { trace: { span_id: "f".repeat(16) } },
      exception: { values: [{ value: "No such file (os error 2)" }, { value: "order 17" }, {}] },
    });
  });

  it("puts back together into the projection", () => {
    expect(withShape(own, shapeObject)).toEqual(projection);
  });

  it("has no shape for a projection without what a shape holds", () => {
    const bare = splitProjection({ message: "m", tags: [["a", "b"]] });
    expect(bare).toEqual({ own: { message: "m", tags: [["a", "b"]] }, shape: null });
    expect(shapedProjection({})).toEqual({ payload: "{}", shape: null });
  });

  it("is the same text for events that differ only in what the row keeps", () => {
    const other = {
      ...event,
      user: { id: "u2" },
      exception: {
        values: event.exception.values.map((v, i) => (i === 1 ? { ...v, value: "order 18" } : v)),
      },
    };
    expect(shapedProjection(other as unknown as JsonObject).shape).toBe(shape);
  });
});

describe("shapePath", () => {
  it("reads each path of the projection from where splitProjection put it", () => {
    const read = (doc: unknown, path: string): unknown =>
      path
        .slice(2)
        .split(".")
        .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], doc);
    for (const path of [
      "$.sdk.name",
      "$.contexts.os.name",
      "$.contexts.runtime.version",
      "$.contexts.trace.span_id",
      "$.user.id",
      "$.tags",
      "$.culprit",
      "$.request.url",
    ]) {
      const from = shapePath(path) ? shapeObject : own;
      expect([path, read(from, path)]).toEqual([path, read(projection, path)]);
    }
    expect(shapePath("$.exception")).toBe(true);
    expect(shapePath("$.exception.values[#-1].type")).toBe(true);
    expect(shapePath("$.exception.values[#-1].mechanism.handled")).toBe(true);
    expect(shapePath("$.exception.values[#-1].value")).toBe(false);
    expect(shapePath("$.sdkx")).toBe(false);
    expect(shapePath("$.contexts.device.model")).toBe(false);
  });
});
