// CORS headers on ingest answers: set on the handler's own response, or on a copy when the response's
// headers cannot change.
import { describe, expect, it } from "vitest";
import { withIngestCors } from "../../src/http/cors.ts";

describe("withIngestCors", () => {
  it("adds the headers to a response the handlers built, keeping its own", async () => {
    const response = new Response('{"id":"x"}', {
      status: 200,
      headers: { "content-type": "application/json", "retry-after": "5" },
    });
    const answered = withIngestCors(response);
    expect(answered.headers.get("access-control-allow-origin")).toBe("*");
    expect(answered.headers.get("access-control-expose-headers")).toContain("x-sentry-rate-limits");
    expect(answered.headers.get("retry-after")).toBe("5");
    expect(answered.status).toBe(200);
    expect(await answered.text()).toBe('{"id":"x"}');
  });

  it("copies a response whose headers are immutable", () => {
    const redirect = Response.redirect("https://example.com/next", 302);
    const answered = withIngestCors(redirect);
    expect(answered).not.toBe(redirect);
    expect(answered.status).toBe(302);
    expect(answered.headers.get("location")).toBe("https://example.com/next");
    expect(answered.headers.get("access-control-allow-origin")).toBe("*");
    expect(redirect.headers.get("access-control-allow-origin")).toBeNull();
  });
});
