// Node side of the UI password format (src/ui/password.ts): PBKDF2-SHA256, 100,000 iterations,
// 16-byte random salt, `pbkdf2_sha256$<iterations>$<salt base64>$<hash base64>`.
import { pbkdf2Sync, randomBytes } from "node:crypto";

export const PBKDF2_ITERATIONS = 100_000;

export function hashPassword(password) {
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(password, salt, PBKDF2_ITERATIONS, 32, "sha256");
  return `pbkdf2_sha256$${PBKDF2_ITERATIONS}$${salt.toString("base64")}$${hash.toString("base64")}`;
}

/** A password to show once: 20 characters from an unambiguous alphabet. */
export function generatePassword() {
  const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  return [...randomBytes(20)].map((b) => alphabet[b % alphabet.length]).join("");
}
