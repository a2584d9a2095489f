// ferry's default device app. It reads its settings from `ferry.json` in
// Storage (written by provisioning), counts boots, and prints a heartbeat
// with the engine's memory on the console.
import { memory, say } from "./platform/console.js";
import { StoredRecord } from "./platform/storage.js";
import { sleep } from "./platform/time.js";

interface AppConfig {
  deviceId?: string;
  /** Seconds between heartbeats; 0 turns them off. */
  heartbeatSeconds?: number;
}

interface BootState {
  boots: number;
}

const DEFAULT_HEARTBEAT_SECONDS = 60;

async function heartbeat(deviceId: string, seconds: number): Promise<void> {
  for (let beat = 1; ; beat++) {
    await sleep(seconds * 1000);
    const { free, total } = memory();
    say(`ferry: ${deviceId} heartbeat ${beat}, ${free}/${total} variables free`);
  }
}

function start(): void {
  const config = new StoredRecord<AppConfig>("ferry.json").read() ?? {};
  const deviceId = config.deviceId ?? "unprovisioned";
  const bootState = new StoredRecord<BootState>("ferry.boot.json");
  const boots = (bootState.read()?.boots ?? 0) + 1;
  bootState.write({ boots });
  say(`ferry: ${deviceId} up, boot ${boots}`);
  const seconds = config.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS;
  if (seconds > 0) heartbeat(deviceId, seconds).catch((err: Error) => say(`ferry: heartbeat stopped: ${err.message}`));
}

start();
