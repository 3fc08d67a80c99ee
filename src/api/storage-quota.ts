// The organization's storage quota as the usage API shows and takes it (docs/retention.md): stored
// bytes (all its projects, as the stored-bytes counter measures them), the quota, and whether ingest is
// refused for it. `PUT /api/0/organizations/{org}/usage/` takes `storageQuotaBytes` (bytes, or null for
// the default). Parsing and the JSON are pure; loading reads D1.
import { shardDb } from "../db/shards.ts";
import { readStorageState, type StorageState } from "../db/storage-usage.ts";
import type { Env } from "../env.ts";
import { badRequest } from "../errors.ts";
import { MAX_STORAGE_QUOTA_BYTES } from "../limits.ts";

export interface StorageJson {
  usedBytes: number;
  quotaBytes: number;
  /** True while no admin set a quota of the organization's own. */
  defaultQuota: boolean;
  /** "over_quota" once the stored bytes reach the quota: ingest answers 429 `storage_quota`. */
  state: "ok" | "over_quota";
}

export function storageJson(state: StorageState): StorageJson {
  return {
    usedBytes: state.usedBytes,
    quotaBytes: state.quotaBytes,
    defaultQuota: state.customQuotaBytes === null,
    state: state.usedBytes >= state.quotaBytes ? "over_quota" : "ok",
  };
}

export async function loadStorage(env: Env, org: { id: number; shard: string }): Promise<StorageJson> {
  return storageJson(await readStorageState(shardDb(env, org.shard), env.DB, org.id));
}

/** A quota in whole bytes (a number or numeric string), null or "" for the default; a 400 otherwise. */
export function parseStorageQuota(value: unknown, name: string): number | null {
  if (value === null || value === "") return null;
  const bytes = typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (
    typeof bytes !== "number" ||
    !Number.isSafeInteger(bytes) ||
    bytes < 0 ||
    bytes > MAX_STORAGE_QUOTA_BYTES
  )
    throw badRequest(
      `${name}: a whole number of bytes from 0 to ${MAX_STORAGE_QUOTA_BYTES}, or null for the default`,
    );
  return bytes;
}
