// Reading a project's events for the helpers, incrementally: a wait polls many times, and the full
// event JSON (entries, stack traces) of every event on every poll grows with what the sink holds. The
// light list (ids and summaries) is read each time; full events are fetched only for ids not seen
// before, or whose summary changed since (a regroup, a late symbolication), and kept until reset.
import type { RestApi } from "./api.js";
import type { SinkEvent } from "./types.js";
import { eventView, type Json } from "./views.js";

/** New events fetched one by one up to this many; more are read as one full list. */
const ONE_BY_ONE = 8;
/** Cached events at most (a sink in a test suite holds far fewer). */
const MAX_CACHED = 20_000;

/** What the light list says of an event: when it changes, the cached full event is stale. */
const summaryKey = (item: Json) =>
  JSON.stringify([item.groupID, item.title, item.culprit, item.location, item.message]);

export interface EventReads {
  /** Every stored error and message event, oldest first. */
  all(): Promise<SinkEvent[]>;
  /** One event by id, from D1 or the project's spool; null when unknown. */
  byId(id: string): Promise<SinkEvent | null>;
  /** Forgets cached events (after a reset). */
  forget(): void;
}

export function eventReads(api: RestApi, projectPath: string): EventReads {
  const cache = new Map<string, { key: string; event: SinkEvent }>();

  const byId = async (id: string) => {
    const response = await api.fetch(`${projectPath}/events/${id.replace(/-/g, "").toLowerCase()}/`);
    if (response.status === 404) {
      await response.arrayBuffer();
      return null;
    }
    if (!response.ok) throw new Error(`Faultline answered ${response.status} for event ${id}`);
    return eventView((await response.json()) as Json);
  };

  return {
    byId,
    forget: () => cache.clear(),
    async all() {
      const light = await api.list<Json>(`${projectPath}/events/`);
      const stale = light.filter((item) => cache.get(String(item.eventID))?.key !== summaryKey(item));
      if (stale.length > ONE_BY_ONE) {
        const full = await api.list<Json>(`${projectPath}/events/`, { full: "true" });
        const keys = new Map(light.map((item) => [String(item.eventID), summaryKey(item)]));
        if (cache.size > MAX_CACHED) cache.clear();
        for (const raw of full) {
          const event = eventView(raw);
          cache.set(event.id, { key: keys.get(event.id) ?? "", event });
        }
      } else {
        await Promise.all(
          stale.map(async (item) => {
            const event = await byId(String(item.eventID));
            if (event) cache.set(event.id, { key: summaryKey(item), event });
          }),
        );
      }
      // The API lists newest first; tests read in arrival order.
      return light
        .map((item) => cache.get(String(item.eventID))?.event)
        .filter((e): e is SinkEvent => e !== undefined)
        .reverse();
    },
  };
}
