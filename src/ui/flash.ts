// Confirmation messages after a redirect, by code only (a URL can never put arbitrary text on a page).
const MESSAGES: Record<string, string> = {
  saved: "Saved.",
  created: "Created.",
  deleted: "Deleted.",
  revoked: "Revoked.",
  removed: "Removed.",
  sent: "Sent.",
};

export function doneMessage(url: URL): string | null {
  return MESSAGES[url.searchParams.get("done") ?? ""] ?? null;
}
