// Notes about what normalization changed: a field trimmed, dropped or replaced. They end up in the
// event's `errors` list, in the spirit of Relay's `_meta` remarks, so a user can see why a value is
// missing. The list is capped; a hostile payload cannot grow it without bound.
import { MAX_NORMALIZATION_NOTES } from "../../limits.ts";
import type { JsonValue } from "../types.ts";

/** Kinds of notes, named as Sentry names its event processing errors. */
export type NoteType =
  | "invalid_data"
  | "value_too_long"
  | "too_deep"
  | "too_many_values"
  | "future_timestamp"
  | "clock_drift"
  | "invalid_attribute";

export interface NormalizationNote {
  type: string;
  name?: string;
  value?: JsonValue;
}

/** How much of an offending value a note repeats (the value itself may be huge). */
const NOTE_VALUE_CHARS = 200;

export class Notes {
  readonly list: NormalizationNote[] = [];
  private dropped = 0;

  /** Records a note; `value` is kept only when it is a scalar, and cut short. */
  add(type: NoteType, name: string, value?: unknown): void {
    if (this.list.length >= MAX_NORMALIZATION_NOTES) {
      this.dropped++;
      return;
    }
    const note: NormalizationNote = { type, name };
    const kept = noteValue(value);
    if (kept !== undefined) note.value = kept;
    this.list.push(note);
  }

  /** The notes, with a last one counting those that did not fit. */
  result(): NormalizationNote[] {
    if (this.dropped === 0) return this.list;
    return [...this.list, { type: "too_many_values", name: "errors", value: this.dropped }];
  }
}

function noteValue(value: unknown): JsonValue | undefined {
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "string")
    return value.length > NOTE_VALUE_CHARS ? value.slice(0, NOTE_VALUE_CHARS) : value;
  return undefined;
}
