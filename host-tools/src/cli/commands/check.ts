// `ferry check <bundle.js>...`: runs the Espruino compatibility gate on
// built bundles. Exit 0 when every bundle passes, 1 when any has a finding,
// 2 when the command line is wrong or a bundle cannot be read.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { checkBundle, formatFinding } from "../../gate/index.js";
import type { Command } from "../command.js";

/** Where the command writes; the real process streams unless a caller hands in others. */
export interface CheckOutput {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const USAGE = `Usage: ferry check <bundle.js>...

Checks built ES5 bundles against what the Espruino engine accepts: ES5 syntax,
reserved names, labels, regular expressions, missing built-ins, methods read
through prototypes, and uses of a name before its declaration has run (the
engine does not hoist). Prints each problem as file:line:col rule: message.

Exit status: 0 when every bundle passes, 1 when any has a problem, 2 on a
usage error or an unreadable file.`;

export function createCheckCommand(output: CheckOutput): Command {
  return {
    summary: "check built bundles against the Espruino engine's limits",
    usage: USAGE,
    async run(argv) {
      let files: string[];
      try {
        files = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {} }).positionals;
      } catch (error) {
        output.stderr.write(`ferry check: ${(error as Error).message}\n${USAGE}\n`);
        return 2;
      }
      if (files.length === 0) {
        output.stderr.write(`ferry check: name at least one bundle, e.g. \`ferry check dist/app.js\`.\n`);
        return 2;
      }
      const bundles = await readBundles(files, output);
      if (!bundles) return 2;
      let failed = false;
      for (const { file, bytes } of bundles) {
        const result = checkBundle(bytes.toString("utf8"), { file });
        for (const finding of result.findings) output.stdout.write(`${formatFinding(finding)}\n`);
        const count = result.findings.length;
        output.stdout.write(
          result.ok
            ? `${file}: passes the Espruino gate (${bytes.length} bytes)\n`
            : `${file}: ${count} ${count === 1 ? "problem" : "problems"}\n`,
        );
        failed ||= !result.ok;
      }
      return failed ? 1 : 0;
    },
  };
}

async function readBundles(files: string[], output: CheckOutput): Promise<{ file: string; bytes: Buffer }[] | null> {
  const bundles: { file: string; bytes: Buffer }[] = [];
  let unreadable = false;
  for (const file of files) {
    try {
      bundles.push({ file, bytes: await readFile(file) });
    } catch (error) {
      unreadable = true;
      output.stderr.write(`ferry check: cannot read ${file}: ${describe(error)}\n`);
    }
  }
  return unreadable ? null : bundles;
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file. Build the bundle first (`ferry build`) or check the path.";
  if (code === "EISDIR") return "it is a directory. Name the bundle file inside it.";
  return error instanceof Error ? error.message : String(error);
}

export const command: Command = createCheckCommand({ stdout: process.stdout, stderr: process.stderr });
