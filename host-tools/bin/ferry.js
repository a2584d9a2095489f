#!/usr/bin/env node
// The ferry command. The CLI is written in TypeScript and compiled to
// dist/host by `npm run build:host` (run by `npm install` and `npm start`).
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const entry = fileURLToPath(new URL("../../dist/host/host-tools/src/cli/main.js", import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write("ferry: the CLI is not compiled yet. Run `npm install` (or `npm run build:host`) in the ferry folder first.\n");
  process.exit(2);
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
