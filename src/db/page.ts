// A page of a list read: where it starts and how many rows it holds (the API reads it from Sentry's
// cursor parameters, see api/pagination.ts).
export interface Page {
  offset: number;
  limit: number;
}
