// Which handler prepares each envelope item type; types without one are stored as opaque raw items
// (known types) or skipped and counted (unknown ones).
import type { EnvelopeItem } from "../../protocol/types.ts";
import type { EnvelopeDraft } from "./draft.ts";
import { prepareEventItem, prepareTransactionItem } from "./event.ts";
import { prepareFeedbackItem } from "./feedback.ts";
import {
  prepareCheckInItem,
  prepareClientReportItem,
  prepareLogItem,
  prepareSessionItem,
  prepareSessionsItem,
  prepareSpanItem,
  prepareUserReportItem,
} from "./records.ts";
import { prepareAttachmentItem, prepareOtherItem } from "./stored-bytes.ts";

/** Adds one item to the envelope's draft batch (or counts why it was dropped). */
export type ItemHandler = (item: EnvelopeItem, draft: EnvelopeDraft) => void | Promise<void>;

const HANDLERS: ReadonlyMap<string, ItemHandler> = new Map<string, ItemHandler>([
  ["event", prepareEventItem],
  ["transaction", prepareTransactionItem],
  ["feedback", prepareFeedbackItem],
  ["attachment", prepareAttachmentItem],
  ["span", prepareSpanItem],
  ["log", prepareLogItem],
  ["session", prepareSessionItem],
  ["sessions", prepareSessionsItem],
  ["check_in", prepareCheckInItem],
  ["user_report", prepareUserReportItem],
  ["client_report", prepareClientReportItem],
]);

export function itemHandler(type: string): ItemHandler {
  return HANDLERS.get(type) ?? prepareOtherItem;
}

export { EnvelopeDraft, type PrepareContext } from "./draft.ts";
