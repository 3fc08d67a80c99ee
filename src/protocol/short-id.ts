// The number part of Sentry's short issue ids (`PROJECT-1A`): base 32 in Crockford's alphabet, as
// Sentry writes it (digits, then letters without I, L, O and U). Reading is forgiving the same way:
// lower case, and the look-alikes O → 0 and I/L → 1.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export function encodeShortNumber(number: number): string {
  if (!Number.isSafeInteger(number) || number < 0) throw new RangeError(`not a short id number: ${number}`);
  let out = "";
  let rest = number;
  do {
    out = (ALPHABET[rest % 32] as string) + out;
    rest = Math.floor(rest / 32);
  } while (rest > 0);
  return out;
}

/** The number of a short id's last part, or null when it is not base 32. */
export function decodeShortNumber(text: string): number | null {
  if (text === "") return null;
  let number = 0;
  for (const raw of text.toUpperCase()) {
    const char = raw === "O" ? "0" : raw === "I" || raw === "L" ? "1" : raw;
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) return null;
    number = number * 32 + digit;
    if (!Number.isSafeInteger(number)) return null;
  }
  return number;
}
