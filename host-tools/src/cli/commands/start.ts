import { parseArgs } from "node:util";
import { buildFirmware } from "../../build/firmware.js";
import { Device } from "../../emulator/index.js";
import { DEFAULT_APP_ENTRY } from "../../paths.js";
import type { Command } from "../command.js";

export const command: Command = {
  summary: "build the default device app and run it on an emulated board (what `npm start` runs)",
  usage: `Usage: ferry start [options]

Builds firmware/src/main.ts, provisions an emulated ESP32 with it, and shows
the device console until you press Ctrl-C.

Options:
      --seconds <n>    stop after n seconds instead of waiting for Ctrl-C
      --heartbeat <n>  seconds between the app's heartbeats (default 2)
`,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        seconds: { type: "string" },
        heartbeat: { type: "string", default: "2" },
      },
    });
    const heartbeatSeconds = Number(values.heartbeat);
    if (!Number.isFinite(heartbeatSeconds) || heartbeatSeconds < 0) throw new Error("--heartbeat takes a number of seconds");
    const seconds = values.seconds === undefined ? undefined : Number(values.seconds);
    if (seconds !== undefined && !(seconds > 0)) throw new Error("--seconds takes a positive number");

    process.stdout.write("ferry: building the device app...\n");
    const build = await buildFirmware({ entry: DEFAULT_APP_ENTRY });
    process.stdout.write(`ferry: app bundle ${build.bytes.toLocaleString("en-US")} bytes, passes the Espruino gate\n`);

    const device = await Device.create({ sdPath: null, onConsole: (text) => process.stdout.write(text) });
    device.storage.write("ferry.json", JSON.stringify({ deviceId: "sim-1", heartbeatSeconds }));
    device.install(build.code);
    process.stdout.write("ferry: booting emulated ESP32 sim-1 (Ctrl-C to stop)\n");
    device.boot();

    await new Promise<void>((resolve) => {
      const timer = seconds === undefined ? undefined : setTimeout(resolve, seconds * 1000);
      process.once("SIGINT", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await device.close();
    process.stdout.write("\nferry: stopped\n");
    return device.outOfMemory ? 1 : 0;
  },
};
