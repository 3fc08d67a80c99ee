// Public API of the minidump core (pure): parse a dump, build unwind tables from debug files at
// upload, and turn a dump plus the tables of its modules into a walked native event.
export { buildElfCfiTable } from "./cfi-build.ts";
export { type CfiTable, parseCfiTable } from "./cfi-table.ts";
export { minidumpEvent, type WalkSummary } from "./event.ts";
export { boundMinidumpEvent } from "./event-bounds.ts";
export {
  invalidMinidump,
  looksLikeMinidump,
  type Minidump,
  type MinidumpModule,
  parseMinidump,
} from "./reader.ts";
export { crashReason } from "./signals.ts";
