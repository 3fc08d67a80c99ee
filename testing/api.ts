// The REST API as the helpers read it: requests with the sink's token, Sentry's `Link` cursors followed,
// and the wait until the project's spool is stored. Ingest answers once an envelope is durable in the
// project's Durable Object; D1, which the API lists from, has it a few tens of milliseconds later.
import type { FaultlineConnection } from "./types.js";

/** Pages followed at most per list (100 rows each): a test sink holds far fewer. */
const MAX_PAGES = 20;

export interface RestApi {
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** A JSON GET; throws with the status and Sentry's `detail` otherwise. */
  get<T>(path: string, params?: Record<string, string | string[]>): Promise<T>;
  /** Every page of a list; `rows` picks them from a page's body (the body itself by default). */
  list<T>(
    path: string,
    params?: Record<string, string | string[]>,
    rows?: (body: unknown) => T[],
  ): Promise<T[]>;
  /** Resolves once the project's spool is empty (everything accepted is stored). */
  settled(timeoutMs: number): Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function withParams(url: URL, params: Record<string, string | string[]>): URL {
  for (const [key, value] of Object.entries(params))
    for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, v);
  return url;
}

/** The `rel="next"` target of a `Link` header when it has results. */
function nextPage(link: string | null): string | null {
  for (const part of (link ?? "").split(/,\s*(?=<)/)) {
    const match = /^<([^>]+)>;\s*rel="next";\s*results="true"/.exec(part.trim());
    if (match?.[1]) return match[1];
  }
  return null;
}

/** A non-2xx answer of the API; `status` tells a wait whether trying again can help. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Worth another try within a wait: a 5xx, a 429 or a connection that failed, not a wrong request. */
export const isTransient = (error: unknown) =>
  !(error instanceof ApiError) || error.status >= 500 || error.status === 429;

async function failure(method: string, url: URL | string, response: Response): Promise<ApiError> {
  const text = await response.text();
  let detail = text;
  try {
    detail = String((JSON.parse(text) as { detail?: unknown }).detail ?? text);
  } catch {}
  const shown = new URL(url);
  shown.searchParams.delete("sentry_key");
  const path = `${shown.pathname}${shown.search}`;
  return new ApiError(
    `Faultline answered ${response.status} to ${method} ${path}: ${detail}`,
    response.status,
  );
}

/** The DSN's public key (`http://<key>@host/1`). */
const publicKeyOf = (dsn: string) => new URL(dsn).username;

export function restApi(connection: FaultlineConnection): RestApi {
  // A Sentry SDK in the same process traces and records breadcrumbs of every request but its own, which
  // it knows by the DSN's host and a `sentry_key` parameter: with one, the helpers' polling never shows
  // up in the app's telemetry (spans of `GET 127.0.0.1`, breadcrumbs in the next event). The API
  // ignores the parameter.
  const key = publicKeyOf(connection.dsn);
  const own = (target: URL | string) => {
    const url = new URL(target);
    if (!url.searchParams.has("sentry_key")) url.searchParams.set("sentry_key", key);
    return url;
  };
  const headers = (init?: RequestInit) => {
    const h = new Headers(init?.headers);
    if (!h.has("authorization")) h.set("authorization", `Bearer ${connection.authToken}`);
    return h;
  };
  const request = (target: URL | string, init?: RequestInit) =>
    fetch(own(target), { ...init, headers: headers(init) });

  async function json<T>(target: URL | string): Promise<{ body: T; link: string | null }> {
    const response = await request(target);
    if (!response.ok) throw await failure("GET", target, response);
    return { body: (await response.json()) as T, link: response.headers.get("link") };
  }

  const api: RestApi = {
    fetch: (path, init) => request(new URL(path, connection.url), init),
    async get<T>(path: string, params: Record<string, string | string[]> = {}) {
      return (await json<T>(withParams(new URL(path, connection.url), params))).body;
    },
    async list<T>(
      path: string,
      params: Record<string, string | string[]> = {},
      rows: (body: unknown) => T[] = (body) => body as T[],
    ) {
      const all: T[] = [];
      let target: URL | string | null = withParams(new URL(path, connection.url), {
        per_page: "100",
        ...params,
      });
      for (let page = 0; target && page < MAX_PAGES; page++) {
        const { body, link } = await json<unknown>(target);
        all.push(...rows(body));
        target = nextPage(link);
      }
      return all;
    },
    async settled(timeoutMs: number) {
      const path = `/api/0/projects/${connection.org}/${connection.project}/ingest-stats/`;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        let state: string;
        try {
          const { spooled } = await api.get<{ spooled: number }>(path);
          if (spooled === 0) return;
          state = `${spooled} envelopes spooled`;
        } catch (error) {
          if (!isTransient(error)) throw error;
          state = String(error);
        }
        if (Date.now() > deadline)
          throw new Error(`Faultline did not store what it accepted within ${timeoutMs} ms (${state})`);
        await sleep(10);
      }
    },
  };
  return api;
}
