// DWARF expressions as CFI uses them (DW_CFA_def_cfa_expression, DW_CFA_expression,
// DW_CFA_val_expression): a stack machine over 64-bit values with register and memory reads. PLT
// entries describe their CFA this way (rsp + 8, +8 more past the stub's push). Pure; bounded steps;
// undefined when the expression reads something unknown or is malformed.

const MASK = (1n << 64n) - 1n;
const MAX_STEPS = 1000;

export interface ExpressionInputs {
  /** A register by DWARF number, or undefined when unknown in this frame. */
  register(dwarf: number): number | undefined;
  /** The 8-byte word at an address, or undefined when unreadable. */
  word(address: number): number | undefined;
}

class Reader {
  pos = 0;
  constructor(readonly bytes: readonly number[]) {}
  get done(): boolean {
    return this.pos >= this.bytes.length;
  }
  u8(): number {
    const value = this.bytes[this.pos++];
    if (value === undefined) throw new RangeError("truncated expression");
    return value;
  }
  fixed(size: number, signed: boolean): bigint {
    let value = 0n;
    for (let i = 0; i < size; i++) value |= BigInt(this.u8()) << BigInt(8 * i);
    if (signed && value & (1n << BigInt(8 * size - 1))) value -= 1n << BigInt(8 * size);
    return value;
  }
  uleb(): bigint {
    let value = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.u8();
      value |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if (byte < 0x80) return value;
    }
  }
  sleb(): bigint {
    let value = 0n;
    let shift = 0n;
    let byte: number;
    do {
      byte = this.u8();
      value |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
    } while (byte >= 0x80);
    return byte & 0x40 ? value - (1n << shift) : value;
  }
}

const signed = (v: bigint) => (v & (1n << 63n) ? v - (1n << 64n) : v);

/** Evaluates `bytes` with `initial` on the stack (the CFA for register rules); the top of the stack. */
export function evaluateExpression(
  bytes: readonly number[],
  inputs: ExpressionInputs,
  initial: readonly number[] = [],
): number | undefined {
  const stack: bigint[] = initial.map((v) => BigInt(v) & MASK);
  const r = new Reader(bytes);
  const pop = (): bigint => {
    const v = stack.pop();
    if (v === undefined) throw new RangeError("stack underflow");
    return v;
  };
  const push = (v: bigint) => stack.push(v & MASK);
  const reg = (n: number): bigint => {
    const v = inputs.register(n);
    if (v === undefined) throw new RangeError("unknown register");
    return BigInt(v);
  };
  try {
    for (let steps = 0; !r.done; steps++) {
      if (steps > MAX_STEPS) return undefined;
      const op = r.u8();
      if (op >= 0x30 && op <= 0x4f) push(BigInt(op - 0x30));
      else if (op >= 0x50 && op <= 0x6f) push(reg(op - 0x50));
      else if (op >= 0x70 && op <= 0x8f) push(reg(op - 0x70) + r.sleb());
      else {
        switch (op) {
          case 0x06: {
            const value = inputs.word(Number(pop()));
            if (value === undefined) return undefined;
            push(BigInt(value));
            break;
          }
          case 0x08:
            push(r.fixed(1, false));
            break;
          case 0x09:
            push(r.fixed(1, true));
            break;
          case 0x0a:
            push(r.fixed(2, false));
            break;
          case 0x0b:
            push(r.fixed(2, true));
            break;
          case 0x0c:
            push(r.fixed(4, false));
            break;
          case 0x0d:
            push(r.fixed(4, true));
            break;
          case 0x0e:
            push(r.fixed(8, false));
            break;
          case 0x0f:
            push(r.fixed(8, true));
            break;
          case 0x10:
            push(r.uleb());
            break;
          case 0x11:
            push(r.sleb());
            break;
          case 0x12: {
            const a = pop();
            push(a);
            push(a);
            break;
          }
          case 0x13:
            pop();
            break;
          case 0x14: {
            const a = pop();
            const b = pop();
            push(b);
            push(a);
            push(b);
            break;
          }
          case 0x15: {
            const index = r.u8();
            const v = stack[stack.length - 1 - index];
            if (v === undefined) return undefined;
            push(v);
            break;
          }
          case 0x16: {
            const a = pop();
            const b = pop();
            push(a);
            push(b);
            break;
          }
          case 0x17: {
            const a = pop();
            const b = pop();
            const c = pop();
            push(a);
            push(c);
            push(b);
            break;
          }
          case 0x19: {
            const a = signed(pop());
            push(a < 0n ? -a : a);
            break;
          }
          case 0x1a: {
            const a = pop();
            push(pop() & a);
            break;
          }
          case 0x1b: {
            const a = signed(pop());
            const b = signed(pop());
            if (a === 0n) return undefined;
            push(b / a);
            break;
          }
          case 0x1c: {
            const a = pop();
            push(pop() - a);
            break;
          }
          case 0x1d: {
            const a = pop();
            const b = pop();
            if (a === 0n) return undefined;
            push(b % a);
            break;
          }
          case 0x1e: {
            const a = pop();
            push(pop() * a);
            break;
          }
          case 0x1f:
            push(-pop());
            break;
          case 0x20:
            push(~pop());
            break;
          case 0x21: {
            const a = pop();
            push(pop() | a);
            break;
          }
          case 0x22: {
            const a = pop();
            push(pop() + a);
            break;
          }
          case 0x23:
            push(pop() + r.uleb());
            break;
          case 0x24: {
            const a = pop();
            push(pop() << (a & 63n));
            break;
          }
          case 0x25: {
            const a = pop();
            push(pop() >> (a & 63n));
            break;
          }
          case 0x26: {
            const a = pop();
            push(signed(pop()) >> (a & 63n));
            break;
          }
          case 0x27: {
            const a = pop();
            push(pop() ^ a);
            break;
          }
          case 0x29:
          case 0x2a:
          case 0x2b:
          case 0x2c:
          case 0x2d:
          case 0x2e: {
            const a = signed(pop());
            const b = signed(pop());
            const result = [b === a, b >= a, b > a, b <= a, b < a, b !== a][op - 0x29];
            push(result ? 1n : 0n);
            break;
          }
          case 0x2f: {
            // The offset is read (moving pos) before it is added.
            const offset = Number(r.fixed(2, true));
            r.pos += offset;
            break;
          }
          case 0x28: {
            const offset = Number(r.fixed(2, true));
            if (pop() !== 0n) r.pos += offset;
            break;
          }
          case 0x90:
            push(reg(Number(r.uleb())));
            break;
          case 0x92: {
            const n = Number(r.uleb());
            push(reg(n) + r.sleb());
            break;
          }
          case 0x96:
            break;
          default:
            return undefined;
        }
      }
    }
  } catch {
    return undefined;
  }
  const top = stack[stack.length - 1];
  if (top === undefined) return undefined;
  return Number(top);
}
