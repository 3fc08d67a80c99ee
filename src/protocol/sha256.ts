// SHA-256 as lower-case hex (Web Crypto): how API tokens and UI session tokens are stored, and the
// digest that recognizes a retried log item by its bytes.

const hex = (digest: ArrayBuffer) =>
  [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");

export async function sha256Hex(value: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value)));
}

/** SHA-256 of `kind`, a NUL and the bytes: the same bytes sent as another kind of item differ. */
export async function sha256OfBytes(kind: string, bytes: Uint8Array): Promise<string> {
  const prefix = new TextEncoder().encode(`${kind}\0`);
  const all = new Uint8Array(prefix.byteLength + bytes.byteLength);
  all.set(prefix);
  all.set(bytes, prefix.byteLength);
  return hex(await crypto.subtle.digest("SHA-256", all));
}
