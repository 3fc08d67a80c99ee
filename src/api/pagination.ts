// Sentry's cursor pagination: `Link` header with `rel="previous"` and `rel="next"`, each with
// `results="true|false"` and a quoted `cursor="value:offset:is_prev"` (sentry-cli follows `next` while
// `results="true"`). Faultline uses offset cursors (`0:<offset>:0`).

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 100;

export interface Page {
  offset: number;
  limit: number;
}

export function pageFrom(url: URL, defaultLimit = DEFAULT_PAGE_SIZE): Page {
  const cursor = url.searchParams.get("cursor") ?? "";
  const parts = cursor.split(":");
  const offset = parts.length >= 2 ? Math.max(0, Number.parseInt(parts[1] ?? "0", 10) || 0) : 0;
  const requested = Number.parseInt(
    url.searchParams.get("per_page") ?? url.searchParams.get("limit") ?? "",
    10,
  );
  const limit =
    Number.isFinite(requested) && requested > 0 ? Math.min(requested, MAX_PAGE_SIZE) : defaultLimit;
  return { offset, limit };
}

/** The `Link` header for a page; `hasMore` is whether a next page exists (query one row more to know). */
export function linkHeader(url: URL, page: Page, hasMore: boolean): string {
  const link = (offset: number, isPrev: boolean, results: boolean) => {
    const cursor = `0:${offset}:${isPrev ? 1 : 0}`;
    const target = new URL(url);
    target.searchParams.set("cursor", cursor);
    return `<${target.toString()}>; rel="${isPrev ? "previous" : "next"}"; results="${results}"; cursor="${cursor}"`;
  };
  const prev = link(Math.max(0, page.offset - page.limit), true, page.offset > 0);
  const next = link(page.offset + page.limit, false, hasMore);
  return `${prev}, ${next}`;
}

export const isoDate = (seconds: number | null | undefined): string | null =>
  seconds === null || seconds === undefined ? null : new Date(seconds * 1000).toISOString();
