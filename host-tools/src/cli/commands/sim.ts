// `ferry sim device`: one more emulated device on a running local stack,
// from another terminal. It reads the stack's state file (or is told the
// broker, store and secret), provisions a device with its own card of
// sample logs, and follows that device until Ctrl-C (docs/local-stack.md).
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { buildFirmware } from "../../build/firmware.js";
import { DEFAULT_APP_ENTRY } from "../../paths.js";
import { DEFAULT_DEVICES_PREFIX } from "../../../../firmware/src/protocol/keys.js";
import { DEFAULT_TOPIC_PREFIX } from "../../../../firmware/src/protocol/topics.js";
import { LOCAL_STORE_BUCKET, LOCAL_STORE_REGION } from "../../local/store.js";
import { joinLocalStack, type JoinedStack, type JoinTarget } from "../../stack/join.js";
import { ProgressDisplay } from "../../stack/progress-display.js";
import { DEFAULT_STACK_FILE, readStackState } from "../../stack/state-file.js";
import { secondsOption, stopRequest, type StopReason } from "../../stack/stop-request.js";
import { samplesIntact, summaryLines } from "../../stack/terminal-view.js";
import { UsageError, type Command } from "../command.js";

const USAGE = `Usage: ferry sim device [options]

Adds one emulated ESP32 to the local stack that \`ferry start\` (npm start)
runs in another terminal. The device gets its own SD card of sample logs,
its config and HMAC key in Storage, and the app the stack's devices run; it
uploads through the stack's broker, presigner and store like the others.
Runs until Ctrl-C.

The stack is found through its state file, ${DEFAULT_STACK_FILE} in the folder
\`ferry start\` runs in. Without one, name the parts: --broker, --store and
the master secret the stack's presigner uses (FERRY_MASTER_SECRET, or
--secret, which other users of this machine can see in the process list).

Options:
      --id <id>            device id (default: the next free sim-<n>)
      --stack-file <file>  the running stack's state file (default ${DEFAULT_STACK_FILE})
      --broker <url>       mqtt://host:port of the stack's broker, instead of a stack file
      --store <url>        http://host:port of the stack's S3 store
      --bucket <name>      the store's bucket (default ${LOCAL_STORE_BUCKET})
      --secret <text>      the presigner's master secret (prefer FERRY_MASTER_SECRET)
      --bundle <file>      run this app bundle (default: the one the stack's devices run,
                           or firmware/src/main.ts built now when joining without a stack file)
      --seconds <n>        stop after n seconds instead of waiting for Ctrl-C
      --quiet              no progress lines: only the summary and problems

Exit status: 0 when the device's sample files are all in the bucket byte for
byte, 1 when they are not (or the stack went away), 2 on a usage error.`;

interface SimOptions {
  target: JoinTarget;
  bundle?: string;
  id?: string;
  seconds?: number;
  quiet: boolean;
}

export const command: Command = {
  summary: "add an emulated device to the running local stack (`ferry sim device`)",
  usage: USAGE,
  async run(argv) {
    // A UsageError reaches main, which prints this usage and exits 2.
    const options = parseSimArgs(argv);
    const say = (text: string) => process.stdout.write(`${text}\n`);
    const bundle = await appBundle(options, say);
    const stop = stopRequest(options.seconds);
    let joined: JoinedStack | undefined;
    try {
      joined = await joinLocalStack(options.target, { bundle, consoleFiles: true });
      return await follow(joined, options, stop.requested, say);
    } finally {
      stop.cancel();
      await joined?.leave();
      say("ferry: device stopped");
    }
  },
};

/** The app the device runs: --bundle, else the stack's own (read by joinLocalStack), else built now. */
async function appBundle(options: SimOptions, say: (text: string) => void): Promise<string | undefined> {
  if (options.bundle !== undefined) {
    try {
      return await readFile(options.bundle, "utf8");
    } catch (err) {
      throw new Error(`cannot read ${options.bundle} (${(err as NodeJS.ErrnoException).code ?? "error"}): build one with \`ferry build\``);
    }
  }
  if ("stateFile" in options.target) {
    // Says at once, not after a build, when no stack is running.
    readStackState(options.target.stateFile);
    return undefined;
  }
  say("ferry: building the device app...");
  return (await buildFirmware({ entry: DEFAULT_APP_ENTRY })).code;
}

function parseSimArgs(argv: string[]): SimOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        id: { type: "string" },
        "stack-file": { type: "string" },
        broker: { type: "string" },
        store: { type: "string" },
        bucket: { type: "string" },
        secret: { type: "string" },
        bundle: { type: "string" },
        seconds: { type: "string" },
        quiet: { type: "boolean", default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1 || positionals[0] !== "device") throw new UsageError("the one subcommand is `device`: `ferry sim device`");
  let seconds: number | undefined;
  try {
    seconds = secondsOption(values.seconds, "--seconds");
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return { target: joinTarget(values), bundle: values.bundle, id: values.id, seconds, quiet: values.quiet };
}

function joinTarget(values: { "stack-file"?: string; broker?: string; store?: string; bucket?: string; secret?: string }): JoinTarget {
  const named = values.broker !== undefined || values.store !== undefined || values.secret !== undefined;
  if (!named) return { stateFile: values["stack-file"] ?? DEFAULT_STACK_FILE };
  if (values["stack-file"] !== undefined) throw new UsageError("give either --stack-file or --broker/--store/--secret, not both");
  const secret = values.secret ?? process.env["FERRY_MASTER_SECRET"];
  if (values.broker === undefined || !/^mqtt:\/\/[^/]+:\d+\/?$/.test(values.broker)) throw new UsageError("--broker takes the stack's broker as mqtt://host:port");
  if (values.store === undefined || !/^https?:\/\/./.test(values.store)) throw new UsageError("--store takes the stack's S3 store as http://host:port");
  if (secret === undefined || secret === "") throw new UsageError("the presigner's master secret is missing: set FERRY_MASTER_SECRET (or pass --secret)");
  return {
    endpoints: {
      mqttUrl: values.broker,
      topicPrefix: DEFAULT_TOPIC_PREFIX,
      store: { endpoint: values.store.replace(/\/$/, ""), bucket: values.bucket ?? LOCAL_STORE_BUCKET, region: LOCAL_STORE_REGION },
      devicesPrefix: DEFAULT_DEVICES_PREFIX,
      masterSecret: secret,
    },
  };
}

async function follow(joined: JoinedStack, options: SimOptions, stopRequested: Promise<StopReason>, say: (text: string) => void): Promise<number> {
  const only = (id: string) => joined.devices.some((device) => device.id === id);
  const display = new ProgressDisplay(process.stdout, joined, { quiet: options.quiet, only });
  const print = (text: string) => display.print(text);
  const brokerLost = new Promise<"lost">((resolve) => joined.events.once("broker-lost", () => resolve("lost")));
  const started = Date.now();
  const device = await joined.addDevice(options.id);
  print(`ferry: ${device.id} joined the stack at ${joined.endpoints.mqttUrl} with ${device.samples.length} sample log files on its SD card`);
  let failed = false;
  const first = await Promise.race([
    joined.samplesStored([device.id], Infinity).then(
      () => "stored" as const,
      (err: Error) => {
        print(`ferry: ${err.message}`);
        return "failed" as const;
      },
    ),
    stopRequested,
    brokerLost,
  ]);
  if (first === "stored") {
    print(`ferry: all ${device.samples.length} sample files of ${device.id} stored ${((Date.now() - started) / 1000).toFixed(1)} s after it booted`);
    const summary = await joined.bucketSummary();
    const own = { ...summary, devices: summary.devices.filter((entry) => entry.device === device.id) };
    own.objects = own.devices.reduce((sum, entry) => sum + entry.objects, 0);
    own.bytes = own.devices.reduce((sum, entry) => sum + entry.bytes, 0);
    print(summaryLines(own, joined.endpoints.store.endpoint).join("\n"));
    failed = !samplesIntact(own);
    print("ferry: running; Ctrl-C to stop this device.");
  }
  const end = first === "stored" || first === "failed" ? await Promise.race([stopRequested, brokerLost]) : first;
  display.stop();
  if (end === "lost") {
    say(`ferry: lost the stack's broker at ${joined.endpoints.mqttUrl}: the stack has stopped`);
    return 1;
  }
  if (first === "stored") return failed ? 1 : 0;
  const left = device.samples.length - (joined.progress().find((progress) => progress.device === device.id)?.storedSamples.size ?? 0);
  if (first !== "failed") say(`ferry: stopped by ${first === "deadline" ? "--seconds" : "request"} with ${left} sample files still on ${device.id}'s card`);
  return first === "signal" ? 0 : 1;
}
