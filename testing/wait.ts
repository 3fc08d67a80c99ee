// Waiting for something to arrive: SDKs send asynchronously, and ingest stores a moment after it
// answers. Polls the API (short intervals first) until an item matches; on timeout the error says what
// arrived instead and what was dropped, the first thing a test author wants to know.
import { isTransient, sleep } from "./api.js";
import { describePredicate } from "./filters.js";

export const DEFAULT_TIMEOUT_MS = 5000;

export interface WaitSpec<T> {
  /** `waitForEvent`, for the message. */
  name: string;
  predicate: unknown;
  read(): Promise<T[]>;
  test(item: T): boolean;
  /** What arrived instead, given the last read. */
  explain(items: T[]): Promise<string>;
}

export async function waitFor<T>(spec: WaitSpec<T>, timeout = DEFAULT_TIMEOUT_MS): Promise<T> {
  const started = Date.now();
  let items: T[] = [];
  let thrown: unknown;
  let failedRead: unknown;
  for (let attempt = 0; ; attempt++) {
    try {
      items = await spec.read();
      failedRead = undefined;
    } catch (error) {
      // A wrong request fails at once; a 5xx or a dropped connection is tried again until the timeout.
      if (!isTransient(error)) throw error;
      failedRead = error;
    }
    for (const item of items) {
      try {
        if (spec.test(item)) return item;
      } catch (error) {
        thrown = error;
      }
    }
    const left = timeout - (Date.now() - started);
    if (left <= 0) break;
    // An event is usually stored within ~100 ms of its answer: look often at first, then less.
    await sleep(Math.min(attempt < 10 ? 20 : 50, left));
  }
  const threw = thrown === undefined ? "" : `; the predicate threw: ${String(thrown)}`;
  const failed = failedRead === undefined ? "" : `; the last read failed: ${String(failedRead)}`;
  const explained = await spec.explain(items).catch((error: unknown) => `(nothing more known: ${error})`);
  throw new Error(
    `${spec.name} timed out after ${timeout} ms waiting for ${describePredicate(spec.predicate)}; ${explained}${threw}${failed}`,
  );
}
