// Sentry's cursor pagination: `Link` header with `rel="previous"` and `rel="next"`, each with
// `results="true|false"` and a quoted `cursor="value:offset:is_prev"` (sentry-cli follows `next` while
// `results="true"`). Faultline uses offset cursors (`0:<offset>:0`).

import type { Page } from "../db/page.ts";
import { badRequest } from "../errors.ts";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../limits.ts";
import { isoFromSeconds } from "../protocol/items/json.ts";

export type { Page } from "../db/page.ts";

/** A cursor's offset must be an integer SQLite binds as one (a float OFFSET is SQLITE_MISMATCH). */
const DIGITS = /^\d{1,15}$/;

/**
 * Reads `cursor=value:offset:is_prev` and `per_page` (or `limit`) strictly, as Sentry does: anything
 * malformed is a 400 with Sentry's detail, never a clamped guess or a database error.
 */
export function pageFrom(url: URL, defaultLimit = DEFAULT_PAGE_SIZE): Page {
  const cursor = url.searchParams.get("cursor") ?? "";
  let offset = 0;
  if (cursor !== "") {
    const [value = "", rawOffset = "", isPrev = "0", ...extra] = cursor.split(":");
    if (
      extra.length > 0 ||
      !/^-?\d{1,20}(\.\d{1,20})?$/.test(value) ||
      !DIGITS.test(rawOffset) ||
      (isPrev !== "0" && isPrev !== "1")
    )
      throw badRequest("Invalid cursor parameter.");
    offset = Number(rawOffset);
  }
  const rawLimit = url.searchParams.get("per_page") ?? url.searchParams.get("limit");
  if (rawLimit === null || rawLimit === "") return { offset, limit: defaultLimit };
  if (!/^\d{1,6}$/.test(rawLimit) || Number(rawLimit) < 1) throw badRequest("Invalid per_page parameter.");
  return { offset, limit: Math.min(Number(rawLimit), MAX_PAGE_SIZE) };
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

export const isoDate = (seconds: number | null | undefined): string | null => isoFromSeconds(seconds);

export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE };

/**
 * The `query` of Sentry's organization, team and project lists (a name or slug contains it; the MCP
 * server's find_projects narrows with it), bounded in length.
 */
export function textQuery(url: URL): string {
  return (url.searchParams.get("query") ?? "").trim().slice(0, 200);
}
