// The Worker half of ingest for a project's public key, as the ingest route runs it: what the project's
// object then receives. For the fault Worker's hot-project run and for the tests that hand a prepared
// batch to the object themselves.
import type { Env } from "../../src/env.ts";
import { type PreparedEnvelope, prepareEnvelope } from "../../src/ingest/prepare.ts";
import { resolveProjectKey } from "../../src/ingest/project-keys.ts";
import { parseEnvelope } from "../../src/protocol/envelope.ts";

export async function prepareForKey(
  env: Pick<Env, "DB" | "BLOBS">,
  publicKey: string,
  projectId: number,
  body: Uint8Array,
): Promise<PreparedEnvelope> {
  const { scrubbing, filters, ...key } = await resolveProjectKey(env.DB, publicKey, projectId);
  return prepareEnvelope(parseEnvelope(body), {
    key,
    scrubbing,
    filters,
    receivedAt: Date.now() / 1000,
    clientIp: undefined,
    blobs: env.BLOBS,
    db: env.DB,
  });
}
