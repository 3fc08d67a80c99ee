// `npm run check:architecture`: the import rules of .dependency-cruiser.cjs, plus the rules an import graph
// cannot see — where SQL statements and R2 calls may be written, and how long a source file may grow.
// Exits non-zero and lists every violation.

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const MAX_LINES = 450;

/** Text rules: [what, pattern, folders (relative to src/) where it is allowed]. */
const TEXT_RULES = [
  // `.exec(` is also RegExp's; D1's exec is only ever called on the binding or a D1Database.
  ["a D1 statement (.prepare/.batch/.exec)", /\.(prepare|batch)\(|\b(DB|db|d1)\.exec\(/, ["db/"]],
  // Durable Object SQLite storage (the spool) is storage too.
  ["a Durable Object SQL statement (sql.exec)", /\bsql\.exec\(/, ["db/"]],
  [
    "an R2 call",
    /\b(BLOBS|blobs|bucket|r2)\.(put|get|head|list|delete|createMultipartUpload|resumeMultipartUpload)\(/,
    ["blobs/"],
  ],
  ["an R2 type", /\bR2(Bucket|Object|ObjectBody|MultipartUpload|UploadedPart)\b/, ["blobs/", "env.ts"]],
];

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

const problems = [];
// testing/ (the test sink: library and Worker) is held to the same length.
for (const file of sourceFiles(join(root, "testing"))) {
  const lines = readFileSync(file, "utf8").split("\n").length;
  if (lines > MAX_LINES) problems.push(`${relative(root, file)}: ${lines} lines (at most ${MAX_LINES})`);
}
for (const file of sourceFiles(join(root, "src"))) {
  const rel = relative(join(root, "src"), file);
  const lines = readFileSync(file, "utf8").split("\n");
  if (lines.length > MAX_LINES) problems.push(`src/${rel}: ${lines.length} lines (at most ${MAX_LINES})`);
  for (const [what, pattern, allowed] of TEXT_RULES) {
    if (allowed.some((prefix) => rel.startsWith(prefix))) continue;
    lines.forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, "");
      if (pattern.test(code)) problems.push(`src/${rel}:${i + 1}: ${what} outside src/${allowed[0]}`);
    });
  }
}

// The CLI, not the JS API: only the CLI reads tsconfig.json itself (paths, `.ts` import extensions).
const cli = join(root, "node_modules", ".bin", "depcruise");
let report;
try {
  report = execFileSync(
    cli,
    ["src", "testing", "--config", ".dependency-cruiser.cjs", "--output-type", "json"],
    {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    },
  );
} catch (error) {
  // depcruise exits non-zero when rules are violated; its JSON report is still on stdout.
  report = error.stdout;
  if (!report) throw error;
}
const result = { output: JSON.parse(report) };
for (const v of result.output.summary.violations) {
  const via = v.cycle ? ` (cycle: ${v.cycle.map((c) => c.name ?? c).join(" → ")})` : "";
  problems.push(`${v.rule.name}: ${v.from} → ${v.to}${via}`);
}

if (problems.length > 0) {
  console.error(`Architecture rules: ${problems.length} violation(s)\n${problems.join("\n")}`);
  process.exit(1);
}
const { totalCruised, totalDependenciesCruised } = result.output.summary;
console.log(
  `Architecture rules: ok (${totalCruised} modules, ${totalDependenciesCruised} imports, no file over ${MAX_LINES} lines)`,
);
