// Reads a JSON request body with a byte cap, counting as it streams (a chunked body has no
// Content-Length to check first). Used by the API routes that take JSON.
import { badRequest, tooLarge } from "../errors.ts";
import { concatBytes, streamBytes } from "./multipart.ts";

export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge("Request body too large");
  const pieces: Uint8Array[] = [];
  let total = 0;
  if (request.body) {
    for await (const piece of streamBytes(request.body)) {
      total += piece.byteLength;
      if (total > maxBytes) throw tooLarge("Request body too large");
      pieces.push(piece);
    }
  }
  const text = new TextDecoder().decode(concatBytes(pieces));
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest("Malformed JSON in request body");
  }
}
