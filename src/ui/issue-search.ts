// The issue stream's tabs and sort choices. The search box is parsed (src/protocol/issue-search.ts) and
// turned into SQL (src/db/issue-search.ts) as for the REST API, so the page and `GET …/issues/` find the
// same issues for a query.
import type { IssueSort } from "../protocol/issue-search.ts";

export type { IssueSort };

export const SORTS: { value: IssueSort; label: string }[] = [
  { value: "date", label: "Last seen" },
  { value: "new", label: "First seen" },
  { value: "freq", label: "Events" },
  { value: "user", label: "Users" },
];

/** The status tabs above the stream: each is a query the search box then shows. */
export const STATUS_TABS: { label: string; query: string }[] = [
  { label: "Unresolved", query: "is:unresolved" },
  { label: "For review", query: "is:for_review" },
  { label: "Regressed", query: "is:regressed" },
  { label: "Resolved", query: "is:resolved" },
  { label: "Ignored", query: "is:ignored" },
];

export function sortFrom(value: string | null): IssueSort {
  return SORTS.some((s) => s.value === value) ? (value as IssueSort) : "date";
}
