// Which users a shaped row leaves to its user_key: exactly a non-empty string id that the key spells.
import { describe, expect, it } from "vitest";
import { shapedProjection, userSpelledByKey } from "../../src/db/payload-shape.ts";
import type { JsonObject } from "../../src/protocol/types.ts";

describe("a user spelled by the row's user_key", () => {
  it("is only a user with nothing but the id the key names", () => {
    expect(userSpelledByKey({ id: "u-1" }, "id:u-1")).toBe(true);
    expect(userSpelledByKey({ id: "u-1" }, "id:u-2")).toBe(false);
    expect(userSpelledByKey({ id: "u-1" }, null)).toBe(false);
    expect(userSpelledByKey({ id: "u-1", email: "a@b.c" }, "id:u-1")).toBe(false);
    expect(userSpelledByKey({ id: 7 }, "id:7")).toBe(false);
    expect(userSpelledByKey({ id: "" }, "id:")).toBe(false);
    expect(userSpelledByKey({ email: "a@b.c" }, "email:a@b.c")).toBe(false);
    expect(userSpelledByKey(undefined, "id:u-1")).toBe(false);
  });

  const event = (user: JsonObject): JsonObject => ({
    event_id: "a".repeat(32),
    user,
    sdk: { name: "sentry.rust", version: "0.34.0" },
    exception: { values: [{ type: "panic", value: "boom" }] },
  });

  it("leaves the projection of a shaped row, and only then", () => {
    const left = shapedProjection(event({ id: "u-1" }), "panic: boom", "id:u-1");
    expect(left.shape).not.toBeNull();
    expect(JSON.parse(left.payload).user).toBeUndefined();
    const kept = shapedProjection(event({ id: "u-1", username: "x" }), "panic: boom", "id:u-1");
    expect(JSON.parse(kept.payload).user).toEqual({ id: "u-1", username: "x" });
    // Nothing shaped: the row reads its payload whole, the user with it.
    const unshaped = shapedProjection({ event_id: "b".repeat(32), user: { id: "u-1" } }, null, "id:u-1");
    expect(unshaped.shape).toBeNull();
    expect(JSON.parse(unshaped.payload).user).toEqual({ id: "u-1" });
  });
});
