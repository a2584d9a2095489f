import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildFirmware, FirmwareBuildError } from "../../build/firmware.js";
import { DEFAULT_APP_ENTRY, DEFAULT_BUNDLE } from "../../paths.js";
import { UsageError, type Command } from "../command.js";

export const command: Command = {
  summary: "compile device TypeScript into one ES5 bundle for Espruino, and gate it",
  usage: `Usage: ferry build [entry.ts] [options]

Compiles the device app (default: firmware/src/main.ts) with TypeScript and
Rollup, minifies it with terser, and runs the Espruino compatibility gate on
the result. Fails when the bundle would not run on the engine.

Options:
  -o, --out <file>       where to write the bundle (default: dist/firmware/app.js)
      --tsconfig <file>  device tsconfig (default: ferry's firmware/tsconfig.json)
      --readable         keep names and layout readable (larger bundle)
      --keep-properties  minify, but leave every property name as written: for an
                         app whose objects cross the bundle's edge in a way the
                         type checker cannot see (docs/device-code.md, "@wire")
`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: "string", short: "o" },
        tsconfig: { type: "string" },
        readable: { type: "boolean", default: false },
        "keep-properties": { type: "boolean", default: false },
      },
    });
    if (positionals.length > 1) throw new UsageError("give one entry file (the app's main module)");
    const entry = positionals[0] ? resolve(positionals[0]) : DEFAULT_APP_ENTRY;
    const outFile = values.out ? resolve(values.out) : DEFAULT_BUNDLE;
    const started = performance.now();
    try {
      const build = await buildFirmware({
        entry,
        outFile,
        tsconfig: values.tsconfig ? resolve(values.tsconfig) : undefined,
        minify: !values.readable,
        shortenProperties: values["keep-properties"] ? false : undefined,
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stdout.write(
        `${relative(process.cwd(), outFile)}: ${build.bytes.toLocaleString("en-US")} bytes, passes the Espruino gate (${seconds} s)\n`,
      );
      return 0;
    } catch (err) {
      if (!(err instanceof FirmwareBuildError)) throw err;
      process.stderr.write(`ferry build: ${err.message}\n`);
      if (err.build) process.stderr.write(`bundle size: ${err.build.bytes.toLocaleString("en-US")} bytes (not written)\n`);
      return 1;
    }
  },
};
