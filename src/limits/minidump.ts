// Limits of native crash (minidump) processing: unwind tables built at upload and the stack walk at
// ingest. Part of src/limits.ts (re-exported there; import them from it).

const MiB = 1024 * 1024;

/**
 * Unwind tables (.cfi, built at upload from .eh_frame/.debug_frame): sections larger than this are
 * not indexed (the module then unwinds by frame pointer and scanning). Faultline bound: a section is
 * held whole while its FDEs are read; libxul-sized binaries have ~10 MiB of .eh_frame.
 */
export const MAX_CFI_SECTION_BYTES = 64 * MiB;

/**
 * Minidump stack walking, per thread: frames walked (Breakpad's default bound is 1024; Sentry shows
 * at most 256 per stack trace after trimming, so 512 keeps deep recursions recognisable) and frames
 * found by scanning after which scanning stops (Breakpad's max_frames_scanned, 1 << 14).
 */
export const MAX_MINIDUMP_FRAMES = 512;
export const MAX_MINIDUMP_SCANNED_FRAMES = 1 << 14;
/** Threads walked per dump (the rest are listed without stacks): a Faultline CPU bound. */
export const MAX_MINIDUMP_THREADS = 256;
/** Modules whose unwind table is read per dump: a Faultline bound on R2 reads and memory. */
export const MAX_MINIDUMP_CFI_MODULES = 64;

/**
 * Bytes of a Breakpad .sym file accepted as a debug file: it is text read whole (identified, then
 * indexed into a lookup and an unwind table) inside a 128 MB Worker. A Faultline bound; Chromium-sized
 * .sym files (hundreds of MiB) are out of reach here.
 */
export const MAX_BREAKPAD_SYM_BYTES = 32 * MiB;
