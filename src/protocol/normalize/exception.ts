// `exception`: the chain of exceptions, kept in the order sent (Sentry: the last value is the one that
// was raised; sentry-rust's anyhow chains put the root cause first, without a mechanism). Accepts
// `{values: [...]}`, a bare list (legacy) or a single exception object.
import { MAX_EXCEPTIONS, MAX_MESSAGE_CHARS, MAX_SHORT_STRING_CHARS } from "../../limits.ts";
import type { ExceptionValue, Mechanism } from "../types.ts";
import { trimDatabag } from "./databag.ts";
import { asObject, isAbsent, put, readBoolean, readString, readUint, readValues } from "./fields.ts";
import type { Notes } from "./notes.ts";
import { normalizeStacktrace, readThreadId } from "./stacktrace.ts";

/** The exception values worth keeping (at most MAX_EXCEPTIONS, the last ones), or undefined. */
export function normalizeExceptions(raw: unknown, notes: Notes): { values: ExceptionValue[] } | undefined {
  const list = readValues(raw, notes, "exception", true);
  if (!list) return undefined;
  let values: ExceptionValue[] = [];
  list.forEach((rawValue, i) => {
    const value = normalizeExceptionValue(rawValue, notes, `exception.values.${i}`);
    if (value) values.push(value);
  });
  if (values.length > MAX_EXCEPTIONS) {
    notes.add("too_many_values", "exception.values", values.length);
    values = values.slice(values.length - MAX_EXCEPTIONS);
  }
  return values.length > 0 ? { values } : undefined;
}

/** One exception; undefined when it has neither type, value nor stack trace. */
export function normalizeExceptionValue(
  raw: unknown,
  notes: Notes,
  path: string,
): ExceptionValue | undefined {
  const object = asObject(raw);
  if (!object) {
    notes.add("invalid_data", path, raw);
    return undefined;
  }
  const exception: ExceptionValue = {};
  put(exception, "type", readString(object.type, MAX_SHORT_STRING_CHARS, notes, `${path}.type`));
  put(exception, "value", readExceptionValue(object.value, notes, `${path}.value`));
  put(exception, "module", readString(object.module, MAX_SHORT_STRING_CHARS, notes, `${path}.module`));
  put(exception, "thread_id", readThreadId(object.thread_id, notes, `${path}.thread_id`));
  put(exception, "mechanism", normalizeMechanism(object.mechanism, notes, `${path}.mechanism`));
  put(exception, "stacktrace", normalizeStacktrace(object.stacktrace, notes, `${path}.stacktrace`));
  put(
    exception,
    "raw_stacktrace",
    normalizeStacktrace(object.raw_stacktrace, notes, `${path}.raw_stacktrace`),
  );
  if (exception.type === undefined && exception.value === undefined && exception.stacktrace === undefined) {
    if (Object.keys(object).length > 0) notes.add("invalid_data", path);
    return undefined;
  }
  return exception;
}

/** The exception message: a string, cut to MAX_MESSAGE_CHARS; numbers and booleans become text. */
function readExceptionValue(value: unknown, notes: Notes, path: string): string | undefined {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return readString(value, MAX_MESSAGE_CHARS, notes, path);
}

const MECHANISM_STRINGS = ["description", "help_link", "source"] as const;
const MECHANISM_BOOLEANS = ["handled", "synthetic", "is_exception_group"] as const;
const MECHANISM_IDS = ["exception_id", "parent_id"] as const;

/**
 * The mechanism: `type` is required by Sentry, a legacy mechanism without one becomes `generic`.
 * Known fields are type-checked; `data`, `meta` and unknown fields are kept as free-form data.
 */
export function normalizeMechanism(raw: unknown, notes: Notes, path: string): Mechanism | undefined {
  if (isAbsent(raw)) return undefined;
  const object = asObject(raw);
  if (!object) {
    notes.add("invalid_data", path, raw);
    return undefined;
  }
  const mechanism = (trimDatabag(object, notes, path) ?? {}) as Mechanism;
  for (const key of Object.keys(mechanism)) if (mechanism[key] === null) delete mechanism[key];
  // Strings are read from the trimmed copy, so a long one is noted once.
  mechanism.type = readString(mechanism.type, MAX_SHORT_STRING_CHARS, notes, `${path}.type`) ?? "generic";
  for (const key of MECHANISM_STRINGS) {
    setOrDelete(mechanism, key, readString(mechanism[key], MAX_SHORT_STRING_CHARS, notes, `${path}.${key}`));
  }
  for (const key of MECHANISM_BOOLEANS) {
    setOrDelete(mechanism, key, readBoolean(object[key], notes, `${path}.${key}`));
  }
  for (const key of MECHANISM_IDS)
    setOrDelete(mechanism, key, readUint(object[key], notes, `${path}.${key}`));
  for (const key of ["data", "meta"] as const) {
    if (!isAbsent(object[key]) && !asObject(object[key])) {
      notes.add("invalid_data", `${path}.${key}`, object[key]);
      delete mechanism[key];
    }
  }
  return mechanism;
}

function setOrDelete(target: Mechanism, key: string, value: string | number | boolean | undefined): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}
