// The fault Worker's seams for a tenant (test/faults/worker.ts): its project object with the test-only
// methods (faults, spool caps, crash), and D1 faults set for the Worker and the object at once.
import { env, exports } from "cloudflare:workers";
import type { D1Faults } from "../faults/faulty-d1.ts";
import type { ProjectDO as FaultsProjectDO } from "../faults/worker.ts";
import type { Tenant } from "./helpers.ts";

export const stubOf = (t: Tenant) => {
  const ns = env.PROJECTS as unknown as DurableObjectNamespace<FaultsProjectDO>;
  return ns.get(ns.idFromName(String(t.projectId)));
};

/** Sets the faults for the Worker and for the tenant's object (the same module state when shared). */
export async function setFaults(t: Tenant, faults: D1Faults): Promise<void> {
  await exports.default.fetch(
    new Request("http://faultline.test/__faults", { method: "POST", body: JSON.stringify(faults) }),
  );
  await stubOf(t).setD1Faults(faults);
}
