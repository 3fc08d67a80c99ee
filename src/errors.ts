// The one error type every layer throws for a client-visible failure. The router turns it into
// Sentry's error body `{"detail": "...", "causes": [...]}`; anything else becomes a logged 500.

export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 426 | 429 | 500 | 503;

export class FaultlineError extends Error {
  readonly status: ErrorStatus;
  readonly detail: string;
  readonly causes: string[];
  readonly headers: Record<string, string>;

  constructor(
    status: ErrorStatus,
    detail: string,
    options: { causes?: string[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = "FaultlineError";
    this.status = status;
    this.detail = detail;
    this.causes = options.causes ?? [];
    this.headers = options.headers ?? {};
  }
}

export const badRequest = (detail: string, causes?: string[]): FaultlineError =>
  new FaultlineError(400, detail, causes ? { causes } : {});
export const tooLarge = (detail: string): FaultlineError => new FaultlineError(413, detail);
