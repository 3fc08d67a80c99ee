// The selected event of an issue: exception chain (root cause first, as stored), stack traces with in-app
// frames expanded and the rest collapsed, breadcrumbs, contexts, user, request, tags, SDK. The payload is
// untrusted JSON: every field is read defensively and every value is escaped by the template helper.
import { bytes, isoTime } from "./format.ts";
import { type HtmlValue, html, type SafeHtml, safeHref } from "./html.ts";
import { renderScrubbed } from "./scrubbed-view.ts";

type Obj = Record<string, unknown>;

export const asObj = (v: unknown): Obj | null =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : null;
export const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const asStr = (v: unknown): string | null =>
  typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : null;
export const asNum = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** Any JSON value as short display text. */
export function display(v: unknown): string {
  const s = asStr(v);
  if (s !== null) return s;
  if (v === null || v === undefined) return "";
  try {
    return JSON.stringify(v, null, 2);
  } catch {
    return String(v);
  }
}

export interface ViewFrame {
  function: string | null;
  location: string | null;
  inApp: boolean;
  inline: boolean;
  address: string | null;
  image: string | null;
  status: string | null;
  /** How a stack walker found the frame (minidumps): context, cfi, fp, scan. */
  trust: string | null;
  lineno: number | null;
  context: { lineno: number; line: string; current: boolean }[];
  vars: [string, string][];
}

interface ImageRange {
  start: bigint;
  end: bigint;
  name: string;
}

function parseHex(v: unknown): bigint | null {
  const s = asStr(v);
  if (!s) return null;
  try {
    return s.startsWith("0x") || s.startsWith("0X") ? BigInt(s) : BigInt(`0x${s}`);
  } catch {
    return null;
  }
}

const basename = (path: string): string => path.split(/[\\/]/).pop() || path;

export function imageRanges(payload: Obj): ImageRange[] {
  const images = asArr(asObj(payload.debug_meta)?.images);
  const out: ImageRange[] = [];
  for (const raw of images) {
    const img = asObj(raw);
    if (!img) continue;
    const start = parseHex(img.image_addr);
    const size = asNum(img.image_size);
    const name = asStr(img.code_file) ?? asStr(img.debug_file) ?? asStr(img.debug_id);
    if (start === null || name === null) continue;
    out.push({
      start,
      end: size !== null ? start + BigInt(Math.max(0, Math.floor(size))) : start,
      name: basename(name),
    });
  }
  return out;
}

/** Frames newest call first (the stored order is caller first), with the display fields worked out. */
export function viewFrames(stacktrace: unknown, images: ImageRange[]): ViewFrame[] {
  const frames = asArr(asObj(stacktrace)?.frames)
    .map(asObj)
    .filter((f): f is Obj => f !== null);
  const addrCount = new Map<string, number>();
  for (const f of frames) {
    const a = asStr(f.instruction_addr);
    if (a) addrCount.set(a, (addrCount.get(a) ?? 0) + 1);
  }
  const out = frames.map((f): ViewFrame => {
    const fn = asStr(f.function) ?? asStr(f.raw_function) ?? asStr(f.symbol);
    const file = asStr(f.filename) ?? asStr(f.abs_path) ?? asStr(f.module);
    const lineno = asNum(f.lineno);
    const colno = asNum(f.colno);
    const location = file
      ? `${file}${lineno !== null ? `:${lineno}` : ""}${colno !== null ? `:${colno}` : ""}`
      : null;
    const address = asStr(f.instruction_addr);
    const addr = parseHex(address);
    const image =
      addr !== null
        ? (images.find((i) => addr >= i.start && addr < i.end)?.name ?? asStr(f.package))
        : asStr(f.package);
    const inline =
      f.inline === true ||
      asObj(f.data)?.inline === true ||
      (address !== null && (addrCount.get(address) ?? 0) > 1 && f.symbol_addr === undefined && fn !== null);
    const context: ViewFrame["context"] = [];
    if (lineno !== null && typeof f.context_line === "string") {
      const pre = asArr(f.pre_context).map((l) => asStr(l) ?? "");
      const post = asArr(f.post_context).map((l) => asStr(l) ?? "");
      for (const [i, line] of pre.entries())
        context.push({ lineno: lineno - pre.length + i, line, current: false });
      context.push({ lineno, line: f.context_line, current: true });
      for (const [i, line] of post.entries()) context.push({ lineno: lineno + 1 + i, line, current: false });
    }
    const vars = Object.entries(asObj(f.vars) ?? {}).map(([k, v]): [string, string] => [k, display(v)]);
    return {
      function: fn,
      location,
      inApp: f.in_app === true,
      inline,
      address,
      image,
      status: asStr(f.symbolicator_status),
      trust: asStr(f.trust),
      lineno,
      context,
      vars,
    };
  });
  return out.reverse();
}

function frameLine(f: ViewFrame): SafeHtml {
  const symbolicated = f.function !== null || f.location !== null;
  const where = symbolicated
    ? html`<code>${f.function ?? "?"}</code>${f.location ? html` <span class="muted">at</span> <code>${f.location}</code>` : ""}`
    : html`<code>${f.address ?? "?"}</code>${f.image ? html` <span class="muted">in</span> <code>${f.image}</code>` : ""}`;
  return html`${where}${f.inline ? html` <span class="badge">inline</span>` : ""}${f.inApp ? html` <span class="badge new">in app</span>` : ""}${
    f.status && f.status !== "symbolicated"
      ? html` <span class="badge">${f.status.replaceAll("_", " ")}</span>`
      : ""
  }${f.trust ? html` <span class="badge" title="how the stack walker found this frame">${f.trust}</span>` : ""}${symbolicated && f.address && !f.location ? html` <span class="muted mono">${f.address}${f.image ? html` ${f.image}` : ""}</span>` : ""}`;
}

function frameBody(f: ViewFrame): SafeHtml {
  const ctx =
    f.context.length > 0
      ? html`<pre class="ctx">${f.context.map((c) => (c.current ? html`<span class="hl">${String(c.lineno).padStart(5)}  ${c.line}</span>` : html`${String(c.lineno).padStart(5)}  ${c.line}\n`))}</pre>`
      : "";
  const vars =
    f.vars.length > 0
      ? html`<dl class="kv" style="padding:6px 8px">${f.vars.map(([k, v]) => html`<dt>${k}</dt><dd><code>${v}</code></dd>`)}</dl>`
      : "";
  return html`${ctx}${vars}`;
}

/** In-app frames open; runs of other frames folded into one collapsed group. Without in-app frames, all shown. */
export function renderFrames(frames: ViewFrame[]): SafeHtml {
  if (frames.length === 0) return html`<p class="muted">No stack trace.</p>`;
  const anyInApp = frames.some((f) => f.inApp);
  const parts: HtmlValue[] = [];
  let run: ViewFrame[] = [];
  const flush = () => {
    if (run.length === 0) return;
    parts.push(
      html`<details class="sys"><summary>${run.length} other frame${run.length === 1 ? "" : "s"}</summary>${run.map(
        (f) => html`<div class="frame"><div class="line">${frameLine(f)}</div>${frameBody(f)}</div>`,
      )}</details>`,
    );
    run = [];
  };
  frames.forEach((f, i) => {
    if (anyInApp && !f.inApp) {
      run.push(f);
      return;
    }
    flush();
    const open = f.inApp || i === 0;
    parts.push(
      html`<details class="frame${f.inApp ? " app" : ""}"${open ? html` open` : ""}><summary>${frameLine(f)}</summary>${frameBody(f)}</details>`,
    );
  });
  flush();
  return html`<div class="frames">${parts}</div>`;
}

export interface ViewException {
  type: string;
  value: string | null;
  module: string | null;
  mechanism: {
    type: string | null;
    handled: boolean | null;
    synthetic: boolean;
    description: string | null;
  } | null;
  frames: ViewFrame[];
}

export function viewExceptions(payload: Obj): ViewException[] {
  const images = imageRanges(payload);
  return asArr(asObj(payload.exception)?.values)
    .map(asObj)
    .filter((e): e is Obj => e !== null)
    .map((e) => {
      const m = asObj(e.mechanism);
      return {
        type: asStr(e.type) ?? "Error",
        value: asStr(e.value),
        module: asStr(e.module),
        mechanism: m
          ? {
              type: asStr(m.type),
              handled: typeof m.handled === "boolean" ? m.handled : null,
              synthetic: m.synthetic === true,
              description: asStr(m.description),
            }
          : null,
        frames: viewFrames(e.stacktrace, images),
      };
    });
}

function mechanismBadges(m: ViewException["mechanism"]): SafeHtml | "" {
  if (!m) return "";
  const panic = m.type === "panic" || (m.type ?? "").includes("panic");
  return html`${m.handled === false ? html`<span class="badge regressed">unhandled</span> ` : m.handled === true ? html`<span class="badge">handled</span> ` : ""}${panic ? html`<span class="badge regressed">panic</span> ` : ""}${m.type ? html`<span class="badge">mechanism: ${m.type}</span>` : ""}`;
}

/** The chain as stored: values[0] is the root cause, the last value the outermost error. */
export function renderExceptions(exceptions: ViewException[]): SafeHtml {
  const n = exceptions.length;
  return html`${exceptions.map((e, i) => {
    const role =
      n > 1
        ? i === 0
          ? "Root cause"
          : i === n - 1
            ? "Outermost"
            : `Caused the next (${i + 1} of ${n})`
        : "";
    return html`<section class="exc" aria-label="${e.type}">${role ? html`<div class="muted" style="font-size:12px">${role}</div>` : ""}<h3>${e.type}${e.module ? html` <span class="muted">(${e.module})</span>` : ""}</h3>${e.value !== null ? html`<p class="value">${e.value}</p>` : ""}<div class="row" style="margin-bottom:6px">${mechanismBadges(e.mechanism)}</div>${renderFrames(e.frames)}</section>${
      i < n - 1 ? html`<p class="muted" style="margin:-6px 0 6px 12px">↓ caused</p>` : ""
    }`;
  })}`;
}

function threadStacks(payload: Obj): SafeHtml | "" {
  const images = imageRanges(payload);
  const threads = asArr(asObj(payload.threads)?.values)
    .map(asObj)
    .filter((t): t is Obj => t !== null && asObj(t.stacktrace) !== null);
  if (threads.length === 0) {
    const top = asObj(payload.stacktrace);
    return top ? html`<h2>Stack trace</h2>${renderFrames(viewFrames(top, images))}` : "";
  }
  return html`<h2>Threads</h2>${threads.map((t) => {
    const crashed = t.crashed === true;
    return html`<details${crashed ? html` open` : ""}><summary>Thread ${asStr(t.name) ?? asStr(t.id) ?? "?"}${crashed ? html` <span class="badge regressed">crashed</span>` : ""}</summary>${renderFrames(viewFrames(t.stacktrace, images))}</details>`;
  })}`;
}

export function renderBreadcrumbs(payload: Obj, eventTime: number | null): SafeHtml | "" {
  const crumbs = asArr(asObj(payload.breadcrumbs)?.values)
    .map(asObj)
    .filter((c): c is Obj => c !== null);
  if (crumbs.length === 0) return "";
  const rows = crumbs
    .slice()
    .reverse()
    .map((c) => {
      const ts = asNum(c.timestamp);
      const level = asStr(c.level) ?? "info";
      const data = c.data !== undefined ? display(c.data) : "";
      const rel = ts !== null && eventTime !== null ? `${(ts - eventTime).toFixed(1)} s` : "";
      // A `sentry.event` crumb names the event it stands for.
      const eventId = asStr(c.event_id);
      return html`<tr><td class="mono">${ts !== null ? isoTime(ts).slice(11, 19) : ""}<br><span class="muted">${rel}</span></td><td><span class="lvl lvl-${level}"></span>${level}</td><td>${asStr(c.category) ?? asStr(c.type) ?? ""}</td><td class="msg">${asStr(c.message) ?? ""}${eventId ? html`<div class="muted mono">event ${eventId}</div>` : ""}${data ? html`<pre>${data}</pre>` : ""}</td></tr>`;
    });
  return html`<h2>Breadcrumbs</h2><div class="panel" style="padding:0;overflow:auto"><table class="crumbs stack"><thead><tr><th>Time</th><th>Level</th><th>Category</th><th>Message</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function kv(entries: [string, unknown][]): SafeHtml {
  return html`<dl class="kv">${entries.map(([k, v]) => html`<dt>${k}</dt><dd>${typeof v === "object" && v !== null ? html`<pre>${display(v)}</pre>` : display(v)}</dd>`)}</dl>`;
}

export function renderContexts(payload: Obj): SafeHtml | "" {
  const contexts = Object.entries(asObj(payload.contexts) ?? {}).filter(([, v]) => asObj(v) !== null);
  if (contexts.length === 0) return "";
  const order = ["os", "client_os", "runtime", "device", "browser", "app", "trace"];
  contexts.sort(
    ([a], [b]) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b),
  );
  return html`<h2>Contexts</h2><div class="cards">${contexts.map(([name, value]) => html`<div class="panel"><h3 style="margin-top:0">${name}</h3>${kv(Object.entries(asObj(value) ?? {}))}</div>`)}</div>`;
}

export function renderUser(payload: Obj): SafeHtml | "" {
  const user = asObj(payload.user);
  if (!user || Object.keys(user).length === 0) return "";
  return html`<h2>User</h2><div class="panel">${kv(Object.entries(user))}</div>`;
}

export function renderRequest(payload: Obj): SafeHtml | "" {
  const req = asObj(payload.request);
  if (!req) return "";
  const method = asStr(req.method) ?? "";
  const url = asStr(req.url) ?? "";
  const headers =
    asArr(req.headers).length > 0
      ? asArr(req.headers).map((h): [string, unknown] => [display(asArr(h)[0]), asArr(h)[1]])
      : Object.entries(asObj(req.headers) ?? {});
  const rest = Object.entries(req).filter(([k]) => !["method", "url", "headers"].includes(k));
  return html`<h2>Request</h2><div class="panel"><p class="mono" style="word-break:break-all"><strong>${method}</strong> ${url}</p>${rest.length > 0 ? kv(rest) : ""}${headers.length > 0 ? html`<h3>Headers</h3>${kv(headers)}` : ""}</div>`;
}

export function eventTags(payload: Obj): [string, string][] {
  const tags = payload.tags;
  if (Array.isArray(tags))
    return tags
      .map((t) => asArr(t))
      .filter((t) => t.length >= 2)
      .map((t): [string, string] => [display(t[0]), display(t[1])]);
  return Object.entries(asObj(tags) ?? {}).map(([k, v]): [string, string] => [k, display(v)]);
}

export interface AttachmentView {
  name: string;
  size: number;
  contentType: string;
  href: string;
}

export interface EventViewOptions {
  attachments: AttachmentView[];
  traceHref: string | null;
  /** Sections shown right after the exception (a native crash's threads, registers, modules). */
  afterException?: SafeHtml | "";
  /** The logs explorer narrowed to the event's trace. */
  traceLogsHref?: string | null;
}

/** Everything below the event navigation for one event. */
export function renderEventBody(payloadValue: unknown, options: EventViewOptions): SafeHtml {
  const payload = asObj(payloadValue) ?? {};
  const exceptions = viewExceptions(payload);
  const message =
    asStr(asObj(payload.logentry)?.formatted) ??
    asStr(payload.message) ??
    asStr(asObj(payload.logentry)?.message);
  const tags = eventTags(payload);
  const sdk = asObj(payload.sdk);
  const eventTime = asNum(payload.timestamp);
  const trace = asObj(asObj(payload.contexts)?.trace);
  return html`${message && exceptions.length === 0 ? html`<h2>Message</h2><pre>${message}</pre>` : ""}
${exceptions.length > 0 ? html`<h2>Exception${exceptions.length > 1 ? html` chain <span class="muted" style="font-weight:400">(root cause first)</span>` : ""}</h2>${renderExceptions(exceptions)}` : threadStacks(payload)}
${options.afterException ?? ""}
${tags.length > 0 ? html`<h2>Tags</h2><div class="row">${tags.map(([k, v]) => html`<span class="badge" title="${k}=${v}">${k}: ${v}</span>`)}</div>` : ""}
${renderBreadcrumbs(payload, eventTime)}
${options.traceHref ? html`<h2>Trace</h2><p><a href="${safeHref(options.traceHref)}">This trace <code>${asStr(trace?.trace_id) ?? ""}</code></a>${options.traceLogsHref ? html` · <a href="${safeHref(options.traceLogsHref)}">Logs of this trace</a>` : ""}${asStr(trace?.op) ? html` <span class="muted">op ${asStr(trace?.op)}</span>` : ""}</p>` : ""}
${renderContexts(payload)}${renderUser(payload)}${renderRequest(payload)}
${renderScrubbed(payload._meta)}
${options.attachments.length > 0 ? html`<h2>Attachments</h2><ul>${options.attachments.map((a) => html`<li><a href="${safeHref(a.href)}" download>${a.name}</a> <span class="muted">${bytes(a.size)} · ${a.contentType}</span></li>`)}</ul>` : ""}
${sdk ? html`<h2>SDK</h2><p>${asStr(sdk.name) ?? "unknown"} <span class="muted">${asStr(sdk.version) ?? ""}</span></p>` : ""}`;
}
