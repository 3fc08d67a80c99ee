// The sink runs in Node, beside the workerd that runs the tests: started once for the run, its DSN bound
// into the Worker under test (vitest.config.mts) and its connection provided to the tests, which reach
// it by URL with faultline/testing/client.
import { type FaultlineConnection, type FaultlineSink, startFaultline } from "faultline/testing";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    faultline: FaultlineConnection;
  }
}

let sink: FaultlineSink | undefined;

export async function setup(project: TestProject): Promise<void> {
  sink = await startFaultline({ report: true });
  project.provide("faultline", sink.connection);
}

export async function teardown(): Promise<void> {
  await sink?.close();
}
