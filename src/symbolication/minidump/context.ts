// CPU contexts of minidump threads: MDRawContextAMD64 and MDRawContextARM64 as register maps under
// Sentry's register names, with the DWARF register numbers the unwinder uses.

export type CpuArch = "x86_64" | "arm64";

export interface CpuContext {
  arch: CpuArch;
  /** Register values by Sentry name (`rip`, `rsp`…, `x0`…, `fp`, `lr`, `sp`, `pc`). */
  registers: Map<string, number>;
}

const CONTEXT_AMD64 = 0x00100000;
const CONTEXT_ARM64 = 0x00400000;
const AMD64_SIZE = 1232;

/** AMD64 general registers at their MDRawContextAMD64 offsets (rax at 120 … rip at 248). */
const AMD64_LAYOUT: ReadonlyArray<[string, number]> = [
  ["rax", 120],
  ["rcx", 128],
  ["rdx", 136],
  ["rbx", 144],
  ["rsp", 152],
  ["rbp", 160],
  ["rsi", 168],
  ["rdi", 176],
  ["r8", 184],
  ["r9", 192],
  ["r10", 200],
  ["r11", 208],
  ["r12", 216],
  ["r13", 224],
  ["r14", 232],
  ["r15", 240],
  ["rip", 248],
];

/** DWARF register number → name (x86-64 psABI; 16 is the return address column). */
export const DWARF_REGISTERS: Record<CpuArch, readonly string[]> = {
  x86_64: [
    "rax",
    "rdx",
    "rcx",
    "rbx",
    "rsi",
    "rdi",
    "rbp",
    "rsp",
    "r8",
    "r9",
    "r10",
    "r11",
    "r12",
    "r13",
    "r14",
    "r15",
    "rip",
  ],
  arm64: [...Array.from({ length: 29 }, (_, i) => `x${i}`), "fp", "lr", "sp", "pc"],
};

export const PC: Record<CpuArch, string> = { x86_64: "rip", arm64: "pc" };
export const SP: Record<CpuArch, string> = { x86_64: "rsp", arm64: "sp" };
export const FP: Record<CpuArch, string> = { x86_64: "rbp", arm64: "fp" };

/** Registers a callee preserves: the only ones still known in a caller frame after unwinding. */
export const CALLEE_SAVED: Record<CpuArch, ReadonlySet<string>> = {
  x86_64: new Set(["rbx", "rbp", "r12", "r13", "r14", "r15"]),
  arm64: new Set(["x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "fp"]),
};

function u64(view: DataView, offset: number): number {
  return view.getUint32(offset + 4, true) * 4294967296 + view.getUint32(offset, true);
}

/** Reads a thread context; undefined for CPUs we do not walk (x86, arm) or truncated records. */
export function readContext(bytes: Uint8Array): CpuContext | undefined {
  if (bytes.byteLength < 8) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength >= AMD64_SIZE && (view.getUint32(48, true) & CONTEXT_AMD64) !== 0) {
    const registers = new Map<string, number>();
    for (const [name, offset] of AMD64_LAYOUT) registers.set(name, u64(view, offset));
    return { arch: "x86_64", registers };
  }
  if (bytes.byteLength >= 8 + 33 * 8 && (view.getUint32(0, true) & CONTEXT_ARM64) !== 0) {
    const registers = new Map<string, number>();
    const names = DWARF_REGISTERS.arm64;
    for (let i = 0; i < 33; i++) registers.set(names[i] ?? `x${i}`, u64(view, 8 + i * 8));
    return { arch: "arm64", registers };
  }
  return undefined;
}
