// The symbolication service's face: what the API, ingest and the project's Durable Object use of it.
//   - debug-file upload: chunk upload (verify, store, record) and assemble (parse, run jobs), and the
//     project's debug files (list, download, delete);
//   - ingest: symbolicating a native event before it is grouped;
//   - the project's object: running late-file jobs from its alarm (it regroups what they return).
// Everything else in src/symbol-service/ is internal to the service.

export { putChunk } from "../blobs/chunks.ts";
export { readDebugFile } from "../blobs/debug-files.ts";
export { recordChunks } from "../db/chunks.ts";
export { getDebugFile, listDebugFiles } from "../db/debug-files.ts";
export { assembleFiles } from "./assemble-files.ts";
export { parseAssembleRequest } from "./assemble-request.ts";
export { isChunkField, verifyChunkPart } from "./chunk-verify.ts";
export { deleteDebugFiles } from "./debug-files.ts";
export { LATE_LEASE_MS, type LateDeps, runLateAlarm } from "./late-jobs.ts";
export { scheduleLateSymbolication } from "./late-schedule.ts";
export { type MinidumpContext, type WalkedMinidump, walkMinidump } from "./minidump.ts";
export { symbolicateNativeEvent } from "./symbolicate-event.ts";
