// An orders Worker reporting to Sentry with @sentry/cloudflare: every request is traced, and an
// exception that escapes the handler is captured (with the request's trace) before the runtime answers 500.
import * as Sentry from "@sentry/cloudflare";

export interface Env {
  SENTRY_DSN: string;
}

const handler = {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") return Response.json({ ok: true });
    const match = /^\/orders\/(\d+)$/.exec(url.pathname);
    if (match) {
      Sentry.addBreadcrumb({ category: "orders", message: `loading order ${match[1]}` });
      // Stands in for a storage lookup that finds nothing.
      throw new Error(`order ${match[1]} not found`);
    }
    return new Response("not found", { status: 404 });
  },
} satisfies ExportedHandler<Env>;

export default Sentry.withSentry(
  (env: Env) => ({ dsn: env.SENTRY_DSN, release: "orders-worker@2.0.0", tracesSampleRate: 1 }),
  handler,
);
