// Plain-text formats of API tokens, as Sentry mints them and sentry-cli parses them. Pure functions.
// - user tokens: `sntryu_` + 64 lowercase hex (32 random bytes);
// - organization tokens: `sntrys_{payload}_{secret}`, payload = standard base64 (with padding) of the JSON
//   `{"iat", "url", "region_url", "org"}`, secret = standard base64 of 32 random bytes without `=`.
//   sentry-cli reads `url` and `org` from the payload and lets them override SENTRY_URL / SENTRY_ORG, so
//   `url` must be this deployment's own root URL (scheme + host, no path).

export const USER_TOKEN_PREFIX = "sntryu_";
export const ORG_TOKEN_PREFIX = "sntrys_";

export interface OrgTokenPayload {
  /** Issued at, in unix seconds (Sentry writes a float). */
  iat: number;
  url: string;
  region_url: string;
  org: string;
}

const randomBytes = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array | null {
  try {
    const binary = atob(text);
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

export function mintUserToken(): string {
  return `${USER_TOKEN_PREFIX}${[...randomBytes(32)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** The root URL sentry-cli expects in a token: scheme + host[:port], no path, no trailing slash. */
export function rootUrlOf(url: string | URL): string {
  return new URL(url).origin;
}

export function mintOrgToken(input: { url: string; org: string; iat?: number }): string {
  const root = rootUrlOf(input.url);
  const payload: OrgTokenPayload = {
    iat: input.iat ?? Date.now() / 1000,
    url: root,
    region_url: root,
    org: input.org,
  };
  const encoded = base64(new TextEncoder().encode(JSON.stringify(payload)));
  const secret = base64(randomBytes(32)).replace(/=+$/, "");
  return `${ORG_TOKEN_PREFIX}${encoded}_${secret}`;
}

/** The payload of an organization token, or null when the text is not one (as sentry-cli decides). */
export function parseOrgToken(token: string): OrgTokenPayload | null {
  if (!token.startsWith(ORG_TOKEN_PREFIX)) return null;
  const parts = token.slice(ORG_TOKEN_PREFIX.length).split("_");
  if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
  const bytes = fromBase64(parts[0]);
  if (!bytes) return null;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const { iat, url, region_url: regionUrl, org } = value as Record<string, unknown>;
  if (typeof iat !== "number" || typeof url !== "string" || typeof org !== "string") return null;
  return { iat, url, region_url: typeof regionUrl === "string" ? regionUrl : url, org };
}

/** What a token list shows so a user can recognise a token (Sentry keeps the last four characters). */
export const lastCharacters = (token: string): string => token.slice(-4);
