// OpenTelemetry in: the real OpenTelemetry JS SDK and its OTLP/HTTP exporters (protobuf and JSON, gzip
// on and off) against `wrangler dev`, read back through the REST API (trace, trace search, the events
// API's spans and logs datasets) and in chromium (logs explorer, trace search, the trace page with OTLP
// and Sentry SDK spans, the event's trace links). Bad input gets a clear status and loses nothing else.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { context, SpanKind, trace } from "@opentelemetry/api";
import { ProtobufTraceSerializer } from "@opentelemetry/otlp-transformer";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ROOT, sqlLocal } from "../../scripts/local-server.mjs";
import { apiClient } from "./api-client.ts";
import { launchChromium, signedInPage } from "./chromium.ts";
import { waitForSpool } from "./spool-wait.ts";
import { traceIdLiteral } from "./trace-id-sql.ts";

const server = inject("faultline");
const api = apiClient(server);
const sql = (command: string) => sqlLocal(server.persistTo, command);
const org = server.orgSlug;
const ARTIFACTS = join(ROOT, "test/e2e/artifacts");

interface Run {
  traceId: string;
  rootSpanId: string;
  dbSpanId: string;
  errorEventId?: string;
  tag: string;
}

function runOtelApp(
  protocol: "protobuf" | "json",
  compression: "gzip" | "none",
  extra: Record<string, string> = {},
): Run {
  const tag = `${protocol}-${compression}-${randomBytes(3).toString("hex")}`;
  const out = execFileSync(process.execPath, [join(ROOT, "test/e2e/clients/otel-app.mjs")], {
    env: {
      ...process.env,
      SENTRY_DSN: server.dsn,
      OTLP_PROTOCOL: protocol,
      OTLP_COMPRESSION: compression,
      RUN_TAG: tag,
      ...extra,
    },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { ...(JSON.parse(out.trim().split("\n").pop() ?? "{}") as Omit<Run, "tag">), tag };
}

function otlpUrl(signal: "traces" | "logs"): string {
  const dsn = new URL(server.dsn);
  return `${server.url}/api${dsn.pathname}/integration/otlp/v1/${signal}`;
}

const auth = () => ({ "x-sentry-auth": `sentry sentry_key=${new URL(server.dsn).username}` });

/** Spans made by the real SDK and serialized by the exporters' own protobuf serializer. */
function manySpans(
  count: number,
  attributes: Record<string, string> = {},
  withException = false,
): { spans: ReadableSpan[]; traceId: string } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": "bulk" }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("bulk");
  const root = tracer.startSpan("bulk root", { kind: SpanKind.SERVER });
  const traceId = root.spanContext().traceId;
  const parent = { traceId, spanId: root.spanContext().spanId, traceFlags: 1, isRemote: true };
  // The parent passed explicitly: no context manager is registered in the test process.
  const parentContext = trace.setSpanContext(context.active(), parent);
  for (let i = 1; i < count; i += 1) tracer.startSpan(`bulk child ${i}`, { attributes }, parentContext).end();
  if (withException) root.recordException(new RangeError("bulk index out of range"));
  root.end();
  return { spans: exporter.getFinishedSpans(), traceId };
}

async function postSpans(spans: ReadableSpan[]): Promise<Response> {
  const body = ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array;
  return fetch(otlpUrl("traces"), {
    method: "POST",
    headers: { ...auth(), "content-type": "application/x-protobuf" },
    body,
  });
}

describe("OTLP/HTTP from the OpenTelemetry JS exporters", () => {
  const runs: Record<string, Run> = {};

  beforeAll(async () => {
    runs.protoPlain = runOtelApp("protobuf", "none");
    runs.protoGzip = runOtelApp("protobuf", "gzip");
    runs.jsonPlain = runOtelApp("json", "none");
    runs.jsonGzip = runOtelApp("json", "gzip", { SENTRY_ERROR: "1" });
    await waitForSpool(server);
  });

  it.each(["protoPlain", "protoGzip", "jsonPlain", "jsonGzip"])(
    "stores the spans of the %s run as a trace",
    async (name) => {
      const run = runs[name] as Run;
      const { status, body } = await api<
        {
          span_id: string;
          op: string;
          status: string;
          name: string;
          release: string;
          environment: string;
          additional_attributes: Record<string, unknown>;
          children: {
            span_id: string;
            op: string;
            status: string;
            additional_attributes: Record<string, unknown>;
          }[];
        }[]
      >("GET", `/organizations/${org}/trace/${run.traceId}/`);
      expect(status).toBe(200);
      const root = body.find((node) => node.span_id === run.rootSpanId);
      expect(root).toMatchObject({
        name: `POST /checkout ${run.tag}`,
        op: "http.server",
        status: "ok",
        release: "checkout@2.4.0",
        environment: "staging",
      });
      expect(root?.additional_attributes).toMatchObject({
        "service.name": "checkout",
        "http.request.method": "POST",
        "run.tag": run.tag,
      });
      const db = root?.children.find((child) => child.span_id === run.dbSpanId);
      expect(db).toMatchObject({ op: "db", status: "error" });
      expect(db?.additional_attributes["otel.events"]).toEqual([
        expect.objectContaining({
          name: "exception",
          attributes: {
            "exception.type": "PaymentDeclined",
            "exception.message": `card declined ${run.tag}`,
          },
        }),
      ]);
    },
  );

  it.each(["protoPlain", "protoGzip", "jsonPlain", "jsonGzip"])(
    "stores the log records of the %s run with level, trace and span",
    async (name) => {
      const run = runs[name] as Run;
      const query = encodeURIComponent(`run.tag:${run.tag}`);
      const { status, body } = await api<{ data: Record<string, unknown>[] }>(
        "GET",
        `/organizations/${org}/events/?dataset=logs&field=message&field=severity&field=trace&field=span_id&field=release&field=environment&query=${query}&sort=timestamp`,
      );
      expect(status).toBe(200);
      expect(body.data).toEqual([
        {
          message: `cart lookup slow ${run.tag}`,
          severity: "warn",
          trace: run.traceId,
          span_id: run.dbSpanId,
          release: "checkout@2.4.0",
          environment: "staging",
        },
        {
          message: `checkout done ${run.tag}`,
          severity: "info",
          trace: run.traceId,
          span_id: run.rootSpanId,
          release: "checkout@2.4.0",
          environment: "staging",
        },
      ]);
    },
  );

  it("shows OTLP spans, the Sentry SDK's transaction and its error as one trace", async () => {
    const run = runs.jsonGzip as Run;
    const meta = await api<{ errors: number; span_count: number; transactions: number }>(
      "GET",
      `/organizations/${org}/trace-meta/${run.traceId}/`,
    );
    // The Sentry SDK's error and the OTLP span's exception event.
    expect(meta.body).toMatchObject({ errors: 2, span_count: 3, transactions: 2 });
    const spans = await api<{ data: { "span.name": string; parent_span: string | null }[] }>(
      "GET",
      `/organizations/${org}/events/?dataset=spans&field=span.name&field=parent_span&query=trace:${run.traceId}&sort=span.name`,
    );
    const sentrySpan = spans.body.data.find((s) => s["span.name"] === `charge card ${run.tag}`);
    expect(sentrySpan?.parent_span).toBe(run.rootSpanId);
    const error = await api<{ contexts: { trace: { trace_id: string } } }>(
      "GET",
      `/projects/${org}/${server.projectSlug}/events/${run.errorEventId}/`,
    );
    expect(error.body.contexts.trace.trace_id).toBe(run.traceId);
  });

  it("turns an OTLP exception span event into an issue linked to its trace and span, once per retry", async () => {
    const run = runs.protoPlain as Run;
    const rows = sql(
      `SELECT e.event_id, lower(hex(e.trace_id)) AS trace_id, i.title, i.times_seen FROM events e JOIN issues i ON i.id = e.issue_id WHERE e.trace_id = ${traceIdLiteral(run.traceId)} AND e.type <> 'transaction'`,
    );
    expect(rows).toEqual([
      expect.objectContaining({ trace_id: run.traceId, title: `PaymentDeclined: card declined ${run.tag}` }),
    ]);
    const { body } = await api<{ contexts: { trace: { span_id: string } } }>(
      "GET",
      `/projects/${org}/${server.projectSlug}/events/${String(rows[0]?.event_id)}/`,
    );
    expect(body.contexts.trace.span_id).toBe(run.dbSpanId);

    const { spans, traceId } = manySpans(2, {}, true);
    for (let attempt = 0; attempt < 2; attempt += 1) expect((await postSpans(spans)).status).toBe(200);
    await waitForSpool(server);
    expect(sql(`SELECT COUNT(*) AS n FROM events WHERE trace_id = ${traceIdLiteral(traceId)}`)).toEqual([
      { n: 1 },
    ]);
    expect(sql(`SELECT COUNT(*) AS n FROM spans WHERE trace_id = '${traceId}'`)).toEqual([{ n: 2 }]);
  });

  it("finds traces by name, op, duration, status, release and environment", async () => {
    const run = runs.protoGzip as Run;
    const search = async (query: string) =>
      (
        await api<{ data: { trace: string; numSpans: number; name: string }[] }>(
          "GET",
          `/organizations/${org}/traces/?query=${encodeURIComponent(query)}`,
        )
      ).body.data;
    expect((await search(`transaction:"POST /checkout ${run.tag}"`)).map((t) => t.trace)).toEqual([
      run.traceId,
    ]);
    expect(
      (
        await search(
          `${run.tag} op:http.server status:ok release:checkout@2.4.0 environment:staging duration:>0ms`,
        )
      ).map((t) => t.trace),
    ).toEqual([run.traceId]);
    expect(await search(`${run.tag} duration:>10m`)).toEqual([]);
    expect(await search(`${run.tag} environment:production`)).toEqual([]);
    expect((await search(`trace:${run.traceId}`))[0]).toMatchObject({
      numSpans: 2,
      name: `POST /checkout ${run.tag}`,
    });
    const bad = await api<{ detail: string }>("GET", `/organizations/${org}/traces/?query=colour:red`);
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain("colour");
  });

  it("answers 415 to another content type and 400 to truncated protobuf, and keeps the next request", async () => {
    const wrongType = await fetch(otlpUrl("traces"), {
      method: "POST",
      headers: { ...auth(), "content-type": "text/plain" },
      body: "hello",
    });
    expect(wrongType.status).toBe(415);
    expect(((await wrongType.json()) as { detail: string }).detail).toContain("application/x-protobuf");
    const { spans, traceId } = manySpans(3);
    const bytes = ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array;
    const truncated = await fetch(otlpUrl("traces"), {
      method: "POST",
      headers: { ...auth(), "content-type": "application/x-protobuf" },
      body: bytes.subarray(0, bytes.length - 9),
    });
    expect(truncated.status).toBe(400);
    expect(((await truncated.json()) as { detail: string }).detail).toContain("protobuf");
    const unauthenticated = await fetch(otlpUrl("traces"), {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: bytes,
    });
    expect(unauthenticated.status).toBe(401);
    const good = await postSpans(spans);
    expect(good.status).toBe(200);
    await waitForSpool(server);
    expect(sql(`SELECT COUNT(*) AS n FROM spans WHERE trace_id = '${traceId}'`)).toEqual([{ n: 3 }]);
  });

  it("keeps spans with oversized attributes, their values cut to the attribute bound", async () => {
    const { spans, traceId } = manySpans(2, { "big.value": "x".repeat(200_000) });
    const res = await postSpans(spans);
    expect(res.status).toBe(200);
    await waitForSpool(server);
    const rows = sql(
      `SELECT length(json_extract(attributes, '$."big.value"')) AS n FROM spans WHERE trace_id = '${traceId}' AND parent_span_id IS NOT NULL`,
    );
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]?.n)).toBeLessThanOrEqual(8192);
  });

  it("stores 10,000 spans from one request and answers the ones past the cap as rejected", async () => {
    const { spans, traceId } = manySpans(10_005);
    const res = await postSpans(spans);
    expect(res.status).toBe(200);
    const answer = ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await res.arrayBuffer()));
    expect(Number(answer.partialSuccess?.rejectedSpans)).toBe(5);
    expect(answer.partialSuccess?.errorMessage).toContain("5 spans");
    await waitForSpool(server, 120_000);
    expect(sql(`SELECT COUNT(*) AS n FROM spans WHERE trace_id = '${traceId}'`)).toEqual([{ n: 10_000 }]);
  });

  describe("in chromium", () => {
    let browser: Browser;
    let page: Page;
    const mainText = async (): Promise<string> => (await page.locator("main").textContent()) ?? "";
    const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

    beforeAll(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      browser = await launchChromium();
      page = await signedInPage(browser, server);
    });

    afterAll(async () => {
      await browser?.close();
    });

    it("filters the logs explorer by text and level, and a row links to its trace", async () => {
      const run = runs.protoPlain as Run;
      await page.goto(`${server.url}/organizations/${org}/`);
      await page.getByRole("link", { name: "Logs" }).click();
      await page.getByLabel("Search").fill(run.tag);
      await page.locator('select[name="level"]').selectOption("warn");
      await page.getByRole("button", { name: "Apply" }).click();
      await page.waitForURL(/level=warn/);
      const rows = page.getByRole("table", { name: "Log records" }).locator("tbody tr");
      expect(await rows.count()).toBe(1);
      expect(await rows.first().textContent()).toContain(`cart lookup slow ${run.tag}`);
      expect(await page.locator("svg.stacked rect.s-warn").count()).toBeGreaterThan(0);
      await rows.first().locator("summary").click();
      expect(await rows.first().textContent()).toContain("cart.id");
      await shot("logs-explorer");
      await rows.first().getByRole("link", { name: "This trace", exact: true }).click();
      await page.waitForURL(new RegExp(`/performance/trace/${run.traceId}/`));
      expect(await mainText()).toContain("SELECT carts");
    });

    it("searches traces and opens one with OTLP and Sentry SDK spans, attributes and span events", async () => {
      const run = runs.jsonGzip as Run;
      await page.goto(`${server.url}/organizations/${org}/explore/traces/`);
      await page.getByLabel("Transaction / root span").fill(run.tag);
      await page.getByLabel("Op").fill("http.server");
      await page.getByRole("button", { name: "Search" }).click();
      await page.waitForURL(/op=http.server/);
      const results = page.getByRole("table", { name: "Traces" }).locator("tbody tr");
      expect(await results.count()).toBe(1);
      await shot("trace-search");
      await page.getByRole("link", { name: `POST /checkout ${run.tag}` }).click();
      await page.waitForURL(new RegExp(`/performance/trace/${run.traceId}/`));
      const text = await mainText();
      for (const name of [
        `POST /checkout ${run.tag}`,
        "SELECT carts",
        `charge card ${run.tag}`,
        `Error: payment failed ${run.tag}`,
      ])
        expect(text).toContain(name);
      const db = page.locator(`details[data-span-id="${run.dbSpanId}"]`);
      await db.locator("summary").click();
      const details = (await db.textContent()) ?? "";
      expect(details).toContain("db.system.name");
      expect(details).toContain("PaymentDeclined");
      await shot("trace-otlp");
      await page.getByRole("link", { name: "Logs of this trace" }).click();
      expect(await page.getByRole("table", { name: "Log records" }).locator("tbody tr").count()).toBe(2);
    });

    it("links the Sentry error's event to this trace and to the logs of this trace", async () => {
      const run = runs.jsonGzip as Run;
      const [row] = sql(`SELECT issue_id FROM events WHERE event_id = '${run.errorEventId}'`);
      await page.goto(
        `${server.url}/organizations/${org}/issues/${row?.issue_id}/events/${run.errorEventId}/`,
      );
      await page.getByRole("link", { name: "Logs of this trace" }).click();
      const rows = page.getByRole("table", { name: "Log records" }).locator("tbody tr");
      expect(await rows.count()).toBe(2);
      await page.goBack();
      await page.getByRole("link", { name: /This trace/ }).click();
      await page.waitForURL(new RegExp(`/performance/trace/${run.traceId}/`));
    });
  });
});
