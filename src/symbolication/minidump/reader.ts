// Minidump parsing (Microsoft's MINIDUMP format as Breakpad, Crashpad and sentry-native write it):
// the header and stream directory, system info, threads with their CPU contexts and stack memory,
// modules with their CodeView records, the exception stream, memory lists and Breakpad's Linux
// streams. Pure: bytes in, values out; every offset is bounds-checked, so a truncated or corrupt dump
// is a 400 (`invalidMinidump`), never a crash. Addresses are numbers: user-space addresses stay far
// below 2^53; larger stack words lose precision but are never valid addresses anyway.
import { FaultlineError } from "../../errors.ts";
import { elfDebugId, formatDebugId, toHex } from "../debug-id.ts";
import { type CpuContext, readContext } from "./context.ts";

export const MINIDUMP_SIGNATURE = 0x504d444d; // "MDMP" little-endian

const STREAM = {
  threadList: 3,
  moduleList: 4,
  memoryList: 5,
  exception: 6,
  systemInfo: 7,
  memory64List: 9,
  linuxCpuInfo: 0x47670003,
  linuxLsbRelease: 0x47670005,
  linuxAuxv: 0x47670008,
  linuxMaps: 0x47670009,
} as const;

const CV_ELF = 0x4270454c; // "BpEL": Breakpad's ELF build id record
const CV_PDB70 = 0x53445352; // "RSDS"
const MODULE_SIZE = 108;
const THREAD_SIZE = 48;

export function invalidMinidump(detail: string): FaultlineError {
  return new FaultlineError(400, `invalid minidump: ${detail}`);
}

/** Whether the bytes start like a minidump (cheap check before anything is stored). */
export function looksLikeMinidump(bytes: Uint8Array): boolean {
  return (
    bytes.byteLength >= 32 && bytes[0] === 0x4d && bytes[1] === 0x44 && bytes[2] === 0x4d && bytes[3] === 0x50
  );
}

export interface MemoryRegion {
  start: number;
  bytes: Uint8Array;
}

export interface MinidumpThread {
  id: number;
  stack: MemoryRegion | undefined;
  context: CpuContext | undefined;
}

export interface MinidumpModule {
  base: number;
  size: number;
  /** Path of the mapped file as the process saw it. */
  name: string;
  /** Sentry debug id (from the ELF build id or PDB GUID+age); undefined without a CodeView record. */
  debugId: string | undefined;
  /** Full ELF build id (hex) or PDB signature; undefined without one. */
  codeId: string | undefined;
}

export interface MinidumpException {
  threadId: number;
  code: number;
  flags: number;
  address: number;
  context: CpuContext | undefined;
}

export interface SystemInfo {
  /** Sentry's architecture name. */
  arch: "x86_64" | "arm64" | "x86" | "arm" | "unknown";
  os: "Linux" | "Android" | "macOS" | "iOS" | "Windows" | "unknown";
  /** MDRawSystemInfo's CSD version (on Linux: `uname -r -v -m`-like text). */
  osBuild: string | undefined;
  cpuCount: number;
}

export interface Minidump {
  timestamp: number;
  system: SystemInfo;
  threads: MinidumpThread[];
  modules: MinidumpModule[];
  exception: MinidumpException | undefined;
  /** Every memory region the dump holds (stacks included), sorted by start. */
  memory: MemoryRegion[];
  linux: { cpuInfo?: string; lsbRelease?: string; maps?: string; auxv?: Uint8Array };
}

class Cursor {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  check(offset: number, length: number, what: string): void {
    if (offset < 0 || length < 0 || offset + length > this.bytes.byteLength) {
      throw invalidMinidump(`${what} lies outside the file`);
    }
  }
  u16(offset: number): number {
    this.check(offset, 2, "a field");
    return this.view.getUint16(offset, true);
  }
  u32(offset: number): number {
    this.check(offset, 4, "a field");
    return this.view.getUint32(offset, true);
  }
  u64(offset: number): number {
    this.check(offset, 8, "a field");
    return this.view.getUint32(offset + 4, true) * 4294967296 + this.view.getUint32(offset, true);
  }
  slice(offset: number, length: number, what: string): Uint8Array {
    this.check(offset, length, what);
    return this.bytes.subarray(offset, offset + length);
  }
  /** MINIDUMP_STRING: u32 byte length, then UTF-16LE. */
  string(rva: number): string {
    const length = this.u32(rva);
    const raw = this.slice(rva + 4, length - (length % 2), "a string");
    return new TextDecoder("utf-16le").decode(raw);
  }
  location(offset: number, what: string): Uint8Array {
    return this.slice(this.u32(offset + 4), this.u32(offset), what);
  }
}

const ARCHITECTURES: Record<number, SystemInfo["arch"]> = {
  0: "x86",
  5: "arm",
  9: "x86_64",
  12: "arm64",
  32771: "arm64",
};
const PLATFORMS: Record<number, SystemInfo["os"]> = {
  2: "Windows",
  33025: "macOS",
  33026: "iOS",
  33281: "Linux",
  33283: "Android",
};

function readSystemInfo(c: Cursor, rva: number): SystemInfo {
  const csd = c.u32(rva + 24);
  return {
    arch: ARCHITECTURES[c.u16(rva)] ?? "unknown",
    os: PLATFORMS[c.u32(rva + 20)] ?? "unknown",
    osBuild: csd ? c.string(csd).trim() || undefined : undefined,
    cpuCount: c.bytes[rva + 6] ?? 0,
  };
}

function readCodeView(c: Cursor, offset: number): { debugId?: string; codeId?: string } {
  const size = c.u32(offset);
  if (size < 4) return {};
  const record = c.location(offset, "a CodeView record");
  const signature = new DataView(record.buffer, record.byteOffset, record.byteLength).getUint32(0, true);
  if (signature === CV_ELF) {
    const buildId = record.subarray(4);
    if (buildId.byteLength === 0) return {};
    return { debugId: elfDebugId(buildId, true), codeId: toHex(buildId) };
  }
  if (signature === CV_PDB70 && record.byteLength >= 24) {
    const guid = record.slice(4, 20);
    guid.subarray(0, 4).reverse();
    guid.subarray(4, 6).reverse();
    guid.subarray(6, 8).reverse();
    const age = new DataView(record.buffer, record.byteOffset + 20, 4).getUint32(0, true);
    return { debugId: formatDebugId(guid, age) };
  }
  return {};
}

function readModules(c: Cursor, rva: number): MinidumpModule[] {
  const count = c.u32(rva);
  c.check(rva + 4, count * MODULE_SIZE, "the module list");
  const out: MinidumpModule[] = [];
  for (let i = 0; i < count; i++) {
    const at = rva + 4 + i * MODULE_SIZE;
    const cv = readCodeView(c, at + 76);
    out.push({
      base: c.u64(at),
      size: c.u32(at + 8),
      name: c.string(c.u32(at + 20)),
      debugId: cv.debugId,
      codeId: cv.codeId,
    });
  }
  return out;
}

function memoryDescriptor(c: Cursor, at: number, what: string): MemoryRegion {
  return { start: c.u64(at), bytes: c.location(at + 8, what) };
}

function readThreads(c: Cursor, rva: number): MinidumpThread[] {
  const count = c.u32(rva);
  c.check(rva + 4, count * THREAD_SIZE, "the thread list");
  const out: MinidumpThread[] = [];
  for (let i = 0; i < count; i++) {
    const at = rva + 4 + i * THREAD_SIZE;
    const stack = memoryDescriptor(c, at + 24, "a thread's stack");
    out.push({
      id: c.u32(at),
      stack: stack.bytes.byteLength > 0 ? stack : undefined,
      context: readContext(c.location(at + 40, "a thread's context")),
    });
  }
  return out;
}

function readMemoryList(c: Cursor, rva: number): MemoryRegion[] {
  const count = c.u32(rva);
  c.check(rva + 4, count * 16, "the memory list");
  const out: MemoryRegion[] = [];
  for (let i = 0; i < count; i++) out.push(memoryDescriptor(c, rva + 4 + i * 16, "a memory range"));
  return out;
}

function readMemory64List(c: Cursor, rva: number): MemoryRegion[] {
  const count = c.u64(rva);
  let dataAt = c.u64(rva + 8);
  c.check(rva + 16, count * 16, "the memory64 list");
  const out: MemoryRegion[] = [];
  for (let i = 0; i < count; i++) {
    const size = c.u64(rva + 16 + i * 16 + 8);
    out.push({ start: c.u64(rva + 16 + i * 16), bytes: c.slice(dataAt, size, "a memory64 range") });
    dataAt += size;
  }
  return out;
}

function readException(c: Cursor, rva: number): MinidumpException {
  return {
    threadId: c.u32(rva),
    code: c.u32(rva + 8),
    flags: c.u32(rva + 12),
    address: c.u64(rva + 24),
    context: readContext(c.location(rva + 160, "the exception context")),
  };
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

export function parseMinidump(bytes: Uint8Array): Minidump {
  if (!looksLikeMinidump(bytes)) throw invalidMinidump("the file does not start with MDMP");
  const c = new Cursor(bytes);
  const streamCount = c.u32(8);
  const directory = c.u32(12);
  c.check(directory, streamCount * 12, "the stream directory");
  const dump: Minidump = {
    timestamp: c.u32(20),
    system: { arch: "unknown", os: "unknown", osBuild: undefined, cpuCount: 0 },
    threads: [],
    modules: [],
    exception: undefined,
    memory: [],
    linux: {},
  };
  for (let i = 0; i < streamCount; i++) {
    const at = directory + i * 12;
    const type = c.u32(at);
    const size = c.u32(at + 4);
    const rva = c.u32(at + 8);
    if (size === 0) continue;
    c.check(rva, size, `stream ${type}`);
    switch (type) {
      case STREAM.systemInfo:
        dump.system = readSystemInfo(c, rva);
        break;
      case STREAM.threadList:
        dump.threads = readThreads(c, rva);
        break;
      case STREAM.moduleList:
        dump.modules = readModules(c, rva);
        break;
      case STREAM.exception:
        dump.exception = readException(c, rva);
        break;
      case STREAM.memoryList:
        dump.memory.push(...readMemoryList(c, rva));
        break;
      case STREAM.memory64List:
        dump.memory.push(...readMemory64List(c, rva));
        break;
      case STREAM.linuxCpuInfo:
        dump.linux.cpuInfo = text(c.slice(rva, size, "cpuinfo"));
        break;
      case STREAM.linuxLsbRelease:
        dump.linux.lsbRelease = text(c.slice(rva, size, "lsb-release"));
        break;
      case STREAM.linuxMaps:
        dump.linux.maps = text(c.slice(rva, size, "maps"));
        break;
      case STREAM.linuxAuxv:
        dump.linux.auxv = c.slice(rva, size, "auxv");
        break;
    }
  }
  if (dump.threads.length === 0) throw invalidMinidump("the dump has no threads");
  for (const thread of dump.threads) if (thread.stack) dump.memory.push(thread.stack);
  dump.memory.sort((a, b) => a.start - b.start);
  return dump;
}
