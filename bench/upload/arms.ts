/**
 * The two arms of bench/upload, each on a fresh emulated board with the same
 * file on its SD card:
 *
 * - the uploader: the default app as provisioned for a real board, timed
 *   from the presign reply reaching the broker's subscribers to the file
 *   leaving the card: checking the reply's MAC, connecting, the PUT, the
 *   ranged-GET size check, retiring the file;
 * - the socket loop (test/fixtures/firmware/socket-loop.ts): the same file,
 *   the same chunk size, each chunk written on `drain`, as one raw PUT to a
 *   presigned URL on the same store, timed from its first console line (just
 *   before it connects) to its last (the answer's status line).
 */
import { performance } from "node:perf_hooks";
import { existsSync, mkdirSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import { basename, join } from "node:path";
import mqtt from "mqtt";
import { CONFIG_FILE, DEVICE_KEY_FILE, type DeviceConfig } from "../../firmware/src/app/config.js";
import type { DeviceEvent } from "../../firmware/src/protocol/events.js";
import { eventTopic, presignReplyTopic } from "../../firmware/src/protocol/topics.js";
import { Device } from "../../host-tools/src/emulator/index.js";
import { deriveDeviceKey } from "../../host-tools/src/presigner/keys.js";

/** The file both arms send, as the logger would have named it. */
export const CARD_FILE = "/logs/00000001.log";
/** Long enough for 10 MB on a slow, shared machine; a stuck arm fails the benchmark. */
const ARM_DEADLINE_MS = 300_000;

export interface ArmTiming {
  readonly ms: number;
  /** The engine's idle passes over the sockets while the arm was timed (536 bytes leave per pass at most). */
  readonly passes: number;
  /** CPU time this process used meanwhile (the emulated board, its sockets, the host side of the arm). */
  readonly cpuMs: number;
}

/** Starts a stopwatch for wall time, passes and this process's CPU time. */
function stopwatch(device: Device): () => ArmTiming {
  const wall = performance.now();
  const passes = device.sockets?.passes ?? 0;
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { ms: performance.now() - wall, passes: (device.sockets?.passes ?? 0) - passes, cpuMs: (used.user + used.system) / 1000 };
  };
}

export interface UploaderArm {
  readonly app: string;
  readonly deviceId: string;
  readonly masterSecret: string;
  readonly broker: { host: string; port: number };
  readonly data: Buffer;
}

export async function timeUploader(arm: UploaderArm): Promise<ArmTiming> {
  const watcher = await mqtt.connectAsync(`mqtt://${arm.broker.host}:${arm.broker.port}`, { clientId: `bench-watch-${arm.deviceId}` });
  const device = await Device.create();
  let cardWatch: FSWatcher | undefined;
  try {
    const replies = presignReplyTopic("ferry", arm.deviceId);
    await watcher.subscribeAsync([replies, eventTopic("ferry", arm.deviceId)], { qos: 1 });
    putOnCard(device, arm.data);
    const config: DeviceConfig = {
      deviceId: arm.deviceId,
      mqtt: { host: arm.broker.host, port: arm.broker.port, tls: false },
      tlsSessions: device.board.tlsSessions,
      // One round is all the benchmark needs; the first comes soon after MQTT connects.
      upload: { intervalSeconds: 600 },
    };
    device.storage.write(CONFIG_FILE, JSON.stringify(config));
    device.storage.write(DEVICE_KEY_FILE, deriveDeviceKey(arm.masterSecret, arm.deviceId).toString("latin1"));
    device.install(arm.app);
    const hostFile = join(device.sdCard.root!, CARD_FILE);
    const timing = new Promise<ArmTiming>((resolve, reject) => {
      let stop: (() => ArmTiming) | undefined;
      failOnUncaught(device, reject);
      // From the moment the device has its URL (its MQTT subscription and the
      // watcher's get the reply alike) to the moment the file leaves the card.
      watcher.on("message", (topic, payload) => {
        const text = payload.toString("latin1");
        if (topic === replies) {
          if ((JSON.parse(text) as { key?: string }).key === CARD_FILE.slice(1)) stop ??= stopwatch(device);
          return;
        }
        const event = JSON.parse(text) as DeviceEvent;
        if (event.type === "upload" && event.file === CARD_FILE && event.outcome !== "stored") {
          reject(new Error(`the uploader did not store the file: ${text}\n${device.output.slice(-2000)}`));
        }
      });
      cardWatch = watch(join(hostFile, ".."), (_, name) => {
        if (name !== basename(CARD_FILE) || existsSync(hostFile) || stop === undefined) return;
        resolve(stop());
      });
    });
    device.boot();
    return await deadline(timing, () => `the uploader did not finish in ${ARM_DEADLINE_MS / 1000} s; its console ends:\n${device.output.slice(-2000)}`);
  } finally {
    cardWatch?.close();
    await device.close();
    await watcher.endAsync();
  }
}

export interface SocketLoopArm {
  readonly loop: string;
  /** A presigned PUT for exactly `data.length` bytes. */
  readonly url: string;
  readonly data: Buffer;
  readonly chunkSize: number;
}

export async function timeSocketLoop(arm: SocketLoopArm): Promise<ArmTiming> {
  const device = await Device.create();
  try {
    putOnCard(device, arm.data);
    const url = new URL(arm.url);
    device.storage.write(
      "socket-loop.json",
      JSON.stringify({
        host: url.hostname,
        port: Number(url.port || (url.protocol === "https:" ? 443 : 80)),
        tls: url.protocol === "https:",
        target: url.pathname + url.search,
        authority: url.host,
        file: CARD_FILE,
        size: arm.data.length,
        chunkSize: arm.chunkSize,
      }),
    );
    device.install(arm.loop);
    const timing = new Promise<ArmTiming>((resolve, reject) => {
      let stop: (() => ArmTiming) | undefined;
      failOnUncaught(device, reject);
      device.on("console", (text: string) => {
        if (text.includes("socket-loop: start")) stop = stopwatch(device);
        const done = /socket-loop: (done|failed|no) ([^\n]*)/.exec(text);
        if (!done) return;
        if (done[1] === "done" && / 200 /.test(done[2]!) && stop !== undefined) resolve(stop());
        else reject(new Error(`the socket loop failed: ${done[0]}`));
      });
    });
    device.boot();
    return await deadline(timing, () => `the socket loop did not finish in ${ARM_DEADLINE_MS / 1000} s; its console ends:\n${device.output.slice(-2000)}`);
  } finally {
    await device.close();
  }
}

/** An uncaught error ends the arm at once: the board's code has stopped where it was. */
function failOnUncaught(device: Device, reject: (error: Error) => void): void {
  device.on("console", () => {
    if (device.output.includes("Uncaught")) reject(new Error(`the board reported an uncaught error; its console ends:\n${device.output.slice(-2000)}`));
  });
}

function putOnCard(device: Device, data: Buffer): void {
  const path = join(device.sdCard.root!, CARD_FILE);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, data);
}

async function deadline<T>(work: Promise<T>, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message())), ARM_DEADLINE_MS)))]);
  } finally {
    clearTimeout(timer);
  }
}
