// Ingest credentials, as Relay reads them: `X-Sentry-Auth`, `Authorization: Sentry …`/`Basic …`, the
// `sentry_*` query parameters, or (tunnel) the `dsn` of the envelope header. Pure functions.
import { FaultlineError } from "../errors.ts";

/** The protocol version Faultline speaks; SDKs send 7. */
export const PROTOCOL_VERSION = 7;

export type AuthSource = "x-sentry-auth" | "authorization" | "basic" | "query" | "envelope-dsn";

export interface IngestAuth {
  publicKey: string;
  version: number;
  client: string | null;
  source: AuthSource;
}

export interface AuthInputs {
  xSentryAuth: string | null;
  authorization: string | null;
  query: URLSearchParams;
  envelopeDsn: string | undefined;
}

export interface Dsn {
  scheme: "http" | "https";
  publicKey: string;
  secretKey: string | null;
  host: string;
  port: number | null;
  /** Path prefix before the project id, with leading and trailing slash (usually "/"). */
  path: string;
  projectId: string;
}

/** Relay's project key: exactly 32 ASCII letters/digits, optionally followed by `.flags`. */
function parsePublicKey(raw: string): string {
  const key = raw.split(".", 1)[0] ?? "";
  if (!/^[A-Za-z0-9]{32}$/.test(key)) throw new FaultlineError(400, "bad sentry DSN public key");
  return key.toLowerCase();
}

function parseVersion(raw: string | undefined): number {
  if (raw === undefined || raw === "") return PROTOCOL_VERSION;
  const major = Number.parseInt(raw.split(".", 1)[0] ?? "", 10);
  if (!Number.isFinite(major)) throw new FaultlineError(400, "bad sentry_version", { causes: [raw] });
  if (major > PROTOCOL_VERSION) throw new FaultlineError(400, `unsupported protocol version (${major})`);
  return major;
}

/** `Sentry sentry_key=…, sentry_version=7, …` → its pairs (the prefix is checked by the caller). */
function parseSentryPairs(value: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const part of value.slice("sentry ".length).split(",")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    pairs.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return pairs;
}

function fromPairs(pairs: Map<string, string>, source: AuthSource, header: string): IngestAuth {
  const key = pairs.get("sentry_key");
  if (!key) throw new FaultlineError(401, `bad ${header} header`, { causes: ["missing sentry_key"] });
  return {
    publicKey: parsePublicKey(key),
    version: parseVersion(pairs.get("sentry_version")),
    client: pairs.get("sentry_client") ?? null,
    source,
  };
}

const isSentryScheme = (value: string) => value.slice(0, 7).toLowerCase() === "sentry ";

/**
 * Finds the one set of credentials of a request. More than one source is a 401, as in Relay, because
 * two keys that disagree would make it ambiguous which project is meant.
 */
export function extractIngestAuth(inputs: AuthInputs): IngestAuth {
  const found: IngestAuth[] = [];
  const errors: FaultlineError[] = [];
  const attempt = (f: () => IngestAuth) => {
    try {
      found.push(f());
    } catch (error) {
      if (!(error instanceof FaultlineError)) throw error;
      errors.push(error);
    }
  };
  let sources = 0;
  const xSentryAuth = inputs.xSentryAuth?.trim();
  if (xSentryAuth && isSentryScheme(xSentryAuth)) {
    sources++;
    attempt(() => fromPairs(parseSentryPairs(xSentryAuth), "x-sentry-auth", "x-sentry-auth"));
  }
  const authorization = inputs.authorization?.trim();
  if (authorization && isSentryScheme(authorization)) {
    sources++;
    attempt(() => fromPairs(parseSentryPairs(authorization), "authorization", "authorization"));
  } else if (authorization && authorization.slice(0, 6).toLowerCase() === "basic ") {
    sources++;
    attempt(() => {
      let decoded: string;
      try {
        decoded = atob(authorization.slice(6).trim());
      } catch {
        throw new FaultlineError(401, "bad authorization header", { causes: ["invalid base64"] });
      }
      const key = decoded.split(":", 1)[0] ?? "";
      return { publicKey: parsePublicKey(key), version: PROTOCOL_VERSION, client: null, source: "basic" };
    });
  }
  if (inputs.query.toString().includes("sentry_")) {
    const key = inputs.query.get("sentry_key");
    if (key !== null) {
      sources++;
      attempt(() => ({
        publicKey: parsePublicKey(key),
        version: parseVersion(inputs.query.get("sentry_version") ?? undefined),
        client: inputs.query.get("sentry_client"),
        source: "query",
      }));
    }
  }
  if (sources > 1) throw new FaultlineError(401, "multiple authorization payloads detected");
  const first = found[0];
  if (first) return first;
  if (errors[0]) throw errors[0];
  if (inputs.envelopeDsn !== undefined) {
    let dsn: Dsn;
    try {
      dsn = parseDsn(inputs.envelopeDsn);
    } catch (error) {
      const cause = error instanceof FaultlineError ? error.detail : String(error);
      throw new FaultlineError(401, "bad envelope authentication header", { causes: [cause] });
    }
    return { publicKey: dsn.publicKey, version: PROTOCOL_VERSION, client: null, source: "envelope-dsn" };
  }
  throw new FaultlineError(401, "missing authorization information");
}

/** Parses a DSN; the project id is the last path segment, anything before it a path prefix. */
export function parseDsn(value: string): Dsn {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new FaultlineError(400, "invalid DSN", { causes: ["not a URL"] });
  }
  const scheme = url.protocol.replace(/:$/, "");
  if (scheme !== "http" && scheme !== "https") {
    throw new FaultlineError(400, "invalid DSN", { causes: [`unsupported scheme ${scheme}`] });
  }
  if (!url.username) throw new FaultlineError(400, "invalid DSN", { causes: ["no public key"] });
  const segments = url.pathname.split("/");
  const projectId = segments.pop() ?? "";
  if (!/^\d+$/.test(projectId)) {
    throw new FaultlineError(400, "invalid DSN", { causes: ["the last path segment is not a project id"] });
  }
  const prefix = segments.join("/");
  return {
    scheme,
    publicKey: parsePublicKey(decodeURIComponent(url.username)),
    secretKey: url.password ? decodeURIComponent(url.password) : null,
    host: url.hostname,
    port: url.port ? Number(url.port) : null,
    path: prefix.endsWith("/") ? prefix : `${prefix}/`,
    projectId,
  };
}

/** The `{project_id}` path parameter: an unsigned integer, else 400 as in Relay. */
export function parseProjectIdPath(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new FaultlineError(400, "bad project path parameter");
  const id = Number(value);
  if (!Number.isSafeInteger(id)) throw new FaultlineError(400, "bad project path parameter");
  return id;
}

/**
 * A `dsn` in the envelope header must name the same key and project as the request (Relay answers 400).
 * For the tunnel case the DSN is the credential itself, so only the project is compared.
 */
export function checkDsnAgreement(
  auth: IngestAuth,
  dsn: string | undefined,
  pathProjectId: string | null,
): void {
  if (dsn === undefined) return;
  let parsed: Dsn;
  try {
    parsed = parseDsn(dsn);
  } catch (error) {
    const cause = error instanceof FaultlineError ? error.detail : String(error);
    throw new FaultlineError(400, "invalid envelope header", { causes: [`dsn: ${cause}`] });
  }
  if (parsed.publicKey !== auth.publicKey) {
    throw new FaultlineError(400, "public key mismatch between envelope and request");
  }
  if (pathProjectId !== null && parsed.projectId !== String(Number(pathProjectId))) {
    throw new FaultlineError(400, "project id header mismatch between envelope and request");
  }
}
