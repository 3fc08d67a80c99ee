// What a native crash (an event made from a minidump) adds to the event view: the crash reason, the
// registers of the crashing frame, the other threads (folded; the crashing one is the exception's
// stack above), the modules with whether this event's frames found their debug files, and the dump's
// download. The payload is untrusted: every field is read defensively and escaped by `html`.
import { asArr, asNum, asObj, asStr, imageRanges, renderFrames, viewFrames } from "./event-view.ts";
import { type HtmlValue, html, type SafeHtml, safeHref } from "./html.ts";

type Obj = Record<string, unknown>;

export interface CrashAttachment {
  name: string;
  href: string;
  attachmentType: string | null;
}

function minidumpException(payload: Obj): Obj | null {
  for (const value of asArr(asObj(payload.exception)?.values)) {
    const exception = asObj(value);
    if (asStr(asObj(exception?.mechanism)?.type) === "minidump") return exception;
  }
  return null;
}

function parseHex(v: unknown): bigint | null {
  const s = asStr(v);
  if (!s || !/^0x[0-9a-fA-F]{1,16}$/.test(s)) return null;
  return BigInt(s);
}

/** Per image: "found" when a frame in it was symbolicated, "missing" when one missed its file. */
function moduleStates(payload: Obj): Map<number, string> {
  const images = asArr(asObj(payload.debug_meta)?.images).map(asObj);
  const states = new Map<number, string>();
  const stacks = [
    ...asArr(asObj(payload.exception)?.values).map((v) => asObj(asObj(v)?.stacktrace)),
    ...asArr(asObj(payload.threads)?.values).map((t) => asObj(asObj(t)?.stacktrace)),
  ];
  for (const stack of stacks) {
    for (const raw of asArr(stack?.frames)) {
      const frame = asObj(raw);
      const address = parseHex(frame?.instruction_addr);
      const status = asStr(frame?.symbolicator_status);
      if (address === null || !status) continue;
      images.forEach((image, index) => {
        const start = parseHex(image?.image_addr);
        const size = asNum(image?.image_size);
        if (start === null || size === null || address < start || address >= start + BigInt(Math.floor(size)))
          return;
        const state =
          status === "symbolicated"
            ? "found"
            : status === "missing"
              ? "missing"
              : status.replaceAll("_", " ");
        if (states.get(index) !== "found") states.set(index, state);
      });
    }
  }
  return states;
}

function registersTable(registers: Obj | null): SafeHtml | "" {
  const entries = Object.entries(registers ?? {}).filter(([, v]) => asStr(v) !== null);
  if (entries.length === 0) return "";
  return html`<h3>Registers of the crashing frame</h3><div class="panel" style="overflow:auto"><dl class="kv mono">${entries.map(
    ([name, value]) => html`<dt>${name}</dt><dd>${asStr(value)}</dd>`,
  )}</dl></div>`;
}

function modulesTable(payload: Obj): SafeHtml | "" {
  const images = asArr(asObj(payload.debug_meta)?.images).map(asObj);
  if (images.length === 0) return "";
  const states = moduleStates(payload);
  const rows: HtmlValue[] = images.map((image, index) => {
    const state = states.get(index);
    const badge = state
      ? html`<span class="badge${state === "found" ? " new" : state === "missing" ? " regressed" : ""}">${state === "found" ? "debug file found" : state === "missing" ? "debug file missing" : state}</span>`
      : html`<span class="muted">no frames</span>`;
    return html`<tr><td><code>${asStr(image?.code_file) ?? asStr(image?.debug_file) ?? "?"}</code></td><td class="mono">${asStr(image?.image_addr) ?? ""}</td><td class="mono">${asStr(image?.debug_id) ?? ""}</td><td>${badge}</td></tr>`;
  });
  return html`<h2>Modules</h2><div class="panel" style="padding:0;overflow:auto"><table class="stack"><thead><tr><th>Module</th><th>Address</th><th>Debug id</th><th>Debug file</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function otherThreads(payload: Obj, crashedId: string | null): SafeHtml | "" {
  const images = imageRanges(payload);
  const threads = asArr(asObj(payload.threads)?.values)
    .map(asObj)
    .filter((t): t is Obj => t !== null && asObj(t.stacktrace) !== null && asStr(t.id) !== crashedId);
  if (threads.length === 0) return "";
  return html`<h2>Other threads <span class="muted" style="font-weight:400">(${threads.length})</span></h2>${threads.map(
    (t) =>
      html`<details class="thread"><summary>Thread ${asStr(t.name) ?? asStr(t.id) ?? "?"}</summary>${renderFrames(viewFrames(t.stacktrace, images))}</details>`,
  )}`;
}

/** The native crash sections; empty for events that did not come from a minidump. */
export function renderNativeCrash(payload: Obj, attachments: readonly CrashAttachment[]): SafeHtml | "" {
  const exception = minidumpException(payload);
  if (!exception) return "";
  const signal = asObj(asObj(asObj(exception.mechanism)?.meta)?.signal);
  const crashedId = asStr(exception.thread_id);
  const dump = attachments.find((a) => a.attachmentType === "event.minidump");
  return html`<h2>Crash</h2><div class="panel"><dl class="kv"><dt>Crash reason</dt><dd><strong>${asStr(exception.type) ?? "?"}</strong></dd>${
    signal
      ? html`<dt>Signal</dt><dd>${asStr(signal.name) ?? ""} (${asStr(signal.number) ?? ""}), code ${asStr(signal.code) ?? ""}</dd>`
      : ""
  }${crashedId ? html`<dt>Crashing thread</dt><dd>${crashedId} <span class="muted">(its stack is the exception's above)</span></dd>` : ""}${
    dump
      ? html`<dt>Minidump</dt><dd><a href="${safeHref(dump.href)}" download>Download ${dump.name}</a></dd>`
      : ""
  }</dl></div>${registersTable(asObj(asObj(exception.stacktrace)?.registers))}${otherThreads(payload, crashedId)}${modulesTable(payload)}`;
}
