// `feedback` items (user feedback as an event with a `feedback` context): one row each; one without a
// message is dropped as invalid.
import { MAX_FEEDBACK_PAYLOAD_CHARS } from "../../limits.ts";
import { normalizeEventId } from "../../protocol/envelope.ts";
import { normalizeEvent } from "../../protocol/normalize/index.ts";
import { scrubEvent } from "../../protocol/scrub/index.ts";
import type { EnvelopeItem, JsonObject, NormalizedEvent } from "../../protocol/types.ts";
import { asObject, type EnvelopeDraft, parseJsonPayload, stringOrNull } from "./draft.ts";

export function prepareFeedbackItem(item: EnvelopeItem, draft: EnvelopeDraft): void {
  const fb = scrubEvent(
    normalizeEvent(parseJsonPayload(item), draft.normalizeContext("feedback")),
    draft.ctx.scrubbing,
  );
  const details = asObject(fb.contexts?.feedback);
  const message = typeof details?.message === "string" ? details.message : "";
  if (!message) {
    draft.drop(item, "invalid", "missing_feedback_message");
    return;
  }
  draft.batch.feedback.push({
    eventId: fb.event_id,
    message,
    contactEmail: stringOrNull(details?.contact_email),
    name: stringOrNull(details?.name),
    url: stringOrNull(details?.url),
    associatedEventId: normalizeEventId(details?.associated_event_id) ?? null,
    timestamp: fb.timestamp,
    payload: feedbackPayload(fb, details),
  });
}

/** The feedback row's payload JSON; one over its cap keeps only the ids and the feedback context. */
function feedbackPayload(fb: NormalizedEvent, details: JsonObject | undefined): string {
  const full = JSON.stringify(fb);
  if (full.length <= MAX_FEEDBACK_PAYLOAD_CHARS) return full;
  return JSON.stringify({
    event_id: fb.event_id,
    timestamp: fb.timestamp,
    contexts: { feedback: details ?? {} },
    _meta: { payload: { trimmed_from: full.length } },
  });
}
