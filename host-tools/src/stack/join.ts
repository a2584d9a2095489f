// Joining a running local stack from another process, as `ferry sim device`
// does: the servers stay where they are; this side adds devices and follows
// reports. The same Fleet runs the stack's own devices.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { buildFirmware } from "../build/firmware.js";
import { DEFAULT_APP_ENTRY } from "../paths.js";
import { Fleet } from "./fleet.js";
import { readStackState, type StackEndpoints } from "./state-file.js";

export type JoinTarget = { stateFile: string } | { endpoints: StackEndpoints };

export interface JoinOptions {
  /** The app bundle; default: the one the stack's devices run, or firmware/src/main.ts built now without a state file. */
  bundle?: string;
  uploadIntervalSeconds?: number;
  /** Cards and consoles; default: beside the state file, or a temporary folder without one. */
  workDir?: string;
  consoleFiles?: boolean;
}

export type JoinedStack = Pick<Fleet, "events" | "devices" | "addDevice" | "progress" | "samplesStored" | "bucketSummary"> & {
  readonly endpoints: StackEndpoints;
  /** Powers off the devices this side added; the stack keeps running. */
  leave(): Promise<void>;
};

const DEFAULT_UPLOAD_INTERVAL_SECONDS = 5;

export async function joinLocalStack(target: JoinTarget, options: JoinOptions = {}): Promise<JoinedStack> {
  const stateFile = "stateFile" in target ? resolve(target.stateFile) : undefined;
  const state = stateFile === undefined ? undefined : readStackState(stateFile);
  const endpoints = state ?? (target as { endpoints: StackEndpoints }).endpoints;
  const bundle = options.bundle ?? (state ? await stackBundle(state.bundleFile) : (await buildFirmware({ entry: DEFAULT_APP_ENTRY })).code);
  const temporary = options.workDir === undefined && stateFile === undefined ? await mkdtemp(join(tmpdir(), "ferry-join-")) : undefined;
  const workDir = resolve(options.workDir ?? temporary ?? dirname(stateFile!));
  let fleet: Fleet;
  try {
    fleet = await Fleet.watch({
      endpoints: {
        mqttUrl: endpoints.mqttUrl,
        topicPrefix: endpoints.topicPrefix,
        store: endpoints.store,
        devicesPrefix: endpoints.devicesPrefix,
        masterSecret: endpoints.masterSecret,
      },
      bundle,
      uploadIntervalSeconds: options.uploadIntervalSeconds ?? DEFAULT_UPLOAD_INTERVAL_SECONDS,
      workDir,
      consoleFiles: options.consoleFiles ?? false,
      stateFile,
    });
  } catch (err) {
    if (temporary !== undefined) await rm(temporary, { recursive: true, force: true });
    throw err;
  }
  return {
    endpoints,
    events: fleet.events,
    get devices() {
      return fleet.devices;
    },
    addDevice: (id) => fleet.addDevice(id),
    progress: () => fleet.progress(),
    samplesStored: (devices, timeoutMs) => fleet.samplesStored(devices, timeoutMs),
    bucketSummary: () => fleet.bucketSummary(),
    async leave() {
      await fleet.close();
      if (temporary !== undefined) await rm(temporary, { recursive: true, force: true });
    },
  };
}

async function stackBundle(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw new Error(`cannot read the stack's app bundle ${path} (${(err as NodeJS.ErrnoException).code ?? "error"}): restart the stack with \`npm start\``);
  }
}
