// Starts one Faultline (`wrangler dev`) on a free port with its own state directory for the e2e run.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import {
  applyMigrations,
  type DevServer,
  dsnFor,
  ensureDefaults,
  type LocalDefaults,
  startDev,
  stopDev,
} from "../../scripts/local-server.mjs";

export interface E2eServer extends LocalDefaults {
  url: string;
  dsn: string;
  port: number;
  persistTo: string;
  /** GET answers everything `wrangler dev` printed so far (e.g. where it stored a simulated e-mail). */
  logUrl: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    faultline: E2eServer;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

let server: DevServer | undefined;
let persistTo: string | undefined;
let logServer: Server | undefined;

export async function setup(project: TestProject): Promise<void> {
  persistTo = mkdtempSync(join(tmpdir(), "faultline-e2e-"));
  applyMigrations(persistTo);
  const defaults = ensureDefaults(persistTo, join(persistTo, "local.json"));
  const port = await freePort();
  const dev = await startDev({ port, persistTo, inspectorPort: 0 });
  server = dev;
  logServer = createHttpServer((_req, res) => res.end(dev.output()));
  const logPort = await freePort();
  await new Promise<void>((resolve) => logServer?.listen(logPort, "127.0.0.1", resolve));
  project.provide("faultline", {
    logUrl: `http://127.0.0.1:${logPort}/`,
    ...defaults,
    port,
    persistTo,
    url: `http://127.0.0.1:${port}`,
    dsn: dsnFor(defaults, port),
  });
}

export async function teardown(): Promise<void> {
  stopDev(server);
  logServer?.close();
  if (persistTo) rmSync(persistTo, { recursive: true, force: true });
}
