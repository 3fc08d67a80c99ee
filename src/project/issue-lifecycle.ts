// Issue state transitions caused by new events (regressions), as plain functions.
// Rules follow Sentry's `has_resolution`: a resolved issue regresses when an event arrives, unless the
// resolution says that event's release is still expected to carry the bug.

export type IssueStatus = "unresolved" | "resolved" | "ignored";

export type Resolution =
  | { type: "resolved" }
  /** Resolved in an explicit release: events from that release or newer regress. */
  | { type: "in_release"; release: string }
  /** Resolved in the next release after `release` (the newest release when the user resolved). */
  | { type: "in_next_release"; release: string | null };

export interface IssueState {
  id: number;
  status: IssueStatus;
  substatus: string | null;
  resolution: Resolution | null;
}

/** Orders two release versions: negative when a is older, 0 when equal, positive when newer, null when unknown. */
export type ReleaseComparator = (a: string, b: string) => number | null;

interface SemVer {
  parts: number[];
  pre: string | null;
}

function parseSemVer(version: string): SemVer | null {
  // Releases are often "package@1.2.3" (sentry-cli proposes that form); compare the part after the last @.
  const at = version.lastIndexOf("@");
  const bare = (at >= 0 ? version.slice(at + 1) : version).replace(/^v/, "");
  const match = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(
    bare,
  );
  if (!match) return null;
  const parts = [match[1], match[2], match[3], match[4]].map((p) => (p === undefined ? 0 : Number(p)));
  return { parts, pre: match[5] ?? null };
}

/** Semantic-version order for versions that parse (with the same package prefix); otherwise only equality. */
export const compareReleasesBySemver: ReleaseComparator = (a, b) => {
  if (a === b) return 0;
  const prefixA = a.includes("@") ? a.slice(0, a.lastIndexOf("@")) : "";
  const prefixB = b.includes("@") ? b.slice(0, b.lastIndexOf("@")) : "";
  if (prefixA !== prefixB) return null;
  const va = parseSemVer(a);
  const vb = parseSemVer(b);
  if (!va || !vb) return null;
  for (let i = 0; i < va.parts.length; i++) {
    const diff = (va.parts[i] ?? 0) - (vb.parts[i] ?? 0);
    if (diff !== 0) return diff;
  }
  if (va.pre === vb.pre) return 0;
  if (va.pre === null) return 1;
  if (vb.pre === null) return -1;
  return va.pre < vb.pre ? -1 : 1;
};

/** Whether an event from `eventRelease` reopens an issue resolved with `resolution`. */
export function isRegression(
  resolution: Resolution | null,
  eventRelease: string | undefined,
  compare: ReleaseComparator,
): boolean {
  if (!resolution || resolution.type === "resolved") return true;
  // Sentry: an event without a release cannot prove the fix failed.
  if (!eventRelease) return false;
  if (resolution.type === "in_release") {
    const order = compare(eventRelease, resolution.release);
    // Unknown order: a release we cannot place is treated as newer than the fix (the fix should be in it).
    return order === null ? true : order >= 0;
  }
  // in_next_release: events from the release that was current when resolved (or older) are expected.
  if (resolution.release === null) return true;
  if (eventRelease === resolution.release) return false;
  const order = compare(eventRelease, resolution.release);
  return order === null ? true : order > 0;
}

export interface EventEffect {
  state: IssueState;
  regressed: boolean;
}

/** The issue state after one more event; ignored issues stay ignored. */
export function applyEvent(
  state: IssueState,
  eventRelease: string | undefined,
  compare: ReleaseComparator,
): EventEffect {
  if (state.status !== "resolved") return { state, regressed: false };
  if (!isRegression(state.resolution, eventRelease, compare)) return { state, regressed: false };
  return {
    state: { id: state.id, status: "unresolved", substatus: "regressed", resolution: null },
    regressed: true,
  };
}
