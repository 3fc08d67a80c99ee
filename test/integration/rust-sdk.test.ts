// What users of the real sentry-rust 0.37 SDK see, through the Worker and the REST API: the wire
// captures (test/fixtures/captures/sentry-rust-0.37) posted byte for byte with their headers, and the
// fixture app's real panic (test/fixtures/rust-panic.ts) from a stripped build with its debug file
// uploaded, next to its twin the SDK symbolicated in the process. Which frames are in-app, the
// culprit, title and metadata, and which issue an event joins are read from the API as Sentry serves them.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { inProcessPanic037, type Rust037Options, strippedPanic037 } from "../fixtures/rust-panic.ts";
import { uploadDebugFile } from "./debug-file-helpers.ts";
import { createTenant, envelope, newEventId, postEnvelope, send, type Tenant } from "./helpers.ts";
import { call } from "./tenant-helpers.ts";

const DEBUG_ID = "4ea1b71e-9c1a-eadc-a675-8918563690cd";
const CODE_ID = "1eb7a14e1a9cdceaa6758918563690cd5f2c8023";

interface ApiFrame {
  function: string | null;
  package: string | null;
  inApp: boolean;
}
interface ApiEvent {
  eventID: string;
  groupID: string;
  culprit: string | null;
  title: string;
  metadata: Record<string, unknown>;
  entries: { type: string; data: { values?: { stacktrace: { frames: ApiFrame[] } | null }[] } }[];
}
interface ApiIssue {
  id: string;
  title: string;
  culprit: string;
  level: string;
  count: string;
  metadata: Record<string, unknown>;
}

/** Posts a capture's exact bytes with its recorded headers (the DSN key swapped for the tenant's). */
async function postCapture(t: Tenant, name: string): Promise<string> {
  const capture = env.TEST_RUST_CAPTURES[name];
  if (!capture) throw new Error(`no capture ${name}`);
  const headers = new Headers();
  for (let i = 0; i + 1 < capture.headers.length; i += 2) {
    const key = capture.headers[i]!;
    const value = capture.headers[i + 1]!;
    if (/^(host|content-length)$/i.test(key)) continue;
    headers.set(
      key,
      key.toLowerCase() === "x-sentry-auth"
        ? value.replace(/sentry_key=\w+/, `sentry_key=${t.publicKey}`)
        : value,
    );
  }
  const body = Uint8Array.from(atob(capture.body), (c) => c.charCodeAt(0));
  const res = await send(`/api/${t.projectId}/envelope/`, { method: "POST", body, headers });
  expect(res.status).toBe(200);
  const answer = (await res.json()) as { id: string };
  return answer.id;
}

const api = <T>(t: Tenant, path: string) =>
  call<T>(t.token, "GET", path).then((reply) => {
    expect(reply.status).toBe(200);
    return reply.body;
  });
const eventOf = (t: Tenant, id: string) =>
  api<ApiEvent>(t, `/api/0/projects/${t.orgSlug}/${t.projectSlug}/events/${id}/`);
const issuesOf = (t: Tenant) => api<ApiIssue[]>(t, `/api/0/projects/${t.orgSlug}/${t.projectSlug}/issues/`);
const issueOf = (t: Tenant, id: string) => api<ApiIssue>(t, `/api/0/issues/${id}/`);

/** The frames of the exception that carries the stack trace (the last one). */
function framesOf(event: ApiEvent): ApiFrame[] {
  const values = event.entries.find((e) => e.type === "exception")?.data.values ?? [];
  return values[values.length - 1]?.stacktrace?.frames ?? [];
}
const inAppFunctions = (event: ApiEvent) =>
  framesOf(event)
    .filter((f) => f.inApp)
    .map((f) => f.function);

describe("sentry-rust 0.37 captures through ingest", () => {
  it("stripped panic: the client-symbolicated libc frames are not in-app", async () => {
    const t = await createTenant();
    const event = await eventOf(t, await postCapture(t, "panic"));
    const frames = framesOf(event);
    const libc = frames.filter((f) => f.function?.startsWith("__libc_start"));
    expect(libc.map((f) => [f.function, f.package, f.inApp])).toEqual([
      ["__libc_start_main_impl", "/lib/x86_64-linux-gnu/libc.so.6", false],
      ["__libc_start_call_main", "/lib/x86_64-linux-gnu/libc.so.6", false],
    ]);
    // Without the debug file the app's frames stay unknown and keep the SDK's in-app.
    expect(frames.filter((f) => f.function === "<unknown>").every((f) => f.inApp)).toBe(true);
  });

  it("spawned-thread panic: start_thread and clone3 (libc) are not in-app", async () => {
    const t = await createTenant();
    const frames = framesOf(await eventOf(t, await postCapture(t, "spawn-panic")));
    for (const name of ["clone3", "start_thread"])
      expect(frames.find((f) => f.function === name)).toMatchObject({ inApp: false });
  });

  it("in-process hooked panic: only the app's frames are in-app; culprit and metadata name the panicking function", async () => {
    const t = await createTenant();
    const event = await eventOf(t, await postCapture(t, "inprocess-hooked-panic"));
    expect(inAppFunctions(event)).toEqual([
      "<unknown>",
      "main",
      "rustapp::main",
      "rustapp::load_listener_config",
      "rustapp::parse_port",
    ]);
    expect(event.culprit).toBe("rustapp::parse_port");
    const [issue] = await issuesOf(t);
    expect(issue).toMatchObject({
      title: "panic: invalid port: ParseIntError { kind: InvalidDigit }",
      culprit: "rustapp::parse_port",
      metadata: { type: "panic", function: "rustapp::parse_port", filename: "main.rs" },
    });
  });

  it("in-process anyhow error: culprit is the app function, not anyhow's construction frames", async () => {
    const t = await createTenant();
    const event = await eventOf(t, await postCapture(t, "inprocess-anyhow"));
    expect(inAppFunctions(event)).toEqual([
      "<unknown>",
      "main",
      "rustapp::main",
      "rustapp::start_service",
      "rustapp::load_settings",
      "rustapp::read_config_file",
    ]);
    const issue = await issueOf(t, event.groupID);
    expect(issue).toMatchObject({
      title: "Error: service startup failed",
      culprit: "rustapp::read_config_file",
      metadata: { function: "rustapp::read_config_file" },
    });
  });
});

// --- the fixture app: stripped build + uploaded debug file vs. the SDK's in-process symbolication ---

async function sendEvent(t: Tenant, payload: { event_id: string }): Promise<void> {
  const res = await postEnvelope(
    t,
    envelope({ event_id: payload.event_id }, [{ type: "event" }, JSON.stringify(payload)]),
    {
      "x-sentry-auth": `Sentry sentry_key=${t.publicKey}, sentry_version=7, sentry_client=sentry.rust/0.37.0`,
    },
  );
  expect(res.status).toBe(200);
}

const options = (extra: Partial<Rust037Options> = {}): Rust037Options => ({
  debugId: DEBUG_ID,
  codeId: CODE_ID,
  ...extra,
});

describe("the fixture app's panic, stripped and symbolicated in-process", () => {
  it("groups both into one issue with the same title and culprit, hooked or not", async () => {
    const t = await createTenant();
    await uploadDebugFile(t);
    const stripped = newEventId();
    const inProcess = newEventId();
    const hooked = newEventId();
    await sendEvent(t, strippedPanic037(stripped, options()));
    await sendEvent(t, inProcessPanic037(inProcess, options()));
    await sendEvent(t, strippedPanic037(hooked, options({ hooked: true })));

    const issues = await issuesOf(t);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      count: "3",
      title: "panic: failed printing to stdout: No space left on device (os error 28)",
      culprit: "main::main",
      metadata: { function: "main::main", filename: "main.rs" },
    });
    const events = await Promise.all([stripped, inProcess, hooked].map((id) => eventOf(t, id)));
    for (const event of events) {
      expect(event.groupID).toBe(issues[0]?.id);
      expect(event.culprit).toBe("main::main");
    }
    // Server-decided in-app: the same frames whoever symbolicated (the SDK's `<&dyn …>::call_once` is std's).
    expect(inAppFunctions(events[0]!)).toEqual(["<unknown>", "main", "main::main"]);
    expect(inAppFunctions(events[1]!)).toEqual(["<unknown>", "main", "main::main"]);
    // The hooked panic's own hook code above the machinery is the app's, yet it names nothing.
    expect(inAppFunctions(events[2]!).slice(0, 3)).toEqual(["<unknown>", "main", "main::main"]);
    expect(inAppFunctions(events[2]!)).toContain("main::outer::{{closure}}");
  });
});

describe("issues follow their latest event", () => {
  it("updates culprit, title, metadata and level from a newer event; the older event keeps its own", async () => {
    const t = await createTenant();
    await uploadDebugFile(t);
    const first = newEventId();
    const second = newEventId();
    const now = Date.now() / 1000;
    // One issue by fingerprint; the newer event raised elsewhere (the in-process twin's frames trimmed
    // after `main`), with another message and level.
    const older = {
      ...strippedPanic037(first, options({ timestamp: now - 60 })),
      fingerprint: ["stdout-full"],
    };
    const newer = {
      ...inProcessPanic037(second, options({ timestamp: now, message: "disk full" })),
      level: "error",
      fingerprint: ["stdout-full"],
    };
    const newerFrames = newer.exception.values[0]!.stacktrace.frames as { function?: string }[];
    newer.exception.values[0]!.stacktrace.frames = newerFrames.slice(
      0,
      newerFrames.findIndex((f) => f.function === "main") + 1,
    );
    await sendEvent(t, older);
    const [before] = await issuesOf(t);
    expect(before).toMatchObject({ culprit: "main::main", level: "fatal" });
    await sendEvent(t, newer);

    const [issue] = await issuesOf(t);
    expect(issue).toMatchObject({
      id: before?.id,
      count: "2",
      title: "panic: disk full",
      culprit: "main",
      level: "error",
      metadata: { value: "disk full", function: "main" },
    });
    expect(await issueOf(t, issue!.id)).toMatchObject({ culprit: "main", title: "panic: disk full" });
    // An event's own culprit and metadata are the event's, not its issue's.
    const olderEvent = await eventOf(t, first);
    expect(olderEvent.culprit).toBe("main::main");
    expect(olderEvent.metadata).toMatchObject({ function: "main::main" });
  });
});
