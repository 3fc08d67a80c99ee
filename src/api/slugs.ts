// Sentry's slugs: lowercase letters, digits, `-` and `_`, not all digits (so a slug never reads as an
// id), at most 50 characters. Names without a slug are turned into one. Pure functions.

import type { Ref } from "../db/access-reads.ts";
import { badRequest } from "../errors.ts";
import { MAX_NAME_CHARS, MAX_SLUG_CHARS } from "../limits.ts";

/**
 * How a path segment names an organization or project (Sentry's `{…_id_or_slug}`): all digits is an id,
 * anything else a slug. Unambiguous because no slug may be all digits (isValidSlug, everywhere one is set).
 */
export const isIdSegment = (segment: string): boolean => /^\d+$/.test(segment);

/** The organization or project a path segment names, for the storage reads. */
export const segmentRef = (segment: string): Ref =>
  isIdSegment(segment) ? { id: Number(segment) } : { slug: segment };

export const isValidSlug = (slug: string): boolean =>
  slug.length > 0 && slug.length <= MAX_SLUG_CHARS && /^[a-z0-9_-]+$/.test(slug) && !/^\d+$/.test(slug);

/** A slug for a name: lowercase, runs of other characters become `-`, trimmed to the length limit. */
export function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_SLUG_CHARS)
    .replace(/-+$/, "");
  return /^\d+$/.test(slug) ? `${slug}-` : slug;
}

/** Reads optional `name`/`slug` fields: at least one is required; the slug defaults to the name's. */
export function nameAndSlug(body: Record<string, unknown>, what: string): { name: string; slug: string } {
  const rawName = body.name;
  const rawSlug = body.slug;
  if (rawName !== undefined && rawName !== null && typeof rawName !== "string")
    throw badRequest(`${what} name must be a string`);
  if (rawSlug !== undefined && rawSlug !== null && typeof rawSlug !== "string")
    throw badRequest(`${what} slug must be a string`);
  const name = typeof rawName === "string" ? rawName.trim() : "";
  const slugInput = typeof rawSlug === "string" ? rawSlug.trim() : "";
  if (!name && !slugInput) throw badRequest(`A name or slug is required for the ${what.toLowerCase()}`);
  if (name.length > MAX_NAME_CHARS)
    throw badRequest(`${what} name is longer than ${MAX_NAME_CHARS} characters`);
  const slug = slugInput || slugify(name);
  if (!isValidSlug(slug)) {
    throw badRequest(
      `Enter a valid slug consisting of lowercase letters, numbers, underscores or hyphens. It cannot be entirely numeric.`,
    );
  }
  return { name: name || slug, slug };
}

export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw badRequest("The request body must be a JSON object");
  return body as Record<string, unknown>;
}

export { MAX_NAME_CHARS, MAX_SLUG_CHARS };
