// R2 key layout (documented in docs/storage.md). Every key starts with the project id so a tenant's
// bytes can be listed and deleted together, and never collides with another project's.

export const attachmentKey = (projectId: number, eventId: string, attachmentId: string): string =>
  `projects/${projectId}/attachments/${eventId}/${attachmentId}`;

export const eventPayloadKey = (projectId: number, eventId: string): string =>
  `projects/${projectId}/events/${eventId}.json`;

export const rawItemKey = (projectId: number, type: string, itemId: string): string =>
  `projects/${projectId}/items/${type}/${itemId}`;
