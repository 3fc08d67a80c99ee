// Types for scripts/password.mjs.
export const PBKDF2_ITERATIONS: number;
export function hashPassword(password: string): string;
export function generatePassword(): string;
