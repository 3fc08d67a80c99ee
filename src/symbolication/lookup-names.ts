// The function names a build window needs from one compilation unit (lookup-build.ts), resolved in
// rounds of batched loads rather than one read per name.
import type { BlockedSection } from "./dwarf/blocked-section.ts";
import {
  type DwarfReader,
  type FunctionName,
  NeedBlocks,
  NeedUnit,
  type UnitDebugInfo,
  withLoadedUnits,
} from "./dwarf/reader.ts";

/** Rounds of loads without a new name before resolveNames falls back to one name at a time. */
const MAX_STALLED_ROUNDS = 64;

/**
 * Names of the functions a window needs from a unit: those with a range in the window and their
 * callers. Names may come from other units (LTO) and from blocked string sections: each pass
 * resolves what it can and collects what is missing, which is then loaded at once (blocks in
 * parallel) before the next pass, so a unit costs a few rounds of reads rather than one per name.
 */
export async function resolveNames(
  reader: DwarfReader,
  unit: UnitDebugInfo,
  windowStart: number,
  windowEnd: number,
  loadAddress: number,
): Promise<Map<number, FunctionName>> {
  const records = unit.functions;
  const wanted = new Uint8Array(records.length);
  const from = windowStart + loadAddress;
  const to = windowEnd + loadAddress;
  for (let index = 0; index < records.length; index++) {
    let inWindow = false;
    for (let k = 0; k < records.rangeCount(index) && !inWindow; k++) {
      inWindow = records.rangeStart(index, k) < to && records.rangeEnd(index, k) > from;
    }
    for (let at = inWindow ? index : -1; at >= 0 && wanted[at] === 0; at = records.parent(at)) {
      wanted[at] = 1;
    }
  }
  const names = new Map<number, FunctionName>();
  let pending: number[] = [];
  for (let index = 0; index < records.length; index++) {
    const offset = records.dieOffset(index);
    if (wanted[index] === 0 || names.has(offset)) continue;
    try {
      names.set(offset, reader.functionName(offset));
    } catch (error) {
      if (!(error instanceof NeedUnit) && !(error instanceof NeedBlocks)) throw error;
      pending.push(offset);
    }
  }
  for (let stalled = 0; pending.length > 0; ) {
    const resolved = names.size;
    const blocks = new Map<BlockedSection, Set<number>>();
    let unitNeeded: NeedUnit | undefined;
    let full = false;
    const retry: number[] = [];
    for (const offset of pending) {
      if (names.has(offset)) continue;
      if (full) {
        retry.push(offset);
        continue;
      }
      try {
        names.set(offset, reader.functionName(offset));
      } catch (error) {
        if (error instanceof NeedUnit) {
          unitNeeded ??= error;
          full = true;
        } else if (error instanceof NeedBlocks) {
          const set = blocks.get(error.section) ?? new Set<number>();
          blocks.set(error.section, set);
          for (const block of error.blocks) set.add(block);
          // Half the cache per round, so what a name needs from earlier rounds stays loaded.
          full = set.size >= error.section.maxBlocks / 2;
        } else {
          throw error;
        }
        retry.push(offset);
      }
    }
    if (retry.length === 0) break;
    if (unitNeeded) await reader.load(unitNeeded.header, unitNeeded.line);
    await Promise.all([...blocks].map(([section, set]) => section.load([...set])));
    stalled = names.size === resolved ? stalled + 1 : 0;
    if (stalled > MAX_STALLED_ROUNDS) {
      // Names that need more than the caches hold at once: one by one, loading as needed.
      for (const offset of retry)
        names.set(offset, await withLoadedUnits(reader, () => reader.functionName(offset)));
      break;
    }
    pending = retry;
  }
  return names;
}
