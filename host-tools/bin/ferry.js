#!/usr/bin/env node
// The ferry command. The CLI is written in TypeScript and compiled to
// dist/host by `npm run build:host` (run by `npm install` and `npm start`).
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

// ferry pins its AWS SDK release, which runs on Node 20; the SDK's notice that
// later releases will need Node 22 does not concern its users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const entry = fileURLToPath(new URL("../../dist/host/host-tools/src/cli/main.js", import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write("ferry: the CLI is not compiled yet. Run `npm install` (or `npm run build:host`) in the ferry folder first.\n");
  process.exit(2);
}
const { main } = await import(pathToFileURL(entry).href);
// Exit as soon as the command is done: a failed TypeScript compile can leave
// the Rollup plugin's file watchers open, which would keep the process alive.
process.exit(await main(process.argv.slice(2)));
