// The `ferry` command: one entry, one module per subcommand.
import { UsageError, type Command } from "./command.js";

const COMMANDS: Record<string, () => Promise<{ command: Command }>> = {
  build: () => import("./commands/build.js"),
  check: () => import("./commands/check.js"),
  presigner: () => import("./commands/presigner.js"),
  run: () => import("./commands/run.js"),
  sim: () => import("./commands/sim.js"),
  start: () => import("./commands/start.js"),
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(await usage());
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "-v") {
    process.stdout.write(`${await version()}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`ferry: unknown command "${name}". Run \`ferry help\` for the list.\n`);
    return 2;
  }
  const { command } = await load();
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (isUsageError(err)) {
      process.stderr.write(`ferry ${name}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`ferry ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

/** A UsageError, or node:util parseArgs refusing the options (an unknown flag, a missing value). */
function isUsageError(err: unknown): err is Error {
  if (err instanceof UsageError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}

async function usage(): Promise<string> {
  const lines = ["Usage: ferry <command> [options]", "", "Commands:"];
  for (const [name, load] of Object.entries(COMMANDS)) {
    const { command } = await load();
    lines.push(`  ${name.padEnd(10)} ${command.summary}`);
  }
  lines.push("", "Run `ferry <command> --help` for a command's options.", "");
  return lines.join("\n");
}

async function version(): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const { PACKAGE_ROOT } = await import("../paths.js");
  const pkg = JSON.parse(await readFile(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string };
  return pkg.version;
}
