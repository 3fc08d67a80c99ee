// Debug files as Sentry's API shows them (the `dif` of an assemble answer and the items of
// `GET …/files/dsyms/`), and the per-file assemble answer sentry-cli polls. Pure functions.
import { EPOCH_ISO, isoFromSeconds } from "../../protocol/items/json.ts";

export interface DebugFileRecord {
  id: number;
  checksum: string;
  debugId: string;
  codeId: string | null;
  objectName: string;
  cpuName: string;
  symbolType: string;
  kind: string;
  /** JSON array text as stored, or the list itself. */
  features: string | readonly string[];
  size: number;
  contentType: string;
  /** Unix seconds. */
  createdAt: number;
}

export interface DebugFileJson {
  id: string;
  uuid: string;
  debugId: string;
  codeId: string | null;
  cpuName: string;
  objectName: string;
  symbolType: string;
  headers: Record<string, string>;
  size: number;
  sha1: string;
  dateCreated: string;
  data: { type: string; features: string[] };
}

export type AssembleState = "not_found" | "created" | "assembling" | "ok" | "error";

export interface AssembleStatusJson {
  state: AssembleState;
  /** Always present: sentry-cli fails to read an answer without it. */
  missingChunks: string[];
  detail: string | null;
  dif?: DebugFileJson;
}

function featureList(features: string | readonly string[]): string[] {
  if (typeof features !== "string") return [...features];
  try {
    const parsed: unknown = JSON.parse(features);
    return Array.isArray(parsed) ? parsed.filter((f): f is string => typeof f === "string") : [];
  } catch {
    return [];
  }
}

export function serializeDebugFile(row: DebugFileRecord): DebugFileJson {
  return {
    id: String(row.id),
    uuid: row.debugId,
    debugId: row.debugId,
    codeId: row.codeId,
    cpuName: row.cpuName,
    objectName: row.objectName,
    symbolType: row.symbolType,
    headers: { "Content-Type": row.contentType },
    size: row.size,
    sha1: row.checksum,
    dateCreated: isoFromSeconds(row.createdAt) ?? EPOCH_ISO,
    data: { type: row.kind, features: featureList(row.features) },
  };
}

export type AssembleStatus =
  | { state: "not_found"; missingChunks: readonly string[] }
  | { state: "created" | "assembling" }
  | { state: "ok"; debugFile: DebugFileRecord }
  | { state: "error"; detail: string };

export function serializeAssembleStatus(status: AssembleStatus): AssembleStatusJson {
  switch (status.state) {
    case "not_found":
      return { state: "not_found", missingChunks: [...status.missingChunks], detail: null };
    case "ok":
      return { state: "ok", missingChunks: [], detail: null, dif: serializeDebugFile(status.debugFile) };
    case "error":
      return { state: "error", missingChunks: [], detail: status.detail };
    default:
      return { state: status.state, missingChunks: [], detail: null };
  }
}

/** `Content-Disposition` file name of a download: the debug id plus the extension of its format. */
export function downloadFileName(row: Pick<DebugFileRecord, "debugId" | "symbolType" | "kind">): string {
  if (row.symbolType === "sourcebundle") return `${row.debugId}.src.zip`;
  return row.kind === "dbg" ? `${row.debugId}.debug` : row.debugId;
}
