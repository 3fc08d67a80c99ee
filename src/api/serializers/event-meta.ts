// The event API's `_meta`: what data scrubbing removed, as Sentry serves it — the stored event's `_meta`
// tree (shaped like the stored payload) moved onto the API's shape: `extra` → `context`, the request,
// breadcrumbs, stack traces, message and spans under their entry's index, tags under the API tag's index.
import { isRecord, type JsonRecord, list } from "./payload-read.ts";

type Entry = { type: string; data: unknown };

export function eventMeta(payload: JsonRecord, entries: readonly Entry[], tags: readonly { key: string }[]) {
  const stored = isRecord(payload._meta) ? payload._meta : null;
  if (!stored) return {};
  const out: JsonRecord = {};
  const copy = (from: string, to = from) => {
    if (isRecord(stored[from])) out[to] = stored[from];
  };
  copy("extra", "context");
  copy("contexts");
  copy("user");
  copy("sdk");

  const tagMeta = metaTags(stored, payload, tags);
  if (tagMeta) out.tags = tagMeta;

  const byEntry: JsonRecord = {};
  const put = (type: string, data: unknown) => {
    const index = entries.findIndex((e) => e.type === type);
    if (index >= 0 && isRecord(data) && Object.keys(data).length > 0) byEntry[String(index)] = { data };
  };
  const request = stored.request;
  if (isRecord(request)) {
    const { query_string: query, ...rest } = request;
    put("request", query === undefined ? rest : { ...rest, query });
  }
  const breadcrumbs = stored.breadcrumbs;
  if (isRecord(breadcrumbs)) put("breadcrumbs", breadcrumbs);
  const message = isRecord(stored.logentry) ? stored.logentry.formatted : stored.message;
  if (isRecord(message)) put("message", { formatted: message });
  const exception = stored.exception;
  if (isRecord(exception)) put("exception", renameStacks(exception));
  const threads = stored.threads;
  if (isRecord(threads)) put("threads", renameStacks(threads));
  if (isRecord(stored.stacktrace)) put("stacktrace", stored.stacktrace);
  const spans = metaSpans(stored, payload, entries);
  if (spans) put("spans", spans);
  if (Object.keys(byEntry).length > 0) out.entries = byEntry;
  return out;
}

/** `values.{i}.raw_stacktrace` is `rawStacktrace` in the API. */
function renameStacks(values: JsonRecord): JsonRecord {
  const list = isRecord(values.values) ? values.values : {};
  const renamed: JsonRecord = {};
  for (const [i, value] of Object.entries(list)) {
    if (!isRecord(value)) continue;
    const { raw_stacktrace: raw, ...rest } = value;
    renamed[i] = raw === undefined ? rest : { ...rest, rawStacktrace: raw };
  }
  return { values: renamed };
}

/** Stored tags are `[key, value]` pairs in the event's order; the API lists them sorted, with more keys. */
function metaTags(stored: JsonRecord, payload: JsonRecord, tags: readonly { key: string }[]) {
  if (!isRecord(stored.tags)) return null;
  const pairs = list(payload.tags);
  const out: JsonRecord = {};
  for (const [i, meta] of Object.entries(stored.tags)) {
    const pair = pairs[Number(i)];
    const key = Array.isArray(pair) ? pair[0] : undefined;
    const index = tags.findIndex((t) => t.key === key);
    if (index >= 0 && isRecord(meta) && meta["1"] !== undefined) out[String(index)] = { value: meta["1"] };
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** Stored spans are in the order sent; the spans entry is sorted by start: matched by span id. */
function metaSpans(stored: JsonRecord, payload: JsonRecord, entries: readonly Entry[]) {
  if (!isRecord(stored.spans)) return null;
  const sent = list(payload.spans);
  const shown = list(entries.find((e) => e.type === "spans")?.data);
  const out: JsonRecord = {};
  for (const [i, meta] of Object.entries(stored.spans)) {
    const span = sent[Number(i)];
    const id = isRecord(span) ? span.span_id : undefined;
    const index = shown.findIndex((s) => isRecord(s) && s.span_id === id);
    if (index >= 0) out[String(index)] = meta;
  }
  return Object.keys(out).length > 0 ? out : null;
}
