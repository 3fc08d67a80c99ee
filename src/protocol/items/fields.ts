// Validation of the release and environment names shared by sessions, check-ins and spans, following
// Sentry's rules: a release may not be `.`, `..`, `latest` or blank, nor contain newlines, tabs or
// slashes (Sentry cannot address such a release in its API); an environment may not contain newlines
// or forward slashes.
import { MAX_ENVIRONMENT_CHARS, MAX_RELEASE_CHARS } from "../../limits.ts";

const RESERVED_RELEASES = new Set([".", "..", "latest"]);
const FORBIDDEN_IN_RELEASE = /[\r\n\t\f\v/\\]/;
const FORBIDDEN_IN_ENVIRONMENT = /[\r\n\f/]/;

export type ReleaseCheck =
  | { ok: true; release: string }
  | { ok: false; reason: "missing_release" | "invalid_release" };

export function checkRelease(value: unknown): ReleaseCheck {
  if (value === undefined || value === null) return { ok: false, reason: "missing_release" };
  if (typeof value !== "string") return { ok: false, reason: "invalid_release" };
  const release = value.trim();
  if (release.length === 0) return { ok: false, reason: "missing_release" };
  if (
    release.length > MAX_RELEASE_CHARS ||
    RESERVED_RELEASES.has(release) ||
    FORBIDDEN_IN_RELEASE.test(release)
  ) {
    return { ok: false, reason: "invalid_release" };
  }
  return { ok: true, release };
}

/** A valid environment name, or undefined: an invalid environment is dropped, not the whole item. */
export function cleanEnvironment(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const environment = value.trim();
  if (environment.length === 0 || environment.length > MAX_ENVIRONMENT_CHARS) return undefined;
  return FORBIDDEN_IN_ENVIRONMENT.test(environment) ? undefined : environment;
}
