// Public API of the native symbolication core (pure: bytes and JSON in, values out).
//
// Upload path:  identifyObject(s)(bytes) / identifyObjectsFrom(source) → debug id, kind, features;
//               difDescription(info) → Sentry's dif fields; buildLookup(source) → lookup bytes (R2).
// Ingest path:  openLookup(source) per debug file, then symbolicateEvent(event, findLookup), using
//               imageIdentity(image) to find the right file. initDemangler(module) must run first
//               wherever lookups are built (names are demangled at build time, not at query time).
export { type ByteSource, memorySource, sliceSource } from "./byte-source.ts";
export { formatDebugId, NIL_DEBUG_ID, normalizeDebugId } from "./debug-id.ts";
export { demangle, displayName, initDemangler, isDemanglerReady, stripRustHash } from "./demangle.ts";
export {
  type BuildOptions,
  type BuildSummary,
  buildLookup,
  buildLookupFromObject,
  writeLookup,
  writeLookupFromObject,
} from "./lookup-build.ts";
export type { ChunkSink, LookupMeta } from "./lookup-format.ts";
export { type Lookup, openLookup, openLookupBytes } from "./lookup-query.ts";
export { difDescription, identifyObject, identifyObjects, identifyObjectsFrom } from "./object.ts";
export { type LoadedObject, loadObject } from "./object-loader.ts";
export {
  type FindLookup,
  imageIdentity,
  lookupAddress,
  type SymbolicatedStacktrace,
  type SymbolicatorStatus,
  symbolicateEvent,
  symbolicateStacktrace,
} from "./symbolicate.ts";
export type { DebugFeature, ObjectInfo, ObjectKind, SymbolicatedLocation } from "./types.ts";
