// `ferry start`, what `npm start` runs: the whole job on this machine. The
// local stack (broker, store, presigner, emulated devices running the real
// app) starts, the devices ship their sample logs, the bucket is checked
// against their cards, and the stack stays up for `ferry sim device` to
// join until Ctrl-C (docs/local-stack.md).
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { once } from "node:events";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildFirmware } from "../../build/firmware.js";
import { DEFAULT_APP_ENTRY } from "../../paths.js";
import { DEFAULT_DEVICE_COUNT, startLocalStack, type LocalStack } from "../../stack/local-stack.js";
import { ProgressDisplay } from "../../stack/progress-display.js";
import { DEFAULT_WORK_DIR, liveStackState, STATE_FILE_NAME } from "../../stack/state-file.js";
import { secondsOption, stopRequest } from "../../stack/stop-request.js";
import { formatBytes, samplesIntact, summaryLines } from "../../stack/terminal-view.js";
import { UsageError, type Command } from "../command.js";

const USAGE = `Usage: ferry start [options]

Builds firmware/src/main.ts and runs the whole job locally, with nothing to
install: an MQTT broker (aedes), an S3 store (s3rver) and the presigner, all
in this process, and emulated ESP32s running the app, each with an SD card
of sample logs. It shows each device's uploads, then what the bucket holds
and whether every sample file arrived byte for byte, and keeps running
(devices keep logging and uploading) until Ctrl-C. Another terminal can add
a device with \`ferry sim device\`.

Files go to .ferry/ in the current folder: stack.json (how to join; removed
on stop), the cards, each device's console and the presigner's log.

Options:
      --devices <n>   emulated devices to start (default ${DEFAULT_DEVICE_COUNT})
      --seconds <n>   stop after n seconds instead of waiting for Ctrl-C
      --quiet         no progress lines: only the summary and problems

Exit status: 0 when every sample file is in the bucket byte for byte, 1 when
one is not (or a device ran out of memory, or --seconds ran out first),
2 on a usage error.`;

export const command: Command = {
  summary: "run the whole job locally: broker, S3 store, presigner and three emulated devices (what `npm start` runs)",
  usage: USAGE,
  async run(argv) {
    // A UsageError reaches main, which prints this usage and exits 2.
    const options = parseStartArgs(argv);
    const say = (text: string) => process.stdout.write(`${text}\n`);
    const workDir = resolve(DEFAULT_WORK_DIR);
    const running = liveStackState(join(workDir, STATE_FILE_NAME));
    if (running) throw new Error(`a local stack already runs in this folder (process ${running.pid}): join it with \`npx ferry sim device\`, or stop it first`);
    say("ferry: building the device app...");
    const build = await buildFirmware({ entry: DEFAULT_APP_ENTRY });
    say(`ferry: app bundle ${build.bytes.toLocaleString("en-US")} bytes, passes the Espruino gate`);

    await mkdir(workDir, { recursive: true });
    const presignerLog = createWriteStream(join(workDir, "presigner.log"));
    const stop = stopRequest(options.seconds);
    let stack: LocalStack | undefined;
    try {
      // The devices are added once the display follows the broker, so it sees each one's first report.
      stack = await startLocalStack({ bundle: build.code, devices: 0, workDir, presignerLog, consoleFiles: true });
      return await follow(stack, options, stop.requested, say);
    } finally {
      stop.cancel();
      await stack?.stop();
      presignerLog.end();
      await once(presignerLog, "close");
      say("ferry: stopped");
    }
  },
};

function parseStartArgs(argv: string[]): { devices: number; seconds?: number; quiet: boolean } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { devices: { type: "string" }, seconds: { type: "string" }, quiet: { type: "boolean", default: false } },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const devices = values.devices === undefined ? DEFAULT_DEVICE_COUNT : Number(values.devices);
  if (!Number.isInteger(devices) || devices < 1 || devices > 50) throw new UsageError(`--devices takes a whole number from 1 to 50, got "${values.devices}"`);
  let seconds: number | undefined;
  try {
    seconds = secondsOption(values.seconds, "--seconds");
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return { devices, seconds, quiet: values.quiet };
}

async function follow(
  stack: LocalStack,
  options: { devices: number; quiet: boolean },
  stopRequested: Promise<"signal" | "deadline">,
  say: (text: string) => void,
): Promise<number> {
  const here = (path: string) => relative(process.cwd(), path) || ".";
  say(`ferry: MQTT broker (aedes) ${stack.broker.url}, no TLS`);
  say(`ferry: S3 store (s3rver) ${stack.store.endpoint}, bucket ${stack.store.bucket}`);
  say(`ferry: presigner answering ${stack.endpoints.topicPrefix}/+/presign, development master secret, URLs expire after ${stack.expirySeconds} s`);
  say(`ferry: consoles and presigner log in ${here(stack.workDir)}/; join from another terminal with \`npx ferry sim device\``);

  const display = new ProgressDisplay(process.stdout, stack, { quiet: options.quiet });
  const print = (text: string) => display.print(text);
  let problems = 0;
  stack.events.on("out-of-memory", (device, reason) => {
    problems++;
    print(`ferry: ${device} ran out of memory (${reason}); its app has stopped`);
  });
  const started = Date.now();
  for (let i = 0; i < options.devices; i++) {
    const device = await stack.addDevice();
    const bytes = device.samples.reduce((sum, sample) => sum + sample.size, 0);
    print(`ferry: ${device.id} booted with ${device.samples.length} sample log files (${formatBytes(bytes)}) on its SD card`);
  }
  const samples = stack.devices.reduce((sum, device) => sum + device.samples.length, 0);
  const stored = await Promise.race([
    stack.samplesStored(undefined, Infinity).then(
      () => true,
      (err: Error) => {
        print(`ferry: ${err.message}`);
        return false;
      },
    ),
    stopRequested.then(() => false),
  ]);
  if (stored) {
    print(`ferry: all ${samples} sample files stored ${((Date.now() - started) / 1000).toFixed(1)} s after the first device booted`);
    const summary = await stack.bucketSummary();
    print(summaryLines(summary, stack.store.endpoint).join("\n"));
    if (!samplesIntact(summary)) problems++;
    print("ferry: running; the devices keep logging and uploading new files. Ctrl-C to stop.");
  }
  const reason = await stopRequested;
  display.stop();
  if (!stored) {
    const missing = stack.progress().reduce((sum, progress) => sum + progress.samples.length - progress.storedSamples.size, 0);
    say(`ferry: stopped by ${reason === "deadline" ? "--seconds" : "request"} before every sample file was stored (${missing} still on the cards)`);
    return reason === "deadline" ? 1 : problems > 0 ? 1 : 0;
  }
  return problems > 0 ? 1 : 0;
}
