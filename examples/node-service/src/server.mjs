// A tiny orders service: `GET /orders/:id` looks an order up and prices it, `GET /health` answers ok.
// Order 17 is missing, so pricing it fails the way real code does (a property of undefined). Errors are
// captured with the request's user and a breadcrumb of what the handler was doing.
import { createServer } from "node:http";
import * as Sentry from "@sentry/node";

const ORDERS = new Map([
  [1, { id: 1, items: [{ sku: "tea", price: 4.5, quantity: 2 }] }],
  [2, { id: 2, items: [{ sku: "cake", price: 3, quantity: 1 }] }],
]);

function priceOrder(id) {
  Sentry.addBreadcrumb({ category: "orders", message: `loading order ${id}`, level: "info" });
  const order = ORDERS.get(id);
  // A missing order is not checked for: the bug the tests catch.
  return order.items.reduce((sum, item) => sum + item.price * item.quantity, 0);
}

function handle(request, response) {
  const url = new URL(request.url ?? "/", "http://localhost");
  const user = request.headers["x-user-id"];
  if (typeof user === "string") Sentry.setUser({ id: user });
  const match = /^\/orders\/(\d+)$/.exec(url.pathname);
  try {
    if (url.pathname === "/health") return send(response, 200, { ok: true });
    if (match) return send(response, 200, { total: priceOrder(Number(match[1])) });
    return send(response, 404, { error: "not found" });
  } catch (error) {
    Sentry.captureException(error);
    return send(response, 500, { error: "internal error" });
  }
}

function send(response, status, body) {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

/** The service's HTTP server (not listening yet); every request gets its own Sentry scope. */
export function createApp() {
  return createServer((request, response) => Sentry.withIsolationScope(() => handle(request, response)));
}

/** Listens on a free port; answers the base URL and a close function. */
export async function listen() {
  const server = createApp();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
