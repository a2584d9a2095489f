// `ferry run <bundle.js>`: runs a built bundle on the device emulator, the
// way a provisioned board would run it from `.bootcde`, and streams the
// device console. The compatibility gate runs first: a bundle the engine
// would reject is refused with the gate's findings unless --no-gate.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { loadBoard } from "../../boards/index.js";
import type { BoardDefinition } from "../../boards/types.js";
import { Device } from "../../emulator/index.js";
import { checkBundle, formatFinding } from "../../gate/index.js";
import type { Command } from "../command.js";

export interface RunIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Resolves when the user asks the run to stop (Ctrl-C); `release` stops listening. */
  interrupt(): { stopped: Promise<void>; release(): void };
}

const USAGE = `Usage: ferry run <bundle.js> [options]

Runs a built bundle on the emulated ESP32: the bundle is installed as
.bootcde and the device boots, with the engine's missing built-ins, Storage,
SD card, Wi-Fi and sockets. The device console goes to stdout.

Options:
  --board <id|file>        board to emulate (default: a no-PSRAM ESP32)
  --sd <dir>               directory standing for the SD card (default: no card)
  --storage <file>         file keeping Storage between runs (default: a fresh one)
  --wifi <ssid[:password]> an access point in range; repeat for more
  --timeout <seconds>      stop after this long (default: run until Ctrl-C)
  --no-gate                run even if the compatibility gate finds problems

Exit status: 0 when stopped by --timeout or Ctrl-C, 1 when the gate refuses
the bundle or the device runs out of memory, 2 on a usage error.`;

interface RunOptions {
  bundle: string;
  board?: string;
  sd?: string;
  storage?: string;
  wifi: { ssid: string; password?: string }[];
  timeoutMs?: number;
  gate: boolean;
}

class RunUsageError extends Error {}

function parseRunArgs(argv: string[]): RunOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        board: { type: "string" },
        sd: { type: "string" },
        storage: { type: "string" },
        wifi: { type: "string", multiple: true },
        timeout: { type: "string" },
        "no-gate": { type: "boolean" },
      },
    });
  } catch (error) {
    throw new RunUsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new RunUsageError("name exactly one bundle, e.g. `ferry run dist/app.js`");
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    const seconds = Number(values.timeout);
    if (!(seconds > 0)) throw new RunUsageError(`--timeout takes a number of seconds above 0, got "${values.timeout}"`);
    timeoutMs = seconds * 1000;
  }
  const wifi = (values.wifi ?? []).map((spec) => {
    const colon = spec.indexOf(":");
    return colon < 0 ? { ssid: spec } : { ssid: spec.slice(0, colon), password: spec.slice(colon + 1) };
  });
  return {
    bundle: positionals[0]!,
    board: values.board,
    sd: values.sd,
    storage: values.storage,
    wifi,
    timeoutMs,
    gate: !values["no-gate"],
  };
}

export function createRunCommand(io: RunIo): Command {
  return {
    summary: "run a built bundle on the device emulator",
    usage: USAGE,
    async run(argv) {
      let options: RunOptions;
      try {
        options = parseRunArgs(argv);
      } catch (error) {
        if (!(error instanceof RunUsageError)) throw error;
        io.stderr.write(`ferry run: ${error.message}\n${USAGE}\n`);
        return 2;
      }
      let source: string;
      try {
        source = await readFile(options.bundle, "utf8");
      } catch (error) {
        io.stderr.write(`ferry run: cannot read ${options.bundle}: ${(error as Error).message}. Build it first with \`ferry build\`.\n`);
        return 2;
      }
      if (options.gate) {
        const result = checkBundle(source, { file: options.bundle });
        if (!result.ok) {
          for (const finding of result.findings) io.stderr.write(`${formatFinding(finding)}\n`);
          io.stderr.write(
            `ferry run: ${options.bundle} would fail on the engine (${result.findings.length} ` +
              `${result.findings.length === 1 ? "problem" : "problems"} above); fix them, or pass --no-gate to run it anyway.\n`,
          );
          return 1;
        }
      }
      let board: BoardDefinition | undefined;
      if (options.board !== undefined) {
        try {
          board = await loadBoard(options.board);
        } catch (error) {
          io.stderr.write(`ferry run: ${(error as Error).message}\n`);
          return 2;
        }
      }
      const device = await Device.create({
        board,
        storagePath: options.storage,
        sdPath: options.sd ?? null,
        wifi: { networks: options.wifi },
        onConsole: (text) => io.stdout.write(text),
      });
      const interrupt = io.interrupt();
      let timer: NodeJS.Timeout | undefined;
      try {
        const outOfMemory = new Promise<number>((resolve) => device.once("oom", () => resolve(1)));
        const timedOut = new Promise<number>((resolve) => {
          if (options.timeoutMs !== undefined) timer = setTimeout(() => resolve(0), options.timeoutMs);
        });
        device.install(source);
        device.boot();
        return await Promise.race([outOfMemory, timedOut, interrupt.stopped.then(() => 0)]);
      } finally {
        if (timer) clearTimeout(timer);
        interrupt.release();
        await device.close();
      }
    },
  };
}

function interruptByCtrlC(): { stopped: Promise<void>; release(): void } {
  let onSignal: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    onSignal = () => resolve();
    process.once("SIGINT", onSignal);
  });
  return { stopped, release: () => process.off("SIGINT", onSignal) };
}

export const command: Command = createRunCommand({ stdout: process.stdout, stderr: process.stderr, interrupt: interruptByCtrlC });
