// Cloudflare's Workers Paid list prices for what Faultline meters (src/db/usage-ledger.ts), and the one
// conversion of metered usage to dollars. The meter prices every unit at the list price: the monthly
// allowances the plan includes (25 billion D1 rows read, 50 million rows written, 1 million DO
// requests, …) belong to the whole account, not to one project, so they are not subtracted here.
//
// Prices taken on PRICES_TAKEN from these pages:
//   D1       https://developers.cloudflare.com/d1/platform/pricing/
//   R2       https://developers.cloudflare.com/r2/pricing/                        (Standard storage class)
//   DO       https://developers.cloudflare.com/durable-objects/platform/pricing/
//   Queues   https://developers.cloudflare.com/queues/platform/pricing/
//   Workers  https://developers.cloudflare.com/workers/platform/pricing/

/** The day the prices below were read from the pages above (UTC). */
export const PRICES_TAKEN = "2026-12-04";

const MILLION = 1_000_000;
const GB = 1_000_000_000;

/** Dollars per unit, each named with its unit. */
export const PRICES = {
  /** D1: $0.001 per million rows read. */
  d1RowReadUsd: 0.001 / MILLION,
  /** D1: $1.00 per million rows written. */
  d1RowWrittenUsd: 1.0 / MILLION,
  /** D1: $0.75 per GB-month stored (not metered per project: one database holds every project). */
  d1StorageGbMonthUsd: 0.75,
  /** R2: $4.50 per million Class A operations (put, list, multipart create/upload/complete, copy). */
  r2ClassAUsd: 4.5 / MILLION,
  /** R2: $0.36 per million Class B operations (get, head). */
  r2ClassBUsd: 0.36 / MILLION,
  /** R2: $0.015 per GB-month of Standard storage. */
  r2StorageGbMonthUsd: 0.015,
  /** Durable Objects: $0.15 per million requests (each RPC call, fetch and alarm). */
  doRequestUsd: 0.15 / MILLION,
  /** Durable Objects: $12.50 per million GB-s of duration (wall clock while active). */
  doGbSecondUsd: 12.5 / MILLION,
  /** Queues: $0.40 per million operations (a write, a read and a delete per 64 KB message). */
  queueOperationUsd: 0.4 / MILLION,
  /** Workers: $0.30 per million requests. */
  workerRequestUsd: 0.3 / MILLION,
} as const;

/** Memory a Durable Object is billed for, whatever it uses: 128 MB (the DO pricing page). */
export const DO_BILLED_GB = 0.128;
/** Queue operations one delivered message of at most 64 KB costs: write, read, delete. */
export const QUEUE_OPERATIONS_PER_MESSAGE = 3;

/** What the meter counts, in platform units (one project and hour, or any sum of them). */
export interface PlatformUsage {
  d1RowsRead: number;
  d1RowsWritten: number;
  r2ClassA: number;
  r2ClassB: number;
  /** Bytes written to R2 (sizes of the objects put). */
  r2BytesPut: number;
  doRequests: number;
  /** Milliseconds the project's Durable Object was active (see docs/costs.md for how it is estimated). */
  doActiveMs: number;
  /** Messages sent to a Queue (alert deliveries). */
  queueMessages: number;
  workerRequests: number;
}

export const USAGE_FIELDS = [
  "d1RowsRead",
  "d1RowsWritten",
  "r2ClassA",
  "r2ClassB",
  "r2BytesPut",
  "doRequests",
  "doActiveMs",
  "queueMessages",
  "workerRequests",
] as const satisfies readonly (keyof PlatformUsage)[];

export function zeroUsage(): PlatformUsage {
  return {
    d1RowsRead: 0,
    d1RowsWritten: 0,
    r2ClassA: 0,
    r2ClassB: 0,
    r2BytesPut: 0,
    doRequests: 0,
    doActiveMs: 0,
    queueMessages: 0,
    workerRequests: 0,
  };
}

/** `into` plus `more`, field by field (mutates and returns `into`). */
export function addUsage(into: PlatformUsage, more: Partial<PlatformUsage>): PlatformUsage {
  for (const f of USAGE_FIELDS) into[f] += more[f] ?? 0;
  return into;
}

export function isZeroUsage(u: PlatformUsage): boolean {
  return USAGE_FIELDS.every((f) => u[f] === 0);
}

/** Dollars of one usage, per product and in total. */
export interface UsageCost {
  d1Usd: number;
  r2Usd: number;
  durableObjectsUsd: number;
  queuesUsd: number;
  workersUsd: number;
  totalUsd: number;
}

/**
 * Usage in dollars at the list prices. R2 bytes put are priced as one month of storage each (what a
 * byte kept for the month costs; retention shorter than a month makes it an upper bound).
 */
export function usageCost(u: PlatformUsage): UsageCost {
  const d1Usd = u.d1RowsRead * PRICES.d1RowReadUsd + u.d1RowsWritten * PRICES.d1RowWrittenUsd;
  const r2Usd =
    u.r2ClassA * PRICES.r2ClassAUsd +
    u.r2ClassB * PRICES.r2ClassBUsd +
    (u.r2BytesPut / GB) * PRICES.r2StorageGbMonthUsd;
  const durableObjectsUsd =
    u.doRequests * PRICES.doRequestUsd + (u.doActiveMs / 1000) * DO_BILLED_GB * PRICES.doGbSecondUsd;
  const queuesUsd = u.queueMessages * QUEUE_OPERATIONS_PER_MESSAGE * PRICES.queueOperationUsd;
  const workersUsd = u.workerRequests * PRICES.workerRequestUsd;
  return {
    d1Usd,
    r2Usd,
    durableObjectsUsd,
    queuesUsd,
    workersUsd,
    totalUsd: d1Usd + r2Usd + durableObjectsUsd + queuesUsd + workersUsd,
  };
}
