// A parser written once as a generator that yields the byte ranges it needs, then driven either
// synchronously over bytes in memory or asynchronously over a ByteSource (R2 ranged reads).
import { type ByteSource, checkRange } from "./byte-source.ts";

export interface ReadRequest {
  offset: number;
  length: number;
  /** What is being read, for error messages. */
  what: string;
}

/** Yields read requests, receives the bytes, returns the parsed value. */
export type ReadPlan<T> = Generator<ReadRequest, T, Uint8Array>;

export function runPlanSync<T>(plan: ReadPlan<T>, bytes: Uint8Array): T {
  let step = plan.next();
  while (!step.done) {
    const { offset, length, what } = step.value;
    checkRange(bytes.byteLength, offset, length, what);
    step = plan.next(bytes.subarray(offset, offset + length));
  }
  return step.value;
}

export async function runPlan<T>(plan: ReadPlan<T>, source: ByteSource): Promise<T> {
  let step = plan.next();
  while (!step.done) {
    const { offset, length, what } = step.value;
    checkRange(source.size, offset, length, what);
    step = plan.next(await source.read(offset, length));
  }
  return step.value;
}
