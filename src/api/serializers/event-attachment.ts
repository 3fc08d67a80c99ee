// An event attachment as Sentry's API serves it (EventAttachment: the list and detail endpoints).
import type { EventAttachmentRow } from "../../db/attachments.ts";
import { isoDate } from "./issue.ts";

export function serializeEventAttachment(row: EventAttachmentRow) {
  return {
    id: String(row.id),
    event_id: row.event_id,
    type: row.attachment_type,
    name: row.name,
    mimetype: row.content_type,
    dateCreated: isoDate(row.created_at),
    size: row.size,
    headers: { "Content-Type": row.content_type },
    sha1: row.sha1,
  };
}
