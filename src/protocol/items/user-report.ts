// Legacy `user_report` items: `{event_id, email, name, comments}` attached to an existing event. The
// event id falls back to the envelope's; comments are required (a report without text says nothing).
import { MAX_FEEDBACK_CHARS, MAX_SHORT_STRING_CHARS } from "../../limits.ts";
import type { JsonObject } from "../types.ts";
import { asObject, asText, decodeJson, dropUndefined, normalizeId32 } from "./json.ts";
import type { ItemContext, ItemParseResult, UserReport } from "./types.ts";

const fail = (reason: string): ItemParseResult<UserReport> => ({
  records: [],
  invalid: [{ reason, quantity: 1 }],
});

export function parseUserReport(
  _headers: JsonObject,
  payload: Uint8Array,
  ctx: ItemContext,
): ItemParseResult<UserReport> {
  const decoded = decodeJson(payload);
  if (!decoded.ok) return fail("invalid_json");
  const report = asObject(decoded.value);
  if (!report) return fail("invalid_user_report");
  const hasOwnId = report.event_id !== undefined && report.event_id !== null && report.event_id !== "";
  const eventId = hasOwnId ? normalizeId32(report.event_id) : ctx.envelopeEventId;
  if (!eventId) return fail("invalid_event_id");
  const comments = asText(report.comments, MAX_FEEDBACK_CHARS);
  if (!comments) return fail("missing_comments");
  return {
    records: [
      dropUndefined<UserReport>({
        eventId,
        email: asText(report.email, MAX_SHORT_STRING_CHARS),
        name: asText(report.name, MAX_SHORT_STRING_CHARS),
        comments,
      }),
    ],
    invalid: [],
  };
}
