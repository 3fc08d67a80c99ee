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
  return /^\/api\/(\d+\/)?(envelope|store|minidump|security|csp-report|nel|events)\b/.test(pathname);
}

export function withIngestCors(response: Response): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(INGEST_CORS_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

export function preflight(): Response {
  return new Response(null, { status: 200, headers: INGEST_CORS_HEADERS });
}
