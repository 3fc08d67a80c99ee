// A Linux/Android crash's reason as Sentry writes it: the signal and its si_code, e.g.
// `SIGSEGV / SEGV_MAPERR`; other platforms keep the raw exception code in hex.

const SIGNALS: Record<number, string> = {
  1: "SIGHUP",
  2: "SIGINT",
  3: "SIGQUIT",
  4: "SIGILL",
  5: "SIGTRAP",
  6: "SIGABRT",
  7: "SIGBUS",
  8: "SIGFPE",
  9: "SIGKILL",
  11: "SIGSEGV",
  13: "SIGPIPE",
  15: "SIGTERM",
  31: "SIGSYS",
};

const CODES: Record<string, readonly string[]> = {
  SIGSEGV: ["", "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR", "SEGV_PKUERR"],
  SIGBUS: ["", "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR", "BUS_MCEERR_AR", "BUS_MCEERR_AO"],
  SIGFPE: [
    "",
    "FPE_INTDIV",
    "FPE_INTOVF",
    "FPE_FLTDIV",
    "FPE_FLTOVF",
    "FPE_FLTUND",
    "FPE_FLTRES",
    "FPE_FLTINV",
    "FPE_FLTSUB",
  ],
  SIGILL: [
    "",
    "ILL_ILLOPC",
    "ILL_ILLOPN",
    "ILL_ILLADR",
    "ILL_ILLTRP",
    "ILL_PRVOPC",
    "ILL_PRVREG",
    "ILL_COPROC",
    "ILL_BADSTK",
  ],
  SIGTRAP: ["", "TRAP_BRKPT", "TRAP_TRACE"],
};

export interface CrashReason {
  /** `SIGSEGV / SEGV_MAPERR`, `SIGABRT`, or `0x…` for codes we cannot name. */
  reason: string;
  signal?: { number: number; code: number; name: string; code_name?: string };
}

export function crashReason(os: string, code: number, flags: number): CrashReason {
  if (os !== "Linux" && os !== "Android") return { reason: `0x${code.toString(16).padStart(8, "0")}` };
  const name = SIGNALS[code];
  if (!name)
    return {
      reason: `0x${code.toString(16).padStart(8, "0")}`,
      signal: { number: code, code: flags, name: `signal ${code}` },
    };
  const codeName = CODES[name]?.[flags] || undefined;
  return {
    reason: codeName ? `${name} / ${codeName}` : name,
    signal: codeName
      ? { number: code, code: flags, name, code_name: codeName }
      : { number: code, code: flags, name },
  };
}
