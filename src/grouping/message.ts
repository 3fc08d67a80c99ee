// Message parameterization: values that differ between occurrences of the same log line (ids,
// numbers, addresses, timestamps, durations) become placeholders, so "took 2300ms for order 17" and
// "took 15ms for order 99" group together. Same placeholder names and precedence as Sentry's
// message normalization; the patterns are our own.

const IPV4_OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = `${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}`;
const H16 = "[0-9a-fA-F]{1,4}";
const EMAIL_LOCAL = "[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]";

/** Ordered alternatives: the first that matches at a position wins (email before url before ip …). */
const PATTERNS: [name: string, source: string][] = [
  // The lookbehind starts the local part only at the beginning of a run (keeps matching linear).
  ["email", `(?<!${EMAIL_LOCAL})${EMAIL_LOCAL}+@[a-zA-Z0-9-]+(?:\\.[a-zA-Z0-9-]+)*`],
  ["url", "\\b(?:wss?|https?|ftp)://[^\\s/$.?#][^\\s]*"],
  [
    "ip",
    [
      // IPv6: eight groups, or a `::` abbreviation (optionally ending in an embedded IPv4).
      `(?<![\\w:.])(?:${H16}:){7}${H16}(?![\\w:])`,
      `(?<![\\w:.])(?:(?:${H16}:){1,7}|:):(?:${IPV4}|${H16}(?::${H16}){0,6})?(?![\\w:])`,
      `\\b${IPV4}\\b`,
    ].join("|"),
  ],
  ["traceparent", "\\b[0-9a-fA-F]{2}-[0-9a-fA-F]{32}-[0-9a-fA-F]{16}-[0-9a-fA-F]{2}\\b"],
  ["uuid", "\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b"],
  ["sha1", "\\b[0-9a-fA-F]{40}\\b"],
  ["md5", "\\b[0-9a-fA-F]{32}\\b"],
  [
    "date",
    [
      // ISO 8601 / RFC 3339 dates and date-times.
      "\\b\\d{4}-[01]\\d-[0-3]\\d(?:[T ][0-2]\\d:[0-5]\\d(?::[0-5]\\d(?:[.,]\\d+)?)?(?:Z|[+-][0-2]\\d:?[0-5]\\d)?)?(?![\\w:])",
      // `Mon Jan 2 15:04:05 2006` (ctime) and `Mon, 02 Jan 2006 15:04:05 +0000` (RFC 2822).
      "\\b(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),?\\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\\s+\\d{1,2}\\s+\\d{2}:\\d{2}:\\d{2}\\s+\\d{4}\\b",
      "\\b(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\\s+)?\\d{1,2}\\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\\s+\\d{4}\\s+\\d{2}:\\d{2}(?::\\d{2})?\\s+(?:[+-]\\d{4}|UT|GMT|[ECMP][SD]T|[A-IK-Z])\\b",
      // Python reprs.
      "datetime\\.datetime\\([^)]*\\)",
    ].join("|"),
  ],
  ["duration", "(?<![\\w.])\\d+(?:\\.\\d+)?(?:ns|us|µs|ms|s|sec|secs|m|min|mins|h|hr|hrs|d)\\b"],
  ["hex", "\\b0[xX][0-9a-fA-F]+\\b|\\b(?=[0-9a-fA-F]*\\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{16,}\\b"],
  ["float", "-?\\b\\d+\\.\\d+\\b"],
  ["int", "-?\\b\\d+\\b"],
  ["quoted_str", "='[\\w\\s]+'|=\"[\\w\\s]+\""],
  ["bool", "=(?:true|false|True|False)\\b"],
];

const NAMES = PATTERNS.map(([name]) => name);
const COMBINED = new RegExp(PATTERNS.map(([name, source]) => `(?<${name}>${source})`).join("|"), "g");

/**
 * Replaces the variable parts of a message with placeholders: `<email>`, `<url>`, `<ip>`,
 * `<traceparent>`, `<uuid>`, `<sha1>`, `<md5>`, `<date>`, `<duration>`, `<hex>`, `<float>`, `<int>`,
 * and `=<quoted_str>` / `=<bool>` for the value half of `key='value'` / `key=true`.
 */
export function parameterizeMessage(message: string): string {
  return message.replace(COMBINED, (...args: unknown[]) => {
    const groups = args[args.length - 1] as Record<string, string | undefined>;
    const text = String(args[0]);
    for (const name of NAMES) {
      if (groups[name] === undefined) continue;
      // A `::` path such as `abc::def` is not an IPv6 address: real ones carry a digit.
      if (name === "ip" && !/\d/.test(text)) return text;
      return name === "quoted_str" || name === "bool" ? `=<${name}>` : `<${name}>`;
    }
    return text;
  });
}

/** Keeps the first two non-empty lines (`...` appended when something was cut), then parameterizes. */
export function normalizeMessageForGrouping(message: string): string {
  const lines = message.split(/\r\n|\r|\n/).filter((line) => line.trim() !== "");
  let trimmed = lines.slice(0, 2).join("\n");
  if (trimmed !== message) trimmed += "...";
  return parameterizeMessage(trimmed);
}
