// The minidump core on inputs built here, byte by byte: an arm64 thread context, a DWARF CFA program
// using the less common instructions, a frame-pointer walk on arm64, and the event bound that keeps a
// dump of hundreds of threads within one event's size.
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/protocol/types.ts";
import { rulesAt } from "../../src/symbolication/minidump/cfi-table.ts";
import { readContext } from "../../src/symbolication/minidump/context.ts";
import { readDwarfCfi } from "../../src/symbolication/minidump/dwarf-cfi.ts";
import { evaluateExpression } from "../../src/symbolication/minidump/dwarf-expression.ts";
import { boundMinidumpEvent } from "../../src/symbolication/minidump/event-bounds.ts";
import { walkThread } from "../../src/symbolication/minidump/walk.ts";

function u64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value % 2 ** 32, true);
  view.setUint32(offset + 4, Math.floor(value / 2 ** 32), true);
}

function arm64Context(registers: Record<number, number>): Uint8Array {
  const bytes = new Uint8Array(8 + 33 * 8 + 8 + 32 * 16);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x00400000 | 0x3, true);
  for (const [index, value] of Object.entries(registers)) u64(view, 8 + Number(index) * 8, value);
  return bytes;
}

describe("arm64", () => {
  it("reads MDRawContextARM64 (x0…x28, fp, lr, sp, pc)", () => {
    const context = readContext(arm64Context({ 0: 7, 29: 0x7000, 30: 0x401234, 31: 0x6ff0, 32: 0x400100 }));
    expect(context?.arch).toBe("arm64");
    expect(context?.registers.get("x0")).toBe(7);
    expect(context?.registers.get("fp")).toBe(0x7000);
    expect(context?.registers.get("lr")).toBe(0x401234);
    expect(context?.registers.get("sp")).toBe(0x6ff0);
    expect(context?.registers.get("pc")).toBe(0x400100);
  });

  it("walks frame records (fp → [caller fp, return address])", () => {
    const stackStart = 0x6000;
    const stack = new Uint8Array(0x2000);
    const view = new DataView(stack.buffer);
    // Frame record at 0x7000 → caller's at 0x7100 → end (fp 0).
    u64(view, 0x7000 - stackStart, 0x7100);
    u64(view, 0x7008 - stackStart, 0x400208);
    u64(view, 0x7100 - stackStart, 0x7200);
    u64(view, 0x7108 - stackStart, 0x400310);
    const context = readContext(arm64Context({ 29: 0x7000, 30: 0x400208, 31: 0x6ff0, 32: 0x400100 }));
    if (!context) throw new Error("no context");
    const modules = [{ base: 0x400000, size: 0x1000, name: "/app", debugId: undefined, codeId: undefined }];
    const frames = walkThread(
      context,
      { start: stackStart, bytes: stack },
      { modules, tables: new Map() },
      {
        maxFrames: 10,
        maxScannedFrames: 0,
      },
    );
    expect(frames.map((f) => [f.pc.toString(16), f.trust])).toEqual([
      ["400100", "context"],
      ["400208", "fp"],
      ["400310", "fp"],
    ]);
  });
});

describe("DWARF CFA programs", () => {
  it("runs remember/restore_state, def_cfa_sf, offset_extended_sf, val_offset, register, same_value", () => {
    // One CIE (version 1, "zR", pcrel sdata4, code align 1, data align -8, RA 16) and one FDE.
    const cie = [
      0x01,
      ...Buffer.from("zR\0"),
      0x01, // code alignment
      0x78, // data alignment -8
      0x10, // return address register 16
      0x01, // augmentation length
      0x1b, // FDE pointers: pcrel | sdata4
      0x0c,
      0x07,
      0x08, // def_cfa rsp+8
      0x90,
      0x01, // offset r16 at cfa-8
    ];
    const program = [
      0x41, // advance 1
      0x0e,
      0x10, // def_cfa_offset 16
      0x86,
      0x02, // offset rbp at cfa-16
      0x0a, // remember_state
      0x42, // advance 2
      0x12,
      0x06,
      0x7e, // def_cfa_sf rbp, factored -2 * -8 = +16
      0x11,
      0x03,
      0x7d, // offset_extended_sf rbx, factored -3 * -8 = +24
      0x14,
      0x0c,
      0x01, // val_offset r12, factored 1 * -8 = cfa - 8
      0x09,
      0x0d,
      0x03, // register r13 in rbx
      0x08,
      0x0e, // same_value r14
      0x43, // advance 3
      0x0b, // restore_state
    ];
    const cieBody = [0, 0, 0, 0, ...cie];
    const bytes: number[] = [];
    const pushU32 = (v: number) => bytes.push(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff);
    pushU32(cieBody.length);
    bytes.push(...cieBody);
    const fdeStart = bytes.length;
    const fdeBody = 4 + 4 + 4 + 1 + program.length;
    pushU32(fdeBody);
    pushU32(fdeStart + 4); // CIE pointer: back to offset 0
    const pcField = bytes.length;
    pushU32(0x1000 - pcField); // pc_begin, pc-relative (section at address 0)
    pushU32(0x20); // pc_range
    bytes.push(0x00); // augmentation data length
    bytes.push(...program);
    const { ranges, ra } = readDwarfCfi({ bytes: new Uint8Array(bytes), address: 0, kind: "eh_frame" });
    expect(ra).toBe(16);
    expect(ranges).toHaveLength(1);
    const table = { v: 1 as const, ra, ranges };
    expect(rulesAt(table, 0x1000)).toMatchObject({ cfaRegister: 7, cfaOffset: 8 });
    expect(rulesAt(table, 0x1001)).toMatchObject({ cfaRegister: 7, cfaOffset: 16 });
    const inner = rulesAt(table, 0x1004);
    expect(inner).toMatchObject({ cfaRegister: 6, cfaOffset: 16 });
    expect(inner?.rules.get(3)).toEqual({ rule: 2, value: 24 });
    expect(inner?.rules.get(12)).toEqual({ rule: 3, value: -8 });
    expect(inner?.rules.get(13)).toEqual({ rule: 4, value: 3 });
    expect(inner?.rules.get(14)).toEqual({ rule: 1, value: 0 });
    // restore_state at 0x1006: back to the remembered rsp+16 with only rbp and the return address.
    const restored = rulesAt(table, 0x1006);
    expect(restored).toMatchObject({ cfaRegister: 7, cfaOffset: 16 });
    expect([...(restored?.rules.keys() ?? [])].sort((a, b) => a - b)).toEqual([6, 16]);
    expect(rulesAt(table, 0x1020)).toBeUndefined();
  });
});

describe("DWARF expressions in CFI", () => {
  // The CFA of a PLT entry as binutils describes it: rsp + 8, plus 8 once past the stub's push
  // (DW_OP_breg7 8; DW_OP_breg16 0; lit15; and; lit11; ge; lit3; shl; plus).
  const PLT_CFA = [0x77, 0x08, 0x80, 0x00, 0x3f, 0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x22];

  it("evaluates a PLT entry's CFA expression", () => {
    const at = (rip: number) =>
      evaluateExpression(PLT_CFA, {
        register: (n) => (n === 7 ? 0x7000 : n === 16 ? rip : undefined),
        word: () => undefined,
      });
    expect(at(0x1025)).toBe(0x7008);
    expect(at(0x102c)).toBe(0x7010);
    expect(evaluateExpression(PLT_CFA, { register: () => undefined, word: () => undefined })).toBeUndefined();
    // DW_OP_deref reads memory; DW_OP_bra/skip branch.
    const inputs = { register: () => 0x100, word: (a: number) => (a === 0x108 ? 0xabc : undefined) };
    expect(evaluateExpression([0x70, 0x08, 0x06], inputs)).toBe(0xabc);
    expect(evaluateExpression([0x30, 0x28, 0x02, 0x00, 0x31, 0x2f, 0x01, 0x00, 0x32], inputs)).toBe(1);
  });

  it("walks through a frame whose CFA is an expression (def_cfa_expression in an FDE)", () => {
    const cie = [0x01, ...Buffer.from("zR\0"), 0x01, 0x78, 0x10, 0x01, 0x1b, 0x0c, 0x07, 0x08, 0x90, 0x01];
    const program = [0x0f, PLT_CFA.length, ...PLT_CFA];
    const bytes: number[] = [];
    const pushU32 = (v: number) => bytes.push(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff);
    pushU32(cie.length + 4);
    bytes.push(0, 0, 0, 0, ...cie);
    const fdeStart = bytes.length;
    pushU32(4 + 4 + 4 + 1 + program.length);
    pushU32(fdeStart + 4);
    pushU32(0x1020 - bytes.length);
    pushU32(0x10);
    bytes.push(0x00, ...program);
    const { ranges, ra } = readDwarfCfi({ bytes: new Uint8Array(bytes), address: 0, kind: "eh_frame" });
    const table = { v: 1 as const, ra, ranges };
    expect(rulesAt(table, 0x1026)?.cfaExpression).toEqual(PLT_CFA);
    // Inside the stub, past its push: the return address is at rsp + 8.
    const stack = new Uint8Array(0x100);
    const view = new DataView(stack.buffer);
    u64(view, 0x08, 0x2345);
    const registers = new Map<string, number>([
      ["rip", 0x0100_102c],
      ["rsp", 0x7000],
    ]);
    const modules = [
      { base: 0x0100_0000, size: 0x10000, name: "/app", debugId: undefined, codeId: undefined },
    ];
    const frames = walkThread(
      { arch: "x86_64", registers },
      { start: 0x7000, bytes: stack },
      { modules, tables: new Map([[0, table]]) },
      { maxFrames: 2, maxScannedFrames: 0 },
    );
    expect(frames[1]).toMatchObject({ pc: 0x2345, trust: "cfi" });
    expect(frames[1]?.registers.get("rsp")).toBe(0x7010);
  });
});

describe("event bound", () => {
  it("keeps a dump of 300 deep threads within 1 MiB, the crash whole", () => {
    const frames = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        instruction_addr: `0x${(0x400000 + i).toString(16)}`,
        trust: "cfi",
      }));
    const event: JsonObject = {
      exception: { values: [{ type: "SIGSEGV / SEGV_MAPERR", stacktrace: { frames: frames(200) } }] },
      threads: {
        values: Array.from({ length: 300 }, (_, id) => ({ id, stacktrace: { frames: frames(512) } })),
      },
    };
    expect(boundMinidumpEvent(event, 1 << 20)).toBe(true);
    expect(new TextEncoder().encode(JSON.stringify(event)).byteLength).toBeLessThanOrEqual(1 << 20);
    const crash = (event.exception as { values: { stacktrace: { frames: unknown[] } }[] }).values[0];
    expect(crash?.stacktrace.frames).toHaveLength(200);
    const thread = (
      event.threads as { values: { stacktrace?: { frames: unknown[]; frames_omitted: number[] } }[] }
    ).values[0];
    expect(thread?.stacktrace?.frames.length ?? 0).toBeLessThanOrEqual(64);
  });
});
