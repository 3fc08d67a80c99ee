// Symbol demangling through the `gecko-profiler-demangle` WebAssembly module (rustc-demangle for Rust
// legacy and v0 names, cpp_demangle for Itanium C++). The module is compiled by the host: in workerd a
// `.wasm` import is already a WebAssembly.Module; in Node, compile the package's index_bg.wasm. After
// `initDemangler` resolves, `demangle` is synchronous. Instantiated once per isolate; concurrent callers
// share one instantiation, and a failed one is retried by the next call.

interface DemanglerExports {
  memory: WebAssembly.Memory;
  demangle_any(ptr: number, len: number): [number, number];
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(ptr: number, size: number, align: number): void;
  __wbindgen_export_0: WebAssembly.Table;
  __wbindgen_start(): void;
}

let wasm: DemanglerExports | undefined;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8");

function isDemanglerExports(value: WebAssembly.Exports): value is WebAssembly.Exports & DemanglerExports {
  return (
    value.memory instanceof WebAssembly.Memory &&
    typeof value.demangle_any === "function" &&
    typeof value.__wbindgen_malloc === "function" &&
    typeof value.__wbindgen_free === "function" &&
    typeof value.__wbindgen_start === "function" &&
    value.__wbindgen_export_0 instanceof WebAssembly.Table
  );
}

let ready: Promise<void> | undefined;

/** Instantiates the demangler once; later calls wait for (or reuse) that instantiation. */
export function initDemangler(module: WebAssembly.Module): Promise<void> {
  if (!ready) {
    ready = instantiate(module);
    ready.catch(() => {
      ready = undefined;
    });
  }
  return ready;
}

async function instantiate(module: WebAssembly.Module): Promise<void> {
  if (wasm) return;
  let exports: DemanglerExports | undefined;
  const imports = {
    "./index_bg.js": {
      // wasm-bindgen's externref table setup: slots for undefined, null, true, false.
      __wbindgen_init_externref_table(): void {
        if (!exports) return;
        const table = exports.__wbindgen_export_0;
        const offset = table.grow(4);
        table.set(0, undefined);
        table.set(offset + 0, undefined);
        table.set(offset + 1, null);
        table.set(offset + 2, true);
        table.set(offset + 3, false);
      },
    },
  };
  const instance = await WebAssembly.instantiate(module, imports);
  if (!isDemanglerExports(instance.exports)) throw new Error("unexpected demangler module exports");
  exports = instance.exports;
  exports.__wbindgen_start();
  wasm = exports;
}

export function isDemanglerReady(): boolean {
  return wasm !== undefined;
}

/** Demangles Rust (legacy, v0) and C++ names; anything else comes back unchanged. */
export function demangle(name: string): string {
  if (!wasm) throw new Error("demangler is not initialised: await initDemangler(module) first");
  if (!looksMangled(name)) return name;
  const bytes = encoder.encode(name);
  const ptr = wasm.__wbindgen_malloc(bytes.byteLength, 1) >>> 0;
  new Uint8Array(wasm.memory.buffer, ptr, bytes.byteLength).set(bytes);
  const [outPtr, outLen] = wasm.demangle_any(ptr, bytes.byteLength);
  let result: string;
  try {
    result = decoder.decode(new Uint8Array(wasm.memory.buffer, outPtr >>> 0, outLen >>> 0));
  } finally {
    wasm.__wbindgen_free(outPtr, outLen, 1);
  }
  // On failure the module returns the name with one leading underscore removed (its Mach-O
  // convention); keep the symbol as it was instead, as Sentry does for names it cannot demangle.
  return result === name.slice(1) ? name : result;
}

/** Itanium/Rust legacy (`_Z`, also with extra leading underscores on Mach-O) and Rust v0 (`_R`). */
function looksMangled(name: string): boolean {
  return /^_{1,4}Z/.test(name) || /^_{1,2}R/.test(name);
}

/** Removes a trailing Rust legacy hash (`::h` + 16 hex digits), as sentry-rust and Sentry do. */
export function stripRustHash(name: string): string {
  return name.replace(/::h[0-9a-f]{16}$/, "");
}

/** The display name of a mangled symbol: demangled, Rust hash removed. */
export function displayName(raw: string): string {
  return stripRustHash(demangle(raw));
}
