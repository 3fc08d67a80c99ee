// What server-side data scrubbing looks for, as Sentry's defaults do: keys whose values are secrets, and
// secrets recognizable in any string (card numbers, bearer tokens, PEM keys, passwords in URLs, US social
// security numbers, IBANs, and IP addresses when the project asks). Rule ids are Sentry's, so `_meta`
// remarks name what removed a value the way Sentry's do.

/** Keys whose value is replaced whole (case-insensitive, anywhere in the key). */
const SECRET_KEY =
  /password|passwd|secret|api[-_]?key|auth|credentials|mysql_pwd|private[-_]?key|token|session|csrf|xsrf|^otp$|^two[-_]factor$/i;

/** Session and CSRF cookies of common frameworks, filtered whatever the scrubbing defaults say of keys. */
const SENSITIVE_COOKIES = new Set([
  "sentrysid",
  "sudo",
  "su",
  "session",
  "__session",
  "sessionid",
  "user_session",
  "symfony",
  "phpsessid",
  "fasthttpsessionid",
  "mysession",
  "irissessionid",
  "_vercel_jwt",
  "csrf",
  "xsrf",
  "_xsrf",
  "_csrf",
  "csrf-token",
  "csrf_token",
  "xsrf-token",
  "xsrf_token",
  "fastcsrf",
  "_iris_csrf",
]);

/** Request headers whose value is a credential in itself. */
const CREDENTIAL_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
]);

export const RULE_PASSWORD = "@password:filter";
export const RULE_SENSITIVE_FIELDS = "strip-fields";
export const RULE_ANYTHING = "@anything:filter";
export const RULE_IP_REMOVE = "@anything:remove";
export const RULE_IP = "@ip:replace";

export const FILTERED = "[Filtered]";

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export function isSensitiveCookie(name: string): boolean {
  return SENSITIVE_COOKIES.has(name.toLowerCase());
}

export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADERS.has(name.toLowerCase());
}

/** A pattern found inside a string: the rule that names it and how much of the match is replaced. */
export interface ValuePattern {
  rule: string;
  regex: RegExp;
  /** Replacement text. */
  text: string;
  /** The capture group replaced (0: the whole match). */
  group: number;
  /** A further check of the replaced text (a card number's checksum). */
  accept?: (matched: string) => boolean;
}

/** The Luhn checksum every payment card number satisfies: keeps order ids and timestamps out. */
export function passesLuhn(digits: string): boolean {
  const numbers = digits.replace(/[-\s]/g, "");
  let sum = 0;
  for (let i = 0; i < numbers.length; i++) {
    let d = numbers.charCodeAt(numbers.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return numbers.length >= 13 && sum % 10 === 0;
}

/** Secrets found in any string when the project keeps Sentry's default scrubbing. */
export const DEFAULT_VALUE_PATTERNS: readonly ValuePattern[] = [
  {
    rule: "@pemkey:filter",
    regex:
      /-----BEGIN[A-Z ]+(?:PRIVATE|PUBLIC) KEY-----[\t ]*\r?\n?([\s\S]+?)\r?\n?-----END[A-Z ]+(?:PRIVATE|PUBLIC) KEY-----/g,
    text: FILTERED,
    group: 1,
  },
  // Visa, Mastercard, Amex and Discover prefixes, spaces or dashes allowed between digits.
  {
    rule: "@creditcard:filter",
    regex: /\b(?:3[47]\d|4\d{3}|5[1-5]\d\d|65\d\d|6011)(?:[-\s]?\d){12}\b/g,
    text: FILTERED,
    group: 0,
    accept: passesLuhn,
  },
  { rule: "@password:filter", regex: /\bBearer\s+([^\s"',;]+)/gi, text: FILTERED, group: 1 },
  {
    rule: "@urlauth:legacy",
    regex: /\b(?:[a-z0-9+.-]+:)?\/\/[a-zA-Z0-9%_.-]+:([a-zA-Z0-9%_.-]+)@/g,
    text: FILTERED,
    group: 1,
  },
  { rule: "@usssn:filter", regex: /\b\d{3}-\d{2}-\d{4}\b/g, text: FILTERED, group: 0 },
  {
    rule: "@iban:filter",
    regex:
      /\b(?:AT|AD|AE|AL|AZ|BA|BE|BG|BH|BR|BY|CH|CR|CY|CZ|DE|DK|DO|EE|EG|ES|FI|FO|FR|GB|GE|GI|GL|GR|GT|HR|HU|IE|IL|IQ|IS|IT|JO|KW|KZ|LB|LC|LI|LT|LU|LV|MC|MD|ME|MK|MR|MT|MU|NL|NO|PK|PL|PS|PT|QA|RO|RS|SA|SC|SE|SI|SK|SM|ST|SV|TL|TN|TR|UA|VA|VG|XK)\d{2}[A-Z0-9]{11,30}\b/g,
    text: FILTERED,
    group: 0,
  },
];

const IPV4 = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}`;

/** IP addresses in strings, when the project scrubs them. IPv6 needs two colons and hex groups. */
export const IP_PATTERNS: readonly ValuePattern[] = [
  { rule: RULE_IP, regex: new RegExp(String.raw`\b${IPV4}\b`, "g"), text: "[ip]", group: 0 },
  {
    rule: RULE_IP,
    regex:
      /(?<![\w:])((?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,7}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?|::(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6}))(?![\w:])/gi,
    text: "[ip]",
    group: 1,
  },
];

/** What each rule removes, in words a user reads next to "[Filtered]". */
export const RULE_REASONS: Readonly<Record<string, string>> = {
  [RULE_PASSWORD]: "a password, token or other secret (by its key, or a bearer token)",
  [RULE_SENSITIVE_FIELDS]: "one of the project's sensitive fields",
  [RULE_ANYTHING]: "a credential header or session cookie",
  [RULE_IP_REMOVE]: "the client's IP address",
  [RULE_IP]: "an IP address",
  "@creditcard:filter": "a credit card number",
  "@pemkey:filter": "a PEM key",
  "@urlauth:legacy": "a password in a URL",
  "@usssn:filter": "a US social security number",
  "@iban:filter": "an IBAN",
};

/** Each place `_meta` remarks on, as a dotted path, with the rules that changed it. */
export function scrubbedPaths(meta: unknown): { path: string; rules: string[] }[] {
  const out: { path: string; rules: string[] }[] = [];
  const walk = (node: unknown, path: string[]) => {
    if (!node || typeof node !== "object" || Array.isArray(node)) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "") {
        const rem = (value as { rem?: unknown }).rem;
        const rules = Array.isArray(rem)
          ? rem.map((r) => (Array.isArray(r) ? String(r[0]) : "")).filter(Boolean)
          : [];
        if (rules.length > 0) out.push({ path: path.join("."), rules: [...new Set(rules)] });
      } else walk(value, [...path, key]);
    }
  };
  walk(meta, []);
  return out;
}
