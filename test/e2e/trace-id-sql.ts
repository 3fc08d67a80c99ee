// events.trace_id is stored as 16 bytes; e2e assertions that read D1 directly
// compare it through a blob literal built from the SDK's hex trace id.
export function traceIdLiteral(traceId: string | undefined): string {
  if (traceId === undefined) throw new Error("no trace id captured");
  if (!/^[0-9a-f]{32}$/.test(traceId)) throw new Error(`not a trace id: ${traceId}`);
  return `X'${traceId}'`;
}
