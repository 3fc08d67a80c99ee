// `startFaultline()`: Faultline's own Worker and Durable Object, run in this process through Miniflare's
// API (no wrangler, no child `wrangler dev`, no fixed port), on a free port of 127.0.0.1. State is in
// memory unless `persist` names a directory, laid out as `npm start` lays out FAULTLINE_STATE_DIR
// (`<dir>/state`, `<dir>/faultline-local.json`), so either can open what the other left. Migrations are
// applied and the default organization, project, DSN key and token created by the same steps as
// `npm start` (scripts/default-tenant.mjs), through the sink Worker's setup route (worker/sink-worker.ts).
// Returns the helpers of client.ts with `close()`.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { convertV4MiniflareOptions, Miniflare, type V4MiniflareOptions } from "miniflare";
import { defaultTenantSteps, readStoredToken, runSteps, storeToken } from "../scripts/default-tenant.mjs";
import { connectFaultline } from "./client.js";
import { applyMigrations, sqlOverHttp } from "./migrations.js";
import type { FaultlineClient, FaultlineConnection } from "./types.js";
import { loadSinkWorker } from "./worker-files.js";

export interface StartOptions {
  /**
   * Keep state in this directory (created if missing) instead of memory: a later start, or
   * `FAULTLINE_STATE_DIR=<dir> npm start` in a Faultline checkout, finds it again.
   */
  persist?: string;
  /** 127.0.0.1 unless given (`0.0.0.0` to reach the sink from a container or another machine). */
  host?: string;
  /** A free port unless given. */
  port?: number;
  /** Print a summary (issues, counts, drops) on close: to stdout, or to this function. */
  report?: boolean | ((summary: string) => void);
  /** Pass the Worker's own console output (workerd's stdout and stderr) to this process's stderr. */
  log?: boolean;
}

export interface FaultlineSink extends FaultlineClient {
  /** url, dsn, authToken, org, project: plain data for `provide()`, a child process or a browser. */
  connection: FaultlineConnection;
  /** The default project's numeric id (the DSN's path). */
  projectId: number;
  /** Prints the report when asked, then stops the Worker; state in memory is gone. */
  close(): Promise<void>;
}

/** workerd's output, one structured log line at a time: to stderr when asked, otherwise dropped. */
function runtimeOutput(log: boolean) {
  return ({ message }: { message: string }) => {
    if (log) process.stderr.write(`${message}\n`);
  };
}

export async function startFaultline(options: StartOptions = {}): Promise<FaultlineSink> {
  const worker = loadSinkWorker();
  const host = options.host ?? "127.0.0.1";
  const secret = randomBytes(24).toString("hex");
  const bindings = (worker.options.bindings ?? {}) as Record<string, unknown>;
  // Miniflare 5 takes its own option shape; wrangler derives wrangler.toml's bindings in the v4 shape
  // (worker-files.ts) and converts them the same way for `wrangler dev`.
  const v4Options = {
    // The bindings of wrangler.toml, as wrangler dev has them (worker-files.ts); generated at build time.
    ...worker.options,
    name: worker.name,
    // Listed, not discovered: Miniflare would otherwise parse the whole bundle for its imports (~0.7 s).
    modules: worker.modules.map((m) => ({ type: m.type, path: join(worker.dir, m.path) })),
    modulesRoot: worker.dir,
    bindings: { ...bindings, FAULTLINE_SINK_SECRET: secret },
    host,
    port: options.port ?? 0,
    // wrangler dev's layout under --persist-to: <state>/v3/{d1,r2,do,…}.
    ...(options.persist ? { resourcePersistencePath: join(options.persist, "state", "v3") } : {}),
    handleStructuredLogs: runtimeOutput(options.log === true),
  } as V4MiniflareOptions;
  const mf = new Miniflare(convertV4MiniflareOptions(v4Options));
  try {
    const ready = await mf.ready;
    const run = sqlOverHttp(ready.origin, secret);
    // Every D1 binding gets every migration: the control plane and each event shard (docs/scaling.md).
    for (const binding of worker.migratedBindings ?? ["DB"])
      await applyMigrations(run, worker.migrations, binding);
    const stateFile = options.persist ? join(options.persist, "faultline-local.json") : null;
    const steps = defaultTenantSteps({
      storedToken: stateFile ? readStoredToken(stateFile) : undefined,
      // The web UI password is npm start's to print; a later `npm start` on this state sets it.
      withPassword: false,
    });
    const tenant = await runSteps(steps, (statements) => run(statements.map((sql) => ({ sql }))));
    if (stateFile && tenant.tokenCreated) storeToken(stateFile, tenant.token);

    const url = ready.origin;
    const connection: FaultlineConnection = {
      url,
      dsn: `${ready.protocol}//${tenant.publicKey}@${ready.host}/${tenant.projectId}`,
      authToken: tenant.token,
      org: tenant.orgSlug,
      project: tenant.projectSlug,
    };
    const client = connectFaultline(connection);
    let closing: Promise<void> | null = null;
    const close = async () => {
      if (options.report) {
        const print = typeof options.report === "function" ? options.report : console.log;
        print(await client.summary().catch((error: unknown) => `Faultline sink: no summary (${error})`));
      }
      await mf.dispose();
    };
    return {
      ...client,
      connection,
      projectId: tenant.projectId,
      close: () => {
        closing ??= close();
        return closing;
      },
    };
  } catch (error) {
    await mf.dispose().catch(() => {});
    throw error;
  }
}
