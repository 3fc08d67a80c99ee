// A real local HTTP receiver for alert deliveries (integration and e2e tests): it answers by path and
// records every request it gets, so a test asks it what arrived.
//   POST /ok/<name>            200
//   POST /fail/<n>/<name>      500 for the first n requests of <name>, then 200
//   POST /status/<code>/<name> <code>
//   POST /hang/<name>          never answers in time (the sender's timeout)
//   GET  /__received/<name>    the recorded requests of <name>: [{ path, headers, body, at }]
import { createServer } from "node:http";

/** Starts the receiver on 127.0.0.1 (a free port); answers its base URL and a close function. */
export async function startReceiver() {
  const received = new Map();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://receiver");
    const parts = url.pathname.split("/").filter(Boolean);
    if (req.method === "GET" && parts[0] === "__received") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(received.get(parts.slice(1).join("/")) ?? []));
      return;
    }
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const name = parts.slice(parts[0] === "ok" || parts[0] === "hang" ? 1 : 2).join("/");
      const list = received.get(name) ?? [];
      list.push({
        path: url.pathname,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
      });
      received.set(name, list);
      if (parts[0] === "hang") return; // the socket is left open until the sender gives up
      let status = 200;
      if (parts[0] === "fail") status = list.length <= Number(parts[1]) ? 500 : 200;
      if (parts[0] === "status") status = Number(parts[1]);
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(status < 300 ? "ok" : "nope");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}
