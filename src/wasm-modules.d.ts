// `.wasm` imports: wrangler (and the vitest Workers pool) compile them at build time and hand the
// Worker a WebAssembly.Module (its default CompiledWasm module rule).
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
