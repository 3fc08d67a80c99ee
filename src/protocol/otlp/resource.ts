// What a resource and an instrumentation scope contribute to every span or log record under them:
// their attributes (the record's own attributes win on a clash), and the release and environment that
// OpenTelemetry's semantic conventions name.
import { MAX_ENVIRONMENT_CHARS, MAX_RELEASE_CHARS } from "../../limits.ts";
import { asObject, asText } from "../items/json.ts";
import type { JsonObject } from "../types.ts";
import { readKeyValues } from "./values.ts";

export interface OtlpScopeContext {
  /** Resource attributes plus `otel.scope.name` / `otel.scope.version`. */
  attributes: JsonObject;
  release?: string;
  environment?: string;
}

export function readResourceAndScope(resourceHolder: unknown, scopeHolder: unknown): OtlpScopeContext {
  const resource = readKeyValues(asObject(asObject(resourceHolder)?.resource)?.attributes);
  const scope = asObject(asObject(scopeHolder)?.scope);
  const attributes: JsonObject = { ...resource };
  const scopeName = asText(scope?.name, MAX_RELEASE_CHARS);
  const scopeVersion = asText(scope?.version, MAX_RELEASE_CHARS);
  if (scopeName) attributes["otel.scope.name"] = scopeName;
  if (scopeVersion) attributes["otel.scope.version"] = scopeVersion;
  const context: OtlpScopeContext = { attributes };
  const release = asText(resource["service.version"], MAX_RELEASE_CHARS);
  const environment =
    asText(resource["deployment.environment.name"], MAX_ENVIRONMENT_CHARS) ??
    asText(resource["deployment.environment"], MAX_ENVIRONMENT_CHARS);
  if (release) context.release = release;
  if (environment) context.environment = environment;
  return context;
}

/** Record attributes over the resource's, with Sentry's own `sentry.release`/`sentry.environment` winning. */
export function releaseAndEnvironment(
  own: JsonObject,
  context: OtlpScopeContext,
): { release?: string; environment?: string } {
  const release =
    asText(own["sentry.release"], MAX_RELEASE_CHARS) ??
    asText(own["service.version"], MAX_RELEASE_CHARS) ??
    context.release;
  const environment =
    asText(own["sentry.environment"], MAX_ENVIRONMENT_CHARS) ??
    asText(own["deployment.environment.name"], MAX_ENVIRONMENT_CHARS) ??
    asText(own["deployment.environment"], MAX_ENVIRONMENT_CHARS) ??
    context.environment;
  const out: { release?: string; environment?: string } = {};
  if (release) out.release = release;
  if (environment) out.environment = environment;
  return out;
}
