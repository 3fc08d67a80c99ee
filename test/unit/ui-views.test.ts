// Pure view functions of the UI: charts, frames and the exception chain, tags, the trace waterfall.
import { describe, expect, it } from "vitest";
import type { SpanRow } from "../../src/db/rows.ts";
import { bucketize, sparkline } from "../../src/ui/charts.ts";
import { renderEventBody, renderFrames, viewExceptions, viewFrames } from "../../src/ui/event-view.ts";
import { compactNumber, relativeTime } from "../../src/ui/format.ts";
import { summarizeTags } from "../../src/ui/pages/issue-detail.ts";
import { waterfall } from "../../src/ui/pages/trace.ts";
import { slugify } from "../../src/ui/settings-nav.ts";

describe("charts", () => {
  it("draws one bar per bucket, scaled to the peak, labelled with the total", () => {
    const svg = sparkline([0, 2, 4], 30, 20).value;
    expect(svg.match(/<rect /g)).toHaveLength(3);
    expect(svg).toContain('aria-label="6 events in the period"');
    expect(svg).toContain('height="20.00"');
    expect(svg).toContain('class="zero"');
  });

  it("buckets hourly rows into the last n buckets ending now", () => {
    const now = 10 * 3600 + 100;
    expect(
      bucketize(
        [
          { at: 10 * 3600, n: 3 },
          { at: 9 * 3600, n: 2 },
          { at: 2 * 3600, n: 9 },
        ],
        now,
        3600,
        3,
      ),
    ).toEqual([0, 2, 3]);
  });
});

describe("formatting", () => {
  it("compacts counts and tells times relative to now", () => {
    expect(compactNumber(999)).toBe("999");
    expect(compactNumber(1500)).toBe("1.5k");
    expect(compactNumber(2_000_000)).toBe("2M");
    expect(relativeTime(1000, 1030)).toBe("just now");
    expect(relativeTime(1000, 1000 + 7200)).toBe("2 h ago");
  });

  it("slugifies project names", () => {
    expect(slugify("My API (v2)")).toBe("my-api-v2");
    expect(slugify("  --  ")).toBe("");
  });
});

const payload = {
  debug_meta: {
    images: [{ type: "elf", code_file: "/usr/lib/libfoo.so", image_addr: "0x1000", image_size: 4096 }],
  },
  exception: {
    values: [
      {
        type: "TypeError",
        value: "root <b>cause</b>",
        stacktrace: {
          frames: [
            { function: "main", filename: "src/main.rs", lineno: 1, in_app: true },
            { function: "std::rt::lang_start", filename: "rt.rs", lineno: 5, in_app: false },
            { instruction_addr: "0x1010" },
            {
              function: "inner",
              filename: "src/lib.rs",
              lineno: 9,
              in_app: true,
              instruction_addr: "0x2000",
            },
            {
              function: "outer",
              filename: "src/lib.rs",
              lineno: 20,
              in_app: true,
              instruction_addr: "0x2000",
              symbol_addr: "0x1ff0",
            },
          ],
        },
      },
      { type: "Error", value: "outer", mechanism: { type: "panic", handled: false } },
    ],
  },
};

describe("stack frames", () => {
  it("lists the newest call first and names unsymbolicated frames by address and image", () => {
    const frames = viewFrames(payload.exception.values[0]?.stacktrace, [
      { start: 0x1000n, end: 0x2000n, name: "libfoo.so" },
    ]);
    expect(frames.map((f) => f.function)).toEqual(["outer", "inner", null, "std::rt::lang_start", "main"]);
    expect(frames[2]).toMatchObject({ address: "0x1010", image: "libfoo.so" });
    // Two symbolicated frames at one address: the one without a symbol address was inlined.
    expect(frames[1]?.inline).toBe(true);
    expect(frames[0]?.inline).toBe(false);
  });

  it("expands in-app frames and folds the others", () => {
    const html = renderFrames(viewFrames(payload.exception.values[0]?.stacktrace, [])).value;
    expect(html.match(/<details class="frame app" open>/g)).toHaveLength(3);
    expect(html).toContain('<details class="sys"><summary>2 other frames</summary>');
    expect(html).toContain("<code>0x1010</code>");
  });
});

describe("exception chain", () => {
  it("keeps the stored order (root cause first) with mechanism badges, escaped", () => {
    const chain = viewExceptions(payload);
    expect(chain.map((e) => e.type)).toEqual(["TypeError", "Error"]);
    const body = renderEventBody(payload, { attachments: [], traceHref: null }).value;
    expect(body.indexOf("Root cause")).toBeLessThan(body.indexOf("Outermost"));
    expect(body).toContain("root &lt;b&gt;cause&lt;/b&gt;");
    expect(body).toContain("unhandled");
    expect(body).toContain(">panic<");
  });

  it("renders hostile breadcrumbs, tags, contexts and request fields as text", () => {
    const x = "<script>alert(1)</script>";
    const body = renderEventBody(
      {
        message: x,
        tags: [[x, x]],
        breadcrumbs: { values: [{ timestamp: 1, level: "info", category: x, message: x, data: { x } }] },
        contexts: { os: { name: x } },
        request: { url: x, method: "GET", headers: [[x, x]] },
        user: { email: x },
        sdk: { name: x, version: "1" },
      },
      {
        attachments: [{ name: x, size: 1, contentType: "text/plain", href: "javascript:alert(1)" }],
        traceHref: null,
      },
    ).value;
    expect(body).not.toContain("<script>");
    expect(body).not.toContain("javascript:");
    expect(body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("copes with payloads of the wrong shape", () => {
    expect(() =>
      renderEventBody(
        { exception: { values: [null, 3, { stacktrace: { frames: "x" } }] }, breadcrumbs: 5 },
        { attachments: [], traceHref: null },
      ),
    ).not.toThrow();
    expect(() => renderEventBody(null, { attachments: [], traceHref: null })).not.toThrow();
  });
});

describe("tags and traces", () => {
  it("summarizes the top values per key with their share", () => {
    const tags = summarizeTags([
      { key: "browser", value: "Chrome", n: 3 },
      { key: "browser", value: "Firefox", n: 1 },
      { key: "env", value: "prod", n: 4 },
    ]);
    expect(tags).toEqual([
      {
        key: "browser",
        total: 4,
        top: [
          { value: "Chrome", n: 3 },
          { value: "Firefox", n: 1 },
        ],
      },
      { key: "env", total: 4, top: [{ value: "prod", n: 4 }] },
    ]);
  });

  it("orders spans depth-first with offsets and widths in percent", () => {
    const span = (span_id: string, parent: string | null, start: number, end: number): SpanRow => ({
      project_id: 1,
      span_id,
      parent_span_id: parent,
      event_id: null,
      is_segment: parent === null ? 1 : 0,
      name: span_id,
      op: null,
      description: null,
      status: null,
      start_timestamp: start,
      end_timestamp: end,
      duration_ms: (end - start) * 1000,
      transaction_name: null,
    });
    const w = waterfall([
      span("c", "a", 5, 10),
      span("a", null, 0, 10),
      span("b", "a", 1, 2),
      span("d", "b", 1.5, 2),
    ]);
    expect(w.rows.map((r) => [r.span.span_id, r.depth])).toEqual([
      ["a", 0],
      ["b", 1],
      ["d", 2],
      ["c", 1],
    ]);
    expect(w.rows[3]).toMatchObject({ left: 50, width: 50 });
  });
});
