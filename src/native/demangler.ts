// The demangler WebAssembly module, bundled with the Worker (a `.wasm` import is a compiled
// WebAssembly.Module under wrangler), instantiated once per isolate. Names are demangled when a
// lookup is built, so only the upload path needs it.
import demanglerWasm from "gecko-profiler-demangle/index_bg.wasm";
import { initDemangler } from "../symbolication/demangle.ts";

let ready: Promise<void> | undefined;

export function ensureDemangler(): Promise<void> {
  if (!ready) {
    ready = initDemangler(demanglerWasm);
    ready.catch(() => {
      ready = undefined;
    });
  }
  return ready;
}
