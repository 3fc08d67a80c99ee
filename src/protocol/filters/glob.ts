// Glob patterns as Sentry's inbound filters take them (error messages, releases, transaction names):
// `*` any run of characters, `?` one character, `{a,b}` either; matched whole and case-insensitively.

const cache = new Map<string, RegExp>();
const MAX_CACHED = 1000;

export function globToRegExp(glob: string): RegExp {
  const hit = cache.get(glob);
  if (hit) return hit;
  let source = "";
  let inBraces = false;
  for (const ch of glob) {
    if (ch === "*") source += "[\\s\\S]*";
    else if (ch === "?") source += "[\\s\\S]";
    else if (ch === "{" && !inBraces) {
      inBraces = true;
      source += "(?:";
    } else if (ch === "}" && inBraces) {
      inBraces = false;
      source += ")";
    } else if (ch === "," && inBraces) source += "|";
    else source += ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  if (inBraces) source += ")";
  const regex = new RegExp(`^${source}$`, "i");
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(glob, regex);
  return regex;
}

export function matchesAnyGlob(text: string, globs: readonly string[]): boolean {
  return globs.some((glob) => globToRegExp(glob).test(text));
}
