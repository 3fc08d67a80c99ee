// Starts one Faultline (`wrangler dev`) on a free port with its own state directory for the e2e run.
import { mkdtempSync, rmSync } from "node:fs";
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

export async function setup(project: TestProject): Promise<void> {
  persistTo = mkdtempSync(join(tmpdir(), "faultline-e2e-"));
  applyMigrations(persistTo);
  const defaults = ensureDefaults(persistTo, join(persistTo, "local.json"));
  const port = await freePort();
  server = await startDev({ port, persistTo, inspectorPort: 0 });
  project.provide("faultline", {
    ...defaults,
    port,
    persistTo,
    url: `http://127.0.0.1:${port}`,
    dsn: dsnFor(defaults, port),
  });
}

export async function teardown(): Promise<void> {
  stopDev(server);
  if (persistTo) rmSync(persistTo, { recursive: true, force: true });
}
