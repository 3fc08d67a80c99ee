// A walked minidump as a Sentry native event: the crash as a synthetic exception (mechanism
// `minidump`, the crash reason as its type) carrying the crashing thread's stack, every other thread
// with its own stack, the modules as ELF/PE/Mach-O debug images, and OS/device contexts from the
// system info and Breakpad's Linux streams. Frames carry their trust; the crashing thread's
// registers go with its stack trace. Symbolication then runs on this event as on any native event.
import type { JsonObject, JsonValue } from "../../protocol/types.ts";
import type { CfiTable } from "./cfi-table.ts";
import type { Minidump, MinidumpModule } from "./reader.ts";
import { crashReason } from "./signals.ts";
import { type ModuleMap, type WalkedFrame, type WalkLimits, walkThread } from "./walk.ts";

const hex = (value: number) => `0x${value.toString(16)}`;

export interface WalkSummary {
  threads: number;
  frames: number;
  /** Frames per trust. */
  trust: Record<string, number>;
}

function imageType(dump: Minidump): string {
  if (dump.system.os === "Windows") return "pe";
  if (dump.system.os === "macOS" || dump.system.os === "iOS") return "macho";
  return "elf";
}

function debugImage(module: MinidumpModule, type: string): JsonObject {
  const image: JsonObject = {
    type,
    code_file: module.name,
    image_addr: hex(module.base),
    image_size: module.size,
  };
  if (module.debugId) image.debug_id = module.debugId;
  if (module.codeId) image.code_id = module.codeId;
  return image;
}

function stacktrace(frames: WalkedFrame[], withRegisters: boolean): JsonObject {
  const out: JsonObject = {
    // Sentry's order: outermost caller first, the crashing frame last.
    frames: frames.map((frame) => ({ instruction_addr: hex(frame.pc), trust: frame.trust })).reverse(),
  };
  const first = frames[0];
  if (withRegisters && first) {
    const registers: JsonObject = {};
    for (const [name, value] of first.registers) registers[name] = hex(value);
    out.registers = registers;
  }
  return out;
}

/** `KEY=value` lines (lsb-release / os-release) as a map, quotes removed. */
function keyValues(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (text ?? "").split("\n")) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match?.[1]) out.set(match[1], (match[2] ?? "").replace(/^"|"$/g, ""));
  }
  return out;
}

function contexts(dump: Minidump): JsonObject {
  const os: JsonObject = { name: dump.system.os, type: "os" };
  if (dump.system.osBuild) os.kernel_version = dump.system.osBuild;
  const release = keyValues(dump.linux.lsbRelease);
  const distribution = release.get("DISTRIB_ID") ?? release.get("ID");
  const version = release.get("DISTRIB_RELEASE") ?? release.get("VERSION_ID");
  const pretty = release.get("DISTRIB_DESCRIPTION") ?? release.get("PRETTY_NAME");
  if (distribution) os.distribution_name = distribution;
  if (version) os.distribution_version = version;
  if (pretty) os.distribution_pretty_name = pretty;
  const device: JsonObject = { type: "device", arch: dump.system.arch };
  const model = /^model name\s*:\s*(.+)$/m.exec(dump.linux.cpuInfo ?? "")?.[1];
  if (model) device.cpu_description = model.trim();
  if (dump.system.cpuCount > 0) device.processor_count = dump.system.cpuCount;
  return { os, device };
}

/**
 * The event fields a minidump supplies. `tables` holds the CFI table of each module (by index in
 * `dump.modules`) that has an uploaded debug file with unwind info.
 */
export function minidumpEvent(
  dump: Minidump,
  tables: ReadonlyMap<number, CfiTable>,
  limits: WalkLimits,
): { event: JsonObject; summary: WalkSummary } {
  const order = dump.modules
    .map((_, i) => i)
    .sort((a, b) => (dump.modules[a]?.base ?? 0) - (dump.modules[b]?.base ?? 0));
  const sortedTables = new Map<number, CfiTable>();
  order.forEach((original, sorted) => {
    const table = tables.get(original);
    if (table) sortedTables.set(sorted, table);
  });
  const map: ModuleMap = {
    modules: order.map((i) => dump.modules[i] as MinidumpModule),
    tables: sortedTables,
  };
  const summary: WalkSummary = { threads: 0, frames: 0, trust: {} };
  const crashedId = dump.exception?.threadId;
  let crashedStack: JsonObject | undefined;
  const threads: JsonValue[] = [];
  for (const thread of dump.threads) {
    const crashed = thread.id === crashedId;
    // The crashing thread's context is the one at the signal (the exception stream's), not the handler's.
    const context = (crashed ? dump.exception?.context : undefined) ?? thread.context;
    const entry: JsonObject = { id: thread.id, crashed, current: crashed };
    if (context) {
      const frames = walkThread(context, thread.stack, map, limits);
      summary.threads++;
      summary.frames += frames.length;
      for (const frame of frames) summary.trust[frame.trust] = (summary.trust[frame.trust] ?? 0) + 1;
      if (crashed) crashedStack = stacktrace(frames, true);
      else entry.stacktrace = stacktrace(frames, false);
    }
    threads.push(entry);
  }
  const event: JsonObject = {
    platform: "native",
    level: "fatal",
    contexts: contexts(dump),
    threads: { values: threads },
    debug_meta: { images: dump.modules.map((m) => debugImage(m, imageType(dump))) },
  };
  if (dump.timestamp > 0) event.timestamp = dump.timestamp;
  if (dump.exception) {
    const reason = crashReason(dump.system.os, dump.exception.code, dump.exception.flags);
    const mechanism: JsonObject = { type: "minidump", handled: false, synthetic: true };
    if (reason.signal) mechanism.meta = { signal: reason.signal };
    const exception: JsonObject = {
      type: reason.reason,
      value: `Fatal Error: ${reason.reason}`,
      thread_id: dump.exception.threadId,
      mechanism,
    };
    if (crashedStack) exception.stacktrace = crashedStack;
    event.exception = { values: [exception] };
  }
  return { event, summary };
}
