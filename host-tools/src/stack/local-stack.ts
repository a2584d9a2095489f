// The whole job on one machine, in one process, with nothing installed but
// npm packages: the aedes broker, the s3rver store, the real presigner, and
// emulated devices running the real app bundle. `ferry start` runs it and
// the tests drive it; `ferry sim device` joins it through its state file.
import type { EventEmitter } from "node:events";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildFirmware } from "../build/firmware.js";
import type { LocalBroker } from "../local/broker.js";
import type { LocalStore } from "../local/store.js";
import { DEFAULT_APP_ENTRY } from "../paths.js";
import { validateConfig } from "../presigner/config.js";
import { Logger, type LogSink } from "../presigner/log.js";
import { startPresigner, type RunningPresigner } from "../presigner/presigner.js";
import type { BucketSummary } from "./bucket-summary.js";
import { Fleet, type StackEvents } from "./fleet.js";
import type { DeviceProgress } from "./progress.js";
import type { SimDevice } from "./sim-device.js";
import { liveStackState, removeStackState, STATE_FILE_NAME, writeStackState, type StackEndpoints } from "./state-file.js";

export interface LocalStackOptions {
  /** Emulated devices to start with, `sim-1` to `sim-<n>`; default 3. */
  devices?: number;
  /** The app bundle; default: firmware/src/main.ts built now. */
  bundle?: string;
  /** Holds stack.json, app.js, the cards and the consoles; default: a temporary folder, removed on stop. */
  workDir?: string;
  /** Seconds between the devices' upload rounds; default 5. */
  uploadIntervalSeconds?: number;
  /** Lifetime of presigned URLs; default 60 s, short so an expired URL shows up in a demo, not in an hour. */
  expirySeconds?: number;
  /** 0 (the default) picks free ports. */
  mqttPort?: number;
  s3Port?: number;
  /** The presigner's JSON log lines; dropped when omitted. */
  presignerLog?: LogSink;
  /** Write each device's console to `<workDir>/<id>.console.log`. */
  consoleFiles?: boolean;
}

export interface LocalStack {
  readonly broker: LocalBroker;
  readonly store: LocalStore;
  readonly presigner: RunningPresigner;
  readonly endpoints: StackEndpoints;
  /** Lifetime of the presigned URLs the devices get. */
  readonly expirySeconds: number;
  /** The file `ferry sim device` reads to join: `<workDir>/stack.json`. */
  readonly stateFile: string;
  readonly workDir: string;
  /** This process's devices, in the order they were added. */
  readonly devices: readonly SimDevice[];
  readonly events: EventEmitter<StackEvents>;
  /** Boots one more device (`sim-<n+1>` unless named) with its own card of sample logs. */
  addDevice(id?: string): Promise<SimDevice>;
  /** Every device seen on the broker, this process's and those that joined. */
  progress(): DeviceProgress[];
  /** Resolves once every sample file of this process's devices (or of `devices`) is stored. */
  samplesStored(devices?: readonly string[], timeoutMs?: number): Promise<void>;
  bucketSummary(): Promise<BucketSummary>;
  /** Stops devices, watcher, presigner, broker and store; removes the state file and temporary folders. */
  stop(): Promise<void>;
}

export const DEFAULT_DEVICE_COUNT = 3;
const DEFAULT_UPLOAD_INTERVAL_SECONDS = 5;
const DEFAULT_EXPIRY_SECONDS = 60;
const BUNDLE_FILE_NAME = "app.js";

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const count = options.devices ?? DEFAULT_DEVICE_COUNT;
  if (!Number.isInteger(count) || count < 0) throw new Error(`devices must be a whole number of devices, got ${count}`);
  const bundle = options.bundle ?? (await buildFirmware({ entry: DEFAULT_APP_ENTRY })).code;
  const temporary = options.workDir === undefined ? await mkdtemp(join(tmpdir(), "ferry-stack-")) : undefined;
  const workDir = resolve(options.workDir ?? temporary!);
  const stateFile = join(workDir, STATE_FILE_NAME);
  const running = liveStackState(stateFile);
  // A second stack in the same folder would take over the first one's cards.
  if (running) throw new Error(`a local stack already runs from ${workDir} (process ${running.pid}): stop it, or start this one in another folder`);
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
  };
  if (temporary !== undefined) cleanups.push(() => rm(temporary, { recursive: true, force: true }));
  try {
    const config = validateConfig(
      {
        devices: "*",
        mqtt: { url: "local" },
        s3: { endpoint: "local" },
        limits: { expirySeconds: options.expirySeconds ?? DEFAULT_EXPIRY_SECONDS },
        // Devices presign over MQTT; an open HTTP endpoint would only widen what a local stack exposes.
        http: false,
        local: { mqttPort: options.mqttPort ?? 0, s3Port: options.s3Port ?? 0 },
      },
      "the local stack",
    );
    const log = new Logger(options.presignerLog ?? { write: () => true }, "info");
    const presigner = await startPresigner(config, { log });
    cleanups.push(() => presigner.close());
    const broker = presigner.localBroker!;
    const store = presigner.localStore!;
    const endpoints: StackEndpoints = {
      mqttUrl: broker.url,
      topicPrefix: config.topicPrefix,
      store: { endpoint: store.endpoint, bucket: store.bucket, region: store.region },
      devicesPrefix: config.s3.devicesPrefix,
      masterSecret: config.masterSecret,
    };
    const bundleFile = join(workDir, BUNDLE_FILE_NAME);
    await mkdir(workDir, { recursive: true });
    await writeFile(bundleFile, bundle);
    cleanups.push(() => rm(bundleFile, { force: true }));
    writeStackState(stateFile, { ...endpoints, pid: process.pid, startedAt: new Date().toISOString(), devices: [], bundleFile });
    cleanups.push(() => removeStackState(stateFile));
    const fleet = await Fleet.watch({
      endpoints,
      bundle,
      uploadIntervalSeconds: options.uploadIntervalSeconds ?? DEFAULT_UPLOAD_INTERVAL_SECONDS,
      workDir,
      consoleFiles: options.consoleFiles ?? false,
      stateFile,
    });
    cleanups.push(() => fleet.close());
    for (let i = 0; i < count; i++) await fleet.addDevice();
    return {
      broker,
      store,
      presigner,
      endpoints,
      expirySeconds: config.limits.expirySeconds,
      stateFile,
      workDir,
      get devices() {
        return fleet.devices;
      },
      events: fleet.events,
      addDevice: (id) => fleet.addDevice(id),
      progress: () => fleet.progress(),
      samplesStored: (devices, timeoutMs) => fleet.samplesStored(devices, timeoutMs),
      bucketSummary: () => fleet.bucketSummary(),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
