// Stack walking of one minidump thread, Breakpad's way: the context frame, then for each caller the
// first method that works of CFI (the module's uploaded unwind table), frame-pointer chasing, and
// stack scanning (a stack word that points into a module's code, one past a call). Each frame keeps
// how it was found (Sentry's `trust`: context, cfi, fp, scan). Memory reads are limited to the
// thread's own stack, as Breakpad does, so a walk never wanders into unrelated memory.
import { type CfiTable, findRange, RULE, rulesAt } from "./cfi-table.ts";
import { CALLEE_SAVED, type CpuArch, type CpuContext, DWARF_REGISTERS, FP, PC, SP } from "./context.ts";
import { evaluateExpression } from "./dwarf-expression.ts";
import type { MemoryRegion, MinidumpModule } from "./reader.ts";

export type FrameTrust = "context" | "cfi" | "fp" | "scan";

export interface WalkedFrame {
  /** The instruction address (for callers: the return address). */
  pc: number;
  trust: FrameTrust;
  /** Registers known in this frame. */
  registers: Map<string, number>;
}

export interface WalkLimits {
  maxFrames: number;
  /** Frames found by scanning after which scanning stops (Breakpad's max_frames_scanned). */
  maxScannedFrames: number;
}

/** Scan window in words: Breakpad's kRASearchWords, four times that below the context frame. */
const SCAN_WORDS = 40;

export interface ModuleMap {
  modules: readonly MinidumpModule[];
  /** CFI table per module index, when its debug file has one. */
  tables: ReadonlyMap<number, CfiTable>;
}

/** Index of the module containing an address (modules sorted by base), or -1. */
export function moduleIndexAt(map: ModuleMap, address: number): number {
  const modules = map.modules;
  let lo = 0;
  let hi = modules.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = modules[mid] as MinidumpModule;
    if (address < m.base) hi = mid - 1;
    else if (address >= m.base + m.size) lo = mid + 1;
    else return mid;
  }
  return -1;
}

class StackMemory {
  constructor(private readonly region: MemoryRegion | undefined) {}
  /** The 8-byte little-endian word at `address`, or undefined outside the stack. */
  word(address: number): number | undefined {
    const region = this.region;
    if (!region) return undefined;
    const offset = address - region.start;
    if (offset < 0 || offset + 8 > region.bytes.byteLength || !Number.isInteger(offset)) return undefined;
    const b = region.bytes;
    const lo =
      ((b[offset] as number) | ((b[offset + 1] as number) << 8) | ((b[offset + 2] as number) << 16)) +
      (b[offset + 3] as number) * 0x1000000;
    const hi =
      ((b[offset + 4] as number) | ((b[offset + 5] as number) << 8) | ((b[offset + 6] as number) << 16)) +
      (b[offset + 7] as number) * 0x1000000;
    return hi * 4294967296 + lo;
  }
}

function isCanonical(address: number): boolean {
  return address < 2 ** 47 || address >= 2 ** 64 - 2 ** 47;
}

class Walker {
  readonly frames: WalkedFrame[] = [];
  private scanned = 0;
  constructor(
    readonly arch: CpuArch,
    readonly memory: StackMemory,
    readonly map: ModuleMap,
  ) {}

  /** The address looked up for a frame: callers point one past their call instruction. */
  lookupAddress(frame: WalkedFrame, index: number): number {
    return index === 0 ? frame.pc : frame.pc - 1;
  }

  byCfi(callee: WalkedFrame, index: number): WalkedFrame | undefined {
    const address = this.lookupAddress(callee, index);
    const moduleIndex = moduleIndexAt(this.map, address);
    const table = this.map.tables.get(moduleIndex);
    const module = this.map.modules[moduleIndex];
    if (!table || !module) return undefined;
    const rules = rulesAt(table, address - module.base);
    if (!rules) return undefined;
    const names = DWARF_REGISTERS[this.arch];
    const inputs = {
      register: (n: number) => callee.registers.get(names[n] ?? ""),
      word: (address: number) => this.memory.word(address),
    };
    let cfa: number | undefined;
    if (rules.cfaExpression) cfa = evaluateExpression(rules.cfaExpression, inputs);
    else {
      const cfaBase = callee.registers.get(names[rules.cfaRegister] ?? "");
      cfa = cfaBase === undefined ? undefined : cfaBase + rules.cfaOffset;
    }
    if (cfa === undefined) return undefined;
    const registers = new Map<string, number>();
    for (const name of CALLEE_SAVED[this.arch]) {
      const value = callee.registers.get(name);
      if (value !== undefined) registers.set(name, value);
    }
    let returnAddress: number | undefined;
    for (const [reg, { rule, value, expression }] of rules.rules) {
      let recovered: number | undefined;
      if (rule === RULE.undefined || rule === RULE.unsupported) {
        if (reg === table.ra) return undefined;
        const name = names[reg];
        if (name) registers.delete(name);
        continue;
      }
      if (rule === RULE.offset) recovered = this.memory.word(cfa + value);
      else if (rule === RULE.valOffset) recovered = cfa + value;
      else if (rule === RULE.register) recovered = callee.registers.get(names[value] ?? "");
      else if (rule === RULE.sameValue) recovered = callee.registers.get(names[reg] ?? "");
      else if (rule === RULE.expression && expression) {
        const address = evaluateExpression(expression, inputs, [cfa]);
        recovered = address === undefined ? undefined : this.memory.word(address);
      } else if (rule === RULE.valExpression && expression)
        recovered = evaluateExpression(expression, inputs, [cfa]);
      // As Breakpad: a rule that cannot be evaluated (unreadable memory, unknown register) fails the frame.
      if (recovered === undefined) return undefined;
      const name = names[reg];
      if (reg === table.ra) returnAddress = recovered;
      else if (name) registers.set(name, recovered);
    }
    if (returnAddress === undefined && this.arch === "arm64" && !rules.rules.has(table.ra)) {
      returnAddress = callee.registers.get("lr");
    }
    if (!returnAddress || !cfa) return undefined;
    registers.set(SP[this.arch], cfa);
    registers.set(PC[this.arch], returnAddress);
    return { pc: returnAddress, trust: "cfi", registers };
  }

  byFramePointer(callee: WalkedFrame): WalkedFrame | undefined {
    const fp = callee.registers.get(FP[this.arch]);
    if (fp === undefined || fp % 8 !== 0) return undefined;
    const callerPc = this.memory.word(fp + 8);
    const callerFp = this.memory.word(fp);
    if (callerPc === undefined || callerFp === undefined || !isCanonical(callerPc)) return undefined;
    const callerSp = fp + 16;
    if (callerSp <= fp || callerFp < callerSp) return undefined;
    if (this.memory.word(callerFp) === undefined) return undefined;
    const registers = new Map<string, number>([
      [PC[this.arch], callerPc],
      [SP[this.arch], callerSp],
      [FP[this.arch], callerFp],
    ]);
    return { pc: callerPc, trust: "fp", registers };
  }

  /** Whether a scanned word looks like a return address: one past an address inside a module's code. */
  seemsReturnAddress(value: number): boolean {
    const index = moduleIndexAt(this.map, value - 1);
    if (index < 0) return false;
    const table = this.map.tables.get(index);
    const module = this.map.modules[index] as MinidumpModule;
    // With the module's debug file, the address must lie at or after its first function (Breakpad:
    // a FUNC or the nearest PUBLIC symbol below it names the address); without one, any module address.
    if (!table) return true;
    const relative = value - 1 - module.base;
    return relative >= (table.code ?? table.ranges[0]?.[0] ?? 0) || findRange(table, relative) !== undefined;
  }

  byScan(callee: WalkedFrame, isContext: boolean): WalkedFrame | undefined {
    const sp = callee.registers.get(SP[this.arch]);
    if (sp === undefined) return undefined;
    const words = isContext ? SCAN_WORDS * 4 : SCAN_WORDS;
    for (let location = sp; location <= sp + words * 8; location += 8) {
      const value = this.memory.word(location);
      if (value === undefined) break;
      if (!this.seemsReturnAddress(value)) continue;
      const registers = new Map<string, number>([
        [PC[this.arch], value],
        [SP[this.arch], location + 8],
      ]);
      const fpName = FP[this.arch];
      const fp = callee.registers.get(fpName);
      if (fp !== undefined) {
        if (location - 8 === fp) {
          const saved = this.memory.word(fp);
          if (saved !== undefined && saved > location) registers.set(fpName, saved);
        } else if (fp >= location + 8) registers.set(fpName, fp);
      }
      return { pc: value, trust: "scan", registers };
    }
    return undefined;
  }

  walk(context: CpuContext, limits: WalkLimits): WalkedFrame[] {
    const pc = context.registers.get(PC[this.arch]);
    if (pc === undefined) return this.frames;
    this.frames.push({ pc, trust: "context", registers: new Map(context.registers) });
    while (this.frames.length < limits.maxFrames) {
      const index = this.frames.length - 1;
      const callee = this.frames[index] as WalkedFrame;
      const isContext = callee.trust === "context";
      const next =
        this.byCfi(callee, index) ??
        this.byFramePointer(callee) ??
        (this.scanned < limits.maxScannedFrames ? this.byScan(callee, isContext) : undefined);
      if (!next) break;
      if (next.trust === "scan") this.scanned++;
      const calleeSp = callee.registers.get(SP[this.arch]) ?? 0;
      const callerSp = next.registers.get(SP[this.arch]) ?? 0;
      if (next.pc < 4096) break;
      if (isContext ? callerSp < calleeSp : callerSp <= calleeSp) break;
      this.frames.push(next);
    }
    return this.frames;
  }
}

/** Walks a thread's stack from its context; the first frame is the context frame. */
export function walkThread(
  context: CpuContext,
  stack: MemoryRegion | undefined,
  map: ModuleMap,
  limits: WalkLimits,
): WalkedFrame[] {
  return new Walker(context.arch, new StackMemory(stack), map).walk(context, limits);
}
