// Response helpers: JSON bodies served as exactly `application/json` (sentry-cli insists) and Sentry's
// error body shape `{"detail": ..., "causes": [...]}`.
import { FaultlineError } from "../errors.ts";

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function errorBody(error: FaultlineError): { detail: string; causes?: string[] } {
  return error.causes.length > 0 ? { detail: error.detail, causes: error.causes } : { detail: error.detail };
}

/** Turns anything thrown by a handler into a response; unexpected errors are logged and become a generic 500. */
export function errorResponse(error: unknown): Response {
  if (error instanceof FaultlineError) return json(errorBody(error), error.status, error.headers);
  console.error("unhandled error", error);
  return json({ detail: "internal server error" }, 500);
}
