import { describe, expect, it } from "vitest";
import { collapseSlashes, redirectTarget } from "../../src/http/redirect-target.ts";

const ORIGIN = "https://errors.example.com";

describe("redirectTarget", () => {
  it.each([
    "//evil.example/x",
    "/\t/evil.example/x",
    "/\n/evil.example/x",
    "/\r/evil.example/x",
    "/\\evil.example/x",
    "\\\\evil.example/x",
    "https://evil.example/x",
    "javascript:alert(1)",
    "data:text/html,x",
    "//errors.example.com@evil.example/",
    "https://user:pw@errors.example.com/",
    "",
  ])("refuses %j", (target) => {
    expect(redirectTarget(target, ORIGIN)).toBeNull();
  });

  it.each([
    ["/organizations/a/?b=1#c", "/organizations/a/?b=1#c"],
    ["/%2F%2Fevil.example/x", "/%2F%2Fevil.example/x"],
    ["/%5Cevil.example/x", "/%5Cevil.example/x"],
    ["/%09/evil.example/x", "/%09/evil.example/x"],
    ["/%2e%2e/%2e%2e//evil.example/x", "/evil.example/x"],
    ["/a//b///c/", "/a/b/c/"],
    ["https://errors.example.com/a/", "/a/"],
    ["relative/path", "/relative/path"],
    // Same scheme without `//` is a path on this origin, for browsers too.
    ["https:evil.example", "/evil.example"],
  ])("keeps %j on this site as %j", (target, path) => {
    expect(redirectTarget(target, ORIGIN)).toBe(path);
  });

  it("collapses runs of slashes", () => {
    expect(collapseSlashes("//api/0//projects/")).toBe("/api/0/projects/");
  });
});
