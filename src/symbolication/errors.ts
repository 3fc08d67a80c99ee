// Client-visible failures of debug-file parsing. Upload handlers surface them as the assemble
// `detail`, so the wording follows Sentry's ("Unsupported debug information file: …").
import { FaultlineError } from "../errors.ts";

/** The bytes are not a format we read (neither ELF nor Mach-O). */
export function unsupportedFile(detail: string): FaultlineError {
  return new FaultlineError(400, `not a supported debug file: ${detail}`);
}

/** The bytes claim to be ELF/Mach-O/DWARF but are truncated or inconsistent. */
export function malformedFile(detail: string): FaultlineError {
  return new FaultlineError(400, `malformed debug file: ${detail}`);
}

/**
 * Runs a parser and turns the RangeError a DataView throws on a truncated structure into the same
 * 400 as every other malformation, so corrupt input never surfaces as a 500.
 */
export async function rethrowTruncation<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof RangeError) throw malformedFile("a structure is truncated");
    throw error;
  }
}
