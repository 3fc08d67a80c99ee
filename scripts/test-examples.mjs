// `npm run test:examples` (part of `npm test`): each project in examples/ run as its own developer
// would run it — `npm install` from its lockfile (faultline is `file:../..`, a link to this checkout,
// whose dist/ `npm run build` made; the other packages mostly come from npm's cache, filled by the
// root install), then its own `npm test`. Stops at the first failure.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./local-server.mjs";

const examples = readdirSync(join(ROOT, "examples"), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(ROOT, "examples", d.name, "package.json")))
  .map((d) => d.name)
  .sort();

function npm(args, cwd) {
  const result = spawnSync("npm", args, { cwd, stdio: "inherit", env: { ...process.env, CI: "true" } });
  if (result.status !== 0) {
    console.error(`examples: npm ${args.join(" ")} failed in ${cwd} (${result.status ?? result.signal})`);
    process.exit(1);
  }
}

for (const name of examples) {
  const cwd = join(ROOT, "examples", name);
  console.log(`\nexamples/${name}: npm install && npm test`);
  npm(["install", "--no-audit", "--no-fund", "--prefer-offline"], cwd);
  npm(["test"], cwd);
}
console.log(`\nexamples: ${examples.length} passed (${examples.join(", ")})`);
