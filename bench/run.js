#!/usr/bin/env node
// Runs the benchmarks: `npm run bench` (all of them) or
// `npm run bench -- <name> [options]` (one, e.g. `presigner --seconds 5`).
// Each benchmark is a TypeScript file at the top of bench/; they are
// compiled with the sources they import to dist/bench, then run one after
// another, each in a fresh node process.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);
const available = readdirSync(benchDir)
  .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
  .map((file) => file.slice(0, -3))
  .sort();

const [first, ...rest] = process.argv.slice(2);
const chosen = first === undefined || first.startsWith("-") ? available : [first];
const options = first === undefined || first.startsWith("-") ? process.argv.slice(2) : rest;
for (const name of chosen) {
  if (!available.includes(name)) {
    process.stderr.write(`bench: no benchmark "${name}"; there are: ${available.join(", ")}\n`);
    process.exit(2);
  }
}

const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(benchDir, "tsconfig.json")], { stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

let failed = 0;
for (const name of chosen) {
  // As host-tools/bin/ferry.js: the AWS SDK's notice that its releases after
  // January 2027 need Node 22 does not concern a pinned release.
  const env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...process.env };
  const run = spawnSync(process.execPath, [join(root, "dist/bench/bench", `${name}.js`), ...options], { stdio: "inherit", env });
  if (run.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
