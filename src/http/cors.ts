// CORS for the ingest endpoints, as Relay answers it, so browser SDKs can post envelopes.

const INGEST_CORS_HEADERS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers":
    "x-sentry-auth, x-requested-with, x-forwarded-for, origin, referer, accept, content-type, authentication, authorization, content-encoding, transfer-encoding, baggage, sentry-trace",
  "access-control-expose-headers": "x-sentry-error, x-sentry-rate-limits, retry-after",
  "access-control-max-age": "3600",
};

export function isIngestPath(pathname: string): boolean {
  return /^\/api\/(\d+\/)?(envelope|store|minidump|security|csp-report|nel|events|integration\/otlp|otlp)\b/.test(
    pathname,
  );
}

const INGEST_CORS_ENTRIES = Object.entries(INGEST_CORS_HEADERS);

/**
 * The response with the CORS headers: set on it when its headers can change (every response the
 * handlers build), else on a copy (headers of a response passed through are immutable).
 */
export function withIngestCors(response: Response): Response {
  try {
    for (const [name, value] of INGEST_CORS_ENTRIES) response.headers.set(name, value);
    return response;
  } catch {
    // Immutable headers: the first set threw, so nothing was changed on the original.
  }
  const headers = new Headers(response.headers);
  for (const [name, value] of INGEST_CORS_ENTRIES) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

export function preflight(): Response {
  return new Response(null, { status: 200, headers: INGEST_CORS_HEADERS });
}
