// The page the browser e2e tests load: test/e2e/clients/browser-app.js bundled with esbuild (as a
// bundler would ship @sentry/browser) and served on a free port from an origin other than Faultline's.
// `?dsn=` picks the project the page reports to.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { build } from "esbuild";
import { ROOT } from "../../scripts/local-server.mjs";

export interface ServedPage {
  /** `http://<host>:<port>` */
  origin: string;
  close(): Promise<void>;
}

export async function servePage(defaultDsn: string, host = "localhost"): Promise<ServedPage> {
  const bundle = await build({
    entryPoints: [join(ROOT, "test/e2e/clients/browser-app.js")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  const script = bundle.outputFiles[0]?.text ?? "";
  const page = `<!doctype html><html><head><title>shop</title>
<script>window.FAULTLINE_DSN = new URLSearchParams(location.search).get("dsn") || ${JSON.stringify(defaultDsn)};</script>
<script type="module" src="/app.js"></script></head>
<body><button id="work">Load order</button><button id="boom">Check out</button></body></html>`;
  const http: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://page").pathname;
    if (path === "/app.js") {
      res.writeHead(200, { "content-type": "text/javascript" }).end(script);
    } else if (path.startsWith("/api/order")) {
      res.writeHead(200, { "content-type": "application/json" }).end('{"order":17}');
    } else {
      res.writeHead(200, { "content-type": "text/html" }).end(page);
    }
  });
  await new Promise<void>((resolve) => http.listen(0, host, resolve));
  return {
    origin: `http://${host}:${(http.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}
