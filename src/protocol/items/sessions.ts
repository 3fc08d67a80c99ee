// Release-health items: `session` (one update of one session, application mode) and `sessions`
// (request-mode buckets pre-aggregated by minute and distinct id). Relay's rules: `attrs.release` is
// required and must be a valid release; sessions older than 5 days or more than 60 s in the future are
// dropped; `timestamp < started` is clamped to `started`; `ip_address: "{{auto}}"` becomes the
// client's address.
import {
  MAX_FUTURE_SECONDS,
  MAX_SESSION_AGE_SECONDS,
  MAX_SESSION_BUCKETS,
  MAX_SHORT_STRING_CHARS,
} from "../../limits.ts";
import type { JsonObject } from "../types.ts";
import { checkRelease, cleanEnvironment } from "./fields.ts";
import {
  asArray,
  asCount,
  asFiniteNumber,
  asObject,
  asText,
  decodeJson,
  dropUndefined,
  InvalidTally,
  normalizeId32,
  optionalId,
  parseTimestamp,
} from "./json.ts";
import type {
  ItemContext,
  ItemParseResult,
  SessionAggregate,
  SessionStatus,
  SessionUpdate,
} from "./types.ts";

const STATUSES: ReadonlySet<string> = new Set<SessionStatus>([
  "ok",
  "exited",
  "crashed",
  "abnormal",
  "errored",
  "unhandled",
]);
const ABNORMAL_MECHANISMS: ReadonlySet<string> = new Set(["anr_foreground", "anr_background"]);

const fail = <T>(reason: string, quantity = 1): ItemParseResult<T> => ({
  records: [],
  invalid: [{ reason, quantity }],
});

export function parseSessionItem(
  _headers: JsonObject,
  payload: Uint8Array,
  ctx: ItemContext,
): ItemParseResult<SessionUpdate> {
  const decoded = decodeJson(payload);
  if (!decoded.ok) return fail("invalid_json");
  const session = asObject(decoded.value);
  if (!session) return fail("invalid_session");

  const sid = optionalId(session.sid, normalizeId32);
  if (!sid.ok) return fail("invalid_sid");
  // A client whose clock is off (its sent_at far from the receive time): its times are shifted by the
  // difference before the age checks, as Relay does for events and sessions.
  const drift = ctx.clockDrift ?? 0;
  const sentStart = parseTimestamp(session.started);
  if (sentStart === undefined) return fail("invalid_timestamp");
  const started = sentStart + drift;
  // The update's own time; Relay defaults it to the receive time when absent.
  const sentUpdate =
    session.timestamp === undefined || session.timestamp === null
      ? undefined
      : parseTimestamp(session.timestamp);
  if (sentUpdate === undefined && session.timestamp !== undefined && session.timestamp !== null)
    return fail("invalid_timestamp");
  const updatedAt = sentUpdate === undefined ? ctx.receivedAt : sentUpdate + drift;
  const timestamp = Math.max(updatedAt, started);
  const age = checkAge(timestamp, ctx.receivedAt) ?? checkAge(started, ctx.receivedAt);
  if (age) return fail(age);

  const status = session.status === undefined || session.status === null ? "ok" : session.status;
  if (typeof status !== "string" || !STATUSES.has(status)) return fail("invalid_status");
  const attrs = readSessionAttributes(session.attrs, ctx);
  if (!attrs.ok) return fail(attrs.reason);

  const duration = asFiniteNumber(session.duration);
  const mechanism = typeof session.abnormal_mechanism === "string" ? session.abnormal_mechanism : undefined;
  const update = dropUndefined<SessionUpdate>({
    // Relay invents a session id when none is sent; so do we, so the update is still counted.
    sid: sid.id ?? crypto.randomUUID().replaceAll("-", ""),
    did: asText(session.did, MAX_SHORT_STRING_CHARS),
    seq: asCount(session.seq),
    timestamp,
    started,
    init: session.init === true,
    duration: duration !== undefined && duration >= 0 ? duration : undefined,
    status: status as SessionStatus,
    errors: asCount(session.errors) ?? 0,
    ...attrs.fields,
    abnormalMechanism: mechanism && ABNORMAL_MECHANISMS.has(mechanism) ? mechanism : undefined,
  });
  return { records: [update], invalid: [] };
}

export function parseSessionsItem(
  _headers: JsonObject,
  payload: Uint8Array,
  ctx: ItemContext,
): ItemParseResult<SessionAggregate> {
  const decoded = decodeJson(payload);
  if (!decoded.ok) return fail("invalid_json");
  const root = asObject(decoded.value);
  const buckets = root?.aggregates === undefined ? [] : asArray(root.aggregates);
  if (!root || !buckets) return fail("invalid_sessions");
  const attrs = readSessionAttributes(root.attrs, ctx);
  if (!attrs.ok) return fail(attrs.reason, Math.max(buckets.length, 1));
  const { release, environment } = attrs.fields;

  const invalid = new InvalidTally();
  invalid.add("too_many_sessions", buckets.length - MAX_SESSION_BUCKETS);
  const records: SessionAggregate[] = [];
  for (const value of buckets.slice(0, MAX_SESSION_BUCKETS)) {
    const bucket = asObject(value);
    const sentStart = parseTimestamp(bucket?.started);
    if (!bucket || sentStart === undefined) {
      invalid.add("invalid_timestamp");
      continue;
    }
    const started = sentStart + (ctx.clockDrift ?? 0);
    const age = checkAge(started, ctx.receivedAt);
    if (age) {
      invalid.add(age);
      continue;
    }
    records.push(
      dropUndefined<SessionAggregate>({
        started: Math.floor(started / 60) * 60,
        did: asText(bucket.did, MAX_SHORT_STRING_CHARS),
        exited: asCount(bucket.exited) ?? 0,
        errored: asCount(bucket.errored) ?? 0,
        abnormal: asCount(bucket.abnormal) ?? 0,
        unhandled: asCount(bucket.unhandled) ?? 0,
        crashed: asCount(bucket.crashed) ?? 0,
        release,
        environment,
      }),
    );
  }
  return { records, invalid: invalid.list() };
}

/** `too_old` beyond MAX_SESSION_AGE_SECONDS, `in_future` beyond MAX_FUTURE_SECONDS, else undefined. */
function checkAge(time: number, receivedAt: number): "too_old" | "in_future" | undefined {
  if (receivedAt - time > MAX_SESSION_AGE_SECONDS) return "too_old";
  if (time - receivedAt > MAX_FUTURE_SECONDS) return "in_future";
  return undefined;
}

type SessionAttributes =
  | {
      ok: true;
      fields: { release: string; environment?: string; ipAddress?: string; userAgent?: string };
    }
  | { ok: false; reason: string };

function readSessionAttributes(value: unknown, ctx: ItemContext): SessionAttributes {
  const attrs = asObject(value) ?? {};
  const release = checkRelease(attrs.release);
  if (!release.ok) return release;
  return {
    ok: true,
    fields: dropUndefined({
      release: release.release,
      environment: cleanEnvironment(attrs.environment),
      ipAddress: attrs.ip_address === "{{auto}}" ? ctx.clientIp : ipAddressOrUndefined(attrs.ip_address),
      userAgent: asText(attrs.user_agent, MAX_SHORT_STRING_CHARS),
    }),
  };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6_CHARS = /^[0-9a-fA-F:.]{2,45}$/;

/** Only something shaped like an IP address is kept; anything else from the body is dropped. */
function ipAddressOrUndefined(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  if (IPV4.test(value)) return value;
  return IPV6_CHARS.test(value) && value.includes(":") ? value.toLowerCase() : undefined;
}
