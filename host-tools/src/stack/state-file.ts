// The running local stack, described in a small JSON file so that
// `ferry sim device` in another terminal can join it: where the broker and
// the store listen, and the master secret its devices' keys come from. The
// secret is the built-in development one, which the presigner accepts only
// with in-process peers (docs/presigner.md); the file is removed on stop.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** Where `ferry start` keeps its files, under the folder it runs in. */
export const DEFAULT_WORK_DIR = ".ferry";
export const STATE_FILE_NAME = "stack.json";
/** Where `ferry sim device` looks for a stack to join. */
export const DEFAULT_STACK_FILE = `${DEFAULT_WORK_DIR}/${STATE_FILE_NAME}`;

/** Everything a device and its watcher need to join: no server of the stack is needed in-process. */
export interface StackEndpoints {
  /** mqtt://127.0.0.1:<port>, no TLS. */
  mqttUrl: string;
  topicPrefix: string;
  store: { endpoint: string; bucket: string; region: string };
  /** Uploads land under `<devicesPrefix>/<dev>/`. */
  devicesPrefix: string;
  masterSecret: string;
}

export interface StackState extends StackEndpoints {
  /** The process running the servers; a file whose process is gone is stale. */
  pid: number;
  startedAt: string;
  /** Every device id given out so far, so a device that joins takes a fresh one. */
  devices: string[];
  /** The app bundle the stack's devices run, so a device that joins runs the same app. */
  bundleFile: string;
}

export function writeStackState(path: string, state: StackState): void {
  mkdirSync(dirname(path), { recursive: true });
  // Written whole and renamed into place: a joining process never reads half a file.
  const partial = `${path}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(partial, path);
}

/** Reads the state of a running stack; the error says how to start one. */
export function readStackState(path: string): StackState {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`cannot read ${path}: ${(err as Error).message}`);
    throw new Error(`no local stack is running here (${path} does not exist): start one with \`npm start\` in this folder, or pass --stack-file`);
  }
  const state = parseState(text);
  if (!state) throw new Error(`${path} is not a ferry stack file: stop whatever wrote it and start the stack again with \`npm start\``);
  if (!processAlive(state.pid)) {
    throw new Error(`the stack that wrote ${path} (process ${state.pid}) is no longer running: start it again with \`npm start\``);
  }
  return state;
}

/** The stack that wrote `path`, if that file exists and its process still runs. */
export function liveStackState(path: string): StackState | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  const state = parseState(text);
  return state && processAlive(state.pid) ? state : undefined;
}

/** Records `id` as taken; false when it already was. */
export function claimDeviceId(path: string, id: string): boolean {
  const state = readStackState(path);
  if (state.devices.includes(id)) return false;
  writeStackState(path, { ...state, devices: [...state.devices, id] });
  return true;
}

/** The first `sim-<n>` the file does not list yet. */
export function nextDeviceId(path: string): string {
  const taken = new Set(readStackState(path).devices);
  let n = 1;
  while (taken.has(`sim-${n}`)) n++;
  return `sim-${n}`;
}

export function removeStackState(path: string): void {
  rmSync(path, { force: true });
}

function parseState(text: string): StackState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const state = value as Partial<StackState> | null;
  if (
    typeof state !== "object" ||
    state === null ||
    typeof state.mqttUrl !== "string" ||
    typeof state.topicPrefix !== "string" ||
    typeof state.store?.endpoint !== "string" ||
    typeof state.devicesPrefix !== "string" ||
    typeof state.masterSecret !== "string" ||
    typeof state.pid !== "number" ||
    typeof state.bundleFile !== "string" ||
    !Array.isArray(state.devices)
  ) {
    return undefined;
  }
  return state as StackState;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
