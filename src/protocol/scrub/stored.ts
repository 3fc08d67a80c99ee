// A project's field lists (`sensitiveFields`, `safeFields`) as stored: a JSON array of strings, read
// leniently (anything unreadable is no list, so the defaults still apply).
export function parseFieldList(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}
