// What a new user needs to send a first event: the DSN and three-line setups for Rust, Node and Python.
import { html, type SafeHtml } from "./html.ts";

export function dsnFor(url: URL, publicKey: string, projectId: number): string {
  return `${url.protocol}//${publicKey}@${url.host}/${projectId}`;
}

export function setupSnippets(dsn: string): SafeHtml {
  return html`<div class="cards" style="text-align:left">
<div><h3>Rust <span class="muted">(sentry crate)</span></h3><pre>let _guard = sentry::init(("${dsn}", sentry::ClientOptions {
    release: sentry::release_name!(), ..Default::default() }));
panic!("hello from Rust");</pre></div>
<div><h3>Node <span class="muted">(@sentry/node)</span></h3><pre>const Sentry = require("@sentry/node");
Sentry.init({ dsn: "${dsn}" });
Sentry.captureException(new Error("hello from Node"));</pre></div>
<div><h3>Python <span class="muted">(sentry-sdk)</span></h3><pre>import sentry_sdk
sentry_sdk.init("${dsn}")
division_by_zero = 1 / 0</pre></div></div>`;
}

/** The DSN in a read-only field with a copy button (the script copies it; without script, select it). */
export function dsnField(id: string, dsn: string): SafeHtml {
  return html`<div class="secret"><label class="skip" for="${id}">DSN</label><input id="${id}" readonly value="${dsn}" aria-label="DSN"><button type="button" data-copy="${id}">Copy</button></div>`;
}

export function emptyProject(dsn: string | null, keysHref: string): SafeHtml {
  return html`<div class="panel empty"><h2>Waiting for the first event</h2><p>Send an error with one of the official Sentry SDKs pointed at this project's DSN${dsn ? "" : html` (create one under <a href="${keysHref}">Client keys</a>)`}.</p>${dsn ? html`${dsnField("empty-dsn", dsn)}${setupSnippets(dsn)}` : ""}</div>`;
}
