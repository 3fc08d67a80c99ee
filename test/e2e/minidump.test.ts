// End to end: a native crash as Breakpad writes it (crasher.cc built at test time, see
// test/fixtures/minidump/corpus.ts), its binary uploaded with the real sentry-cli (`debug-files
// upload --wait`, which builds the unwind table next to the symbol lookup), the dump posted to
// `/api/{id}/minidump/` as a multipart form the way Crashpad/Breakpad upload it (the dump in
// `upload_file_minidump`, the event in `sentry` + `sentry[tags][…]` fields, another file), once plain
// and once with the whole body gzip-encoded. Read back through the REST API: the crash reason, the
// crashing thread walked by CFI and symbolicated, grouped into one issue, the dump downloadable.

import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { buildCorpus, type Corpus, type CorpusDump } from "../fixtures/minidump/corpus.ts";
import { encodeMsgpack } from "../fixtures/msgpack-encode.ts";
import { apiClient } from "./api-client.ts";
import { launchChromium, signedInPage } from "./chromium.ts";
import { cliHome, runCli, serverEnv } from "./sentry-cli.ts";

const server = inject("faultline");
const api = apiClient(server);
const home = cliHome();
let corpus: Corpus;

/** A project of its own: the debug files uploaded here must not show in other files' listings. */
const project = { id: "", slug: "", key: "" };

beforeAll(async () => {
  corpus = buildCorpus();
  const created = await api<{ id: string; slug: string }>(
    "POST",
    `/teams/${server.orgSlug}/default/projects/`,
    { name: "Native crasher" },
  );
  expect(created.status).toBe(201);
  const keys = await api<{ public: string }[]>(
    "GET",
    `/projects/${server.orgSlug}/${created.body.slug}/keys/`,
  );
  Object.assign(project, { id: created.body.id, slug: created.body.slug, key: keys.body[0]?.public ?? "" });
}, 180_000);
afterAll(() => rmSync(corpus.dir, { recursive: true, force: true }));

interface ApiFrame {
  function: string | null;
  filename: string | null;
  lineNo: number | null;
  trust?: string | null;
}
interface ApiEvent {
  groupID: string;
  errors: { type: string }[];
  tags: { key: string; value: string }[];
  entries: {
    type: string;
    data: { values?: { type: string; stacktrace: { frames: ApiFrame[] } | null }[] };
  }[];
}

const SOURCE = readFileSync(new URL("../fixtures/minidump/crasher.cc", import.meta.url), "utf8").split("\n");

/** The 1-based line of crasher.cc that contains `text`. */
function lineOf(text: string): number {
  const index = SOURCE.findIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`crasher.cc has no line with ${text}`);
  return index + 1;
}

/** Breakpad's module id of a binary: its debug id's GUID in hex, uppercase, age 0 appended. */
function breakpadId(binary: string): string {
  const out = runCli(["debug-files", "check", binary], home, {});
  const id = /Debug ID:\s*([0-9a-f-]{36})/i.exec(out.all)?.[1] ?? "";
  return `${id.replaceAll("-", "").toUpperCase()}0`;
}

function dumpOf(mode: string): CorpusDump {
  const dump = corpus.dumps.find((d) => d.variant === "O2" && d.mode === mode);
  if (!dump) throw new Error(`no ${mode} dump`);
  return dump;
}

function crashForm(dump: CorpusDump, kind: string): FormData {
  const form = new FormData();
  form.append("sentry", JSON.stringify({ release: "crasher@1.0.0", environment: "e2e" }));
  form.append("sentry[tags][crash_kind]", kind);
  form.append("upload_file_minidump", new Blob([readFileSync(dump.path)]), "crash.dmp");
  form.append("log", new Blob(["last words\n"], { type: "text/plain" }), "crash.log");
  return form;
}

async function postForm(form: FormData, gzip: boolean): Promise<Response> {
  const url = `${server.url}/api/${project.id}/minidump/?sentry_key=${project.key}`;
  if (!gzip) return fetch(url, { method: "POST", body: form });
  const encoded = new Response(form);
  const body = gzipSync(Buffer.from(await encoded.arrayBuffer()));
  return fetch(url, {
    method: "POST",
    body,
    headers: { "content-type": encoded.headers.get("content-type") ?? "", "content-encoding": "gzip" },
  });
}

async function eventually<T>(read: () => Promise<T | undefined>, attempts = 40): Promise<T | undefined> {
  for (let i = 0; i < attempts; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return undefined;
}

async function readEvent(eventId: string): Promise<ApiEvent | undefined> {
  return eventually(async () => {
    const res = await api<ApiEvent>(
      "GET",
      `/projects/${server.orgSlug}/${project.slug}/events/${eventId.replaceAll("-", "")}/`,
    );
    // Served from the spool before its group commit, an event has no group yet: wait for it.
    return res.status === 200 && res.body.groupID ? res.body : undefined;
  });
}

describe("minidump endpoint", () => {
  it("walks and symbolicates a Breakpad crash after sentry-cli uploaded its binary", async () => {
    const upload = runCli(["debug-files", "upload", "--wait", dumpOf("null").binary], home, {
      ...serverEnv(),
      SENTRY_PROJECT: project.slug,
    });
    expect(upload.code, upload.all).toBe(0);

    const plain = await postForm(crashForm(dumpOf("null"), "null"), false);
    expect(plain.status).toBe(200);
    const eventId = (await plain.text()).trim();
    expect(eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const event = await readEvent(eventId);
    const exception = event?.entries.find((e) => e.type === "exception")?.data.values?.[0];
    expect(exception?.type).toBe("SIGSEGV / SEGV_MAPERR");
    const frames = (exception?.stacktrace?.frames ?? []).slice().reverse();
    // -O2 turned descend's recursion into a loop: one frame, at the call in the loop's exit path.
    expect(frames.slice(0, 4).map((f) => [f.function, f.filename, f.lineNo])).toEqual([
      ["read_next(Node*)", "crasher.cc", lineOf("return node->next->value;")],
      ["descend(Node*, int)", "crasher.cc", lineOf("return read_next(node);")],
      ["null_deref()", "crasher.cc", lineOf("return descend(&node, 3);")],
      ["main", "crasher.cc", lineOf('if (!strcmp(mode, "null"))')],
    ]);
    expect(event?.tags).toEqual(expect.arrayContaining([{ key: "crash_kind", value: "null" }]));

    // The dump and the other file are the event's attachments; the dump downloads byte for byte.
    const attachments = await api<{ id: string; name: string; type: string }[]>(
      "GET",
      `/projects/${server.orgSlug}/${project.slug}/events/${eventId.replaceAll("-", "")}/attachments/`,
    );
    const dump = attachments.body.find((a) => a.type === "event.minidump");
    expect(dump?.name).toBe("crash.dmp");
    expect(attachments.body.map((a) => a.name)).toContain("crash.log");
    const download = await fetch(
      `${server.url}/api/0/projects/${server.orgSlug}/${project.slug}/events/${eventId.replaceAll("-", "")}/attachments/${dump?.id}/?download=1`,
      { headers: { authorization: `Bearer ${server.token}` } },
    );
    expect(Buffer.from(await download.arrayBuffer()).equals(readFileSync(dumpOf("null").path))).toBe(true);

    // The same crash again, gzip-encoded as Crashpad sends it: the same issue.
    const gzipped = await postForm(crashForm(dumpOf("null"), "null-gzip"), true);
    expect(gzipped.status).toBe(200);
    const second = await readEvent((await gzipped.text()).trim());
    expect(second?.groupID).toBe(event?.groupID);

    const issues = await api<{ id: string; title: string; count: string }[]>(
      "GET",
      `/projects/${server.orgSlug}/${project.slug}/issues/?query=`,
    );
    const issue = issues.body.find((i) => i.id === event?.groupID);
    expect(issue?.title).toContain("SIGSEGV / SEGV_MAPERR");
  });

  it("walks a dump that came before its debug file again when the file arrives", async () => {
    const dump = corpus.dumps.find((d) => d.variant === "O0" && d.mode === "qsort");
    if (!dump) throw new Error("no O0 qsort dump");
    const sent = await postForm(crashForm(dump, "late"), false);
    expect(sent.status).toBe(200);
    const eventId = (await sent.text()).trim();
    const before = await readEvent(eventId);
    const framesOf = (event: ApiEvent | undefined) =>
      (event?.entries.find((e) => e.type === "exception")?.data.values?.[0]?.stacktrace?.frames ?? [])
        .slice()
        .reverse();
    // No file yet: frame pointers and scanning, no names.
    expect(framesOf(before)[0]?.function ?? null).toBeNull();
    expect(framesOf(before).map((f) => f.trust)).not.toContain("cfi");

    const upload = runCli(["debug-files", "upload", "--wait", dump.binary], home, {
      ...serverEnv(),
      SENTRY_PROJECT: project.slug,
    });
    expect(upload.code, upload.all).toBe(0);
    const after = await eventually(async () => {
      const event = await readEvent(eventId);
      return framesOf(event)[0]?.function ? event : undefined;
    }, 60);
    const frames = framesOf(after);
    expect(frames[0]).toMatchObject({
      function: "compare_ints(void const*, void const*)",
      filename: "crasher.cc",
      lineNo: lineOf("*nowhere = 1;"),
    });
    // Walked again, not only re-symbolicated: the frames above the crash now come from CFI.
    expect(frames.map((f) => f.function)).toEqual(expect.arrayContaining(["sort_crash()", "main"]));
    expect(frames.map((f) => f.trust)).toContain("cfi");
  });

  it("takes sentry-native's envelope: an event.minidump attachment with or without an event item", async () => {
    const dump = readFileSync(dumpOf("qsort").path);
    const envelope = (eventId: string, withEvent: boolean) => {
      const parts: Buffer[] = [Buffer.from(`${JSON.stringify({ event_id: eventId })}\n`)];
      if (withEvent) {
        const event = JSON.stringify({
          event_id: eventId,
          level: "fatal",
          release: "crasher@2.0.0",
          tags: { via: "envelope" },
        });
        parts.push(
          Buffer.from(`${JSON.stringify({ type: "event", length: Buffer.byteLength(event) })}\n${event}\n`),
        );
      }
      const header = {
        type: "attachment",
        length: dump.byteLength,
        filename: "minidump.dmp",
        attachment_type: "event.minidump",
      };
      parts.push(Buffer.from(`${JSON.stringify(header)}\n`), dump, Buffer.from("\n"));
      return Buffer.concat(parts);
    };
    for (const withEvent of [true, false]) {
      const eventId = randomUUID().replaceAll("-", "");
      const res = await fetch(`${server.url}/api/${project.id}/envelope/`, {
        method: "POST",
        body: envelope(eventId, withEvent),
        headers: {
          "x-sentry-auth": `Sentry sentry_key=${project.key}, sentry_version=7, sentry_client=sentry.native/0.7.0`,
        },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { id: string }).id).toBe(eventId);
      const event = await readEvent(eventId);
      const exception = event?.entries.find((e) => e.type === "exception")?.data.values?.[0];
      expect(exception?.type).toBe("SIGSEGV / SEGV_MAPERR");
      const frames = (exception?.stacktrace?.frames ?? []).slice().reverse();
      expect(frames[0]?.function).toBe("compare_ints(void const*, void const*)");
      if (withEvent) expect(event?.tags).toEqual(expect.arrayContaining([{ key: "via", value: "envelope" }]));
    }
  });

  it("shows the crash in the web UI: reason, trust, registers, other threads folded, modules, dump download", async () => {
    const dump = dumpOf("thread");
    const sent = await postForm(crashForm(dump, "ui"), false);
    const event = await readEvent((await sent.text()).trim());
    const browser = await launchChromium();
    try {
      const page = await signedInPage(browser, server);
      await page.goto(`${server.url}/organizations/${server.orgSlug}/issues/${event?.groupID}/`);
      const main = (await page.locator("main").textContent()) ?? "";
      expect(main).toContain("Crash reason");
      expect(main).toContain("SIGSEGV / SEGV_MAPERR");
      expect(main).toContain("read_next(Node*)");
      expect(main).toContain("Registers of the crashing frame");
      expect(main).toMatch(/rip\s*0x[0-9a-f]+/);
      expect(main).toContain("debug file found");
      expect(main).toContain("debug file missing");
      // The main thread waits in pthread_join: listed, folded.
      expect(await page.locator("details.thread").count()).toBeGreaterThanOrEqual(1);
      expect(await page.locator("details.thread[open]").count()).toBe(0);
      expect(await page.locator(".badge", { hasText: /^cfi$/ }).count()).toBeGreaterThan(0);
      const download = page.getByRole("link", { name: "Download crash.dmp" });
      const href = await download.getAttribute("href");
      const res = await page.request.get(`${server.url}${href}`);
      expect(Buffer.from(await res.body()).equals(readFileSync(dump.path))).toBe(true);
    } finally {
      await browser.close();
    }
  });

  it("uses a Breakpad .sym file uploaded with sentry-cli for both the walk and the names", async () => {
    const dump = corpus.dumps.find((d) => d.variant === "O1" && d.mode === "qsort");
    if (!dump) throw new Error("no O1 qsort dump");
    const symbols = join(corpus.symbols, "crasher");
    const sym = readdirSync(symbols)
      .map((id) => join(symbols, id, "crasher.sym"))
      .find((path) =>
        readFileSync(path, "utf8").startsWith(`MODULE Linux x86_64 ${breakpadId(dump.binary)} `),
      );
    if (!sym) throw new Error("no .sym for the O1 crasher");
    const upload = runCli(["debug-files", "upload", "--wait", sym], home, {
      ...serverEnv(),
      SENTRY_PROJECT: project.slug,
    });
    expect(upload.code, upload.all).toBe(0);
    expect(upload.all).toMatch(/OK [0-9a-f-]{36} \(crasher.sym; x86_64/);
    const sent = await postForm(crashForm(dump, "sym"), false);
    const event = await readEvent((await sent.text()).trim());
    const frames = (
      event?.entries.find((e) => e.type === "exception")?.data.values?.[0]?.stacktrace?.frames ?? []
    )
      .slice()
      .reverse();
    expect(frames[0]).toMatchObject({
      function: "compare_ints",
      filename: "crasher.cc",
      lineNo: lineOf("*nowhere = 1;"),
    });
    expect(frames.map((f) => f.function)).toEqual(expect.arrayContaining(["sort_crash()", "main"]));
    expect(frames.map((f) => f.trust)).toContain("cfi");
  });

  it("keeps a dump that starts like one but is cut short: an event with a processing error, the dump stored", async () => {
    const whole = readFileSync(dumpOf("abort").path);
    const form = new FormData();
    form.append("sentry", JSON.stringify({ release: "crasher@1.0.0" }));
    form.append("upload_file_minidump", new Blob([whole.subarray(0, 600)]), "cut.dmp");
    const res = await postForm(form, false);
    expect(res.status).toBe(200);
    const eventId = (await res.text()).trim().replaceAll("-", "");
    const event = await readEvent(eventId);
    const exception = event?.entries.find((e) => e.type === "exception")?.data.values?.[0];
    expect(exception?.type).toBe("Minidump");
    const attachments = await api<{ name: string; type: string }[]>(
      "GET",
      `/projects/${server.orgSlug}/${project.slug}/events/${eventId}/attachments/`,
    );
    expect(attachments.body).toEqual([expect.objectContaining({ name: "cut.dmp", type: "event.minidump" })]);
    expect(event?.errors.map((e) => e.type)).toContain("native_bad_dump");
  });

  it("merges what sentry-native's Crashpad backend uploads beside the dump: its MessagePack event and breadcrumbs", async () => {
    const form = new FormData();
    const event = { release: "native@3.1.4", tags: { backend: "crashpad" }, user: { id: "u-1" } };
    form.append("__sentry-event", new Blob([encodeMsgpack(event)]), "__sentry-event");
    const crumb = (message: string, timestamp: string) =>
      encodeMsgpack({ message, timestamp, category: "log" });
    form.append(
      "__sentry-breadcrumb1",
      new Blob([crumb("second", "2026-01-01T00:00:02Z")]),
      "__sentry-breadcrumb1",
    );
    form.append(
      "__sentry-breadcrumb2",
      new Blob([crumb("first", "2026-01-01T00:00:01Z")]),
      "__sentry-breadcrumb2",
    );
    form.append("upload_file_minidump", new Blob([readFileSync(dumpOf("abort").path)]), "crash.dmp");
    const res = await postForm(form, false);
    expect(res.status).toBe(200);
    const eventId = (await res.text()).trim().replaceAll("-", "");
    const stored = await readEvent(eventId);
    expect(stored?.tags).toEqual(expect.arrayContaining([{ key: "backend", value: "crashpad" }]));
    const crumbs = stored?.entries.find((e) => e.type === "breadcrumbs")?.data.values as unknown as {
      message: string;
    }[];
    expect(crumbs?.map((c) => c.message)).toEqual(["first", "second"]);
    const exception = stored?.entries.find((e) => e.type === "exception")?.data.values?.[0];
    expect(exception?.type).toBe("SIGABRT");
    // The MessagePack files are merged, not kept as attachments; the dump is.
    const attachments = await api<{ name: string }[]>(
      "GET",
      `/projects/${server.orgSlug}/${project.slug}/events/${eventId}/attachments/`,
    );
    expect(attachments.body.map((a) => a.name)).toEqual(["crash.dmp"]);
  });

  it("answers a body that is not a minidump with 400 and a detail", async () => {
    const form = new FormData();
    form.append("upload_file_minidump", new Blob(["definitely not a dump"]), "crash.dmp");
    const res = await postForm(form, false);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/minidump/);
  });
});
