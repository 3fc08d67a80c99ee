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
