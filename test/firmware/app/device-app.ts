// The default device app (firmware/src/main.ts) as `ferry build` builds it,
// booted on emulated boards that are provisioned the way `ferry provision`
// does it: ferry.json, the device key, and for mutual TLS the client
// certificate and key as DER, all in Storage; log files on the SD card.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { MqttClient } from "mqtt";
import { onTestFinished } from "vitest";
import { CLIENT_CERT_FILE, CLIENT_KEY_FILE, CONFIG_FILE, DEVICE_KEY_FILE, type DeviceConfig } from "../../../firmware/src/app/config.js";
import type { DeviceEvent } from "../../../firmware/src/protocol/events.js";
import { buildFirmware } from "../../../host-tools/src/build/firmware.js";
import { DEFAULT_APP_ENTRY } from "../../../host-tools/src/paths.js";
import { Device, type DeviceOptions } from "../../../host-tools/src/emulator/index.js";
import { deriveDeviceKey } from "../../../host-tools/src/presigner/keys.js";
import type { ClientIdentity } from "../../support/pki.js";

let bundle: Promise<{ code: string; bytes: number }> | undefined;

/** The default app, built once per test file. */
export function defaultApp(): Promise<{ code: string; bytes: number }> {
  bundle ??= buildFirmware({ entry: DEFAULT_APP_ENTRY });
  return bundle;
}

export interface Provisioning {
  config: DeviceConfig;
  masterSecret: string;
  /** Files on the SD card, by card path ("logs/00000001.log"). */
  files?: Record<string, Buffer>;
  /** Client certificate for mutual TLS (CN = device id). */
  identity?: ClientIdentity;
  device?: DeviceOptions;
  /** Runs on the powered-off device, before the boot (to put an access point out of range, say). */
  beforeBoot?: (device: Device) => void;
}

/** A provisioned, booted device running the default app; closed when the test ends. */
export async function bootDevice(provisioning: Provisioning): Promise<Device> {
  const { code } = await defaultApp();
  const device = await Device.create(provisioning.device);
  onTestFinished(() => device.close());
  for (const [path, bytes] of Object.entries(provisioning.files ?? {})) {
    const hostPath = join(device.sdCard.root!, path);
    mkdirSync(join(hostPath, ".."), { recursive: true });
    writeFileSync(hostPath, bytes);
  }
  device.storage.write(CONFIG_FILE, JSON.stringify(provisioning.config));
  device.storage.write(DEVICE_KEY_FILE, deriveDeviceKey(provisioning.masterSecret, provisioning.config.deviceId).toString("latin1"));
  if (provisioning.identity) {
    device.storage.write(CLIENT_KEY_FILE, provisioning.identity.keyDerBinary);
    device.storage.write(CLIENT_CERT_FILE, provisioning.identity.certDerBinary);
  }
  device.install(code);
  provisioning.beforeBoot?.(device);
  device.boot();
  return device;
}

/** Names in a card folder; [] when the folder does not exist. */
export function cardFiles(device: Device, dir: string): string[] {
  try {
    return readdirSync(join(device.sdCard.root!, dir)).sort();
  } catch {
    return [];
  }
}

/** What a watcher subscribed to `<prefix>/<dev>/#` heard from the device. */
export class DeviceWatch {
  readonly events: DeviceEvent[] = [];
  readonly states: { payload: string; retain: boolean }[] = [];
  private readonly waiters: (() => void)[] = [];

  constructor(client: MqttClient, prefix: string, deviceId: string) {
    client.on("message", (topic, payload, packet) => {
      if (topic === `${prefix}/${deviceId}/event`) this.events.push(JSON.parse(payload.toString("latin1")) as DeviceEvent);
      else if (topic === `${prefix}/${deviceId}/state`) this.states.push({ payload: payload.toString("latin1"), retain: packet.retain });
      else return;
      for (const waiter of this.waiters.splice(0)) waiter();
    });
  }

  /** Resolves once `done` holds for what was heard. */
  until(done: (watch: DeviceWatch) => boolean, timeoutMs: number, device: Device): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the device did not get there within ${timeoutMs} ms; heard ${JSON.stringify(this.events)}; its console ends:\n${device.output.slice(-3000)}`)),
        timeoutMs,
      );
      const check = (): void => {
        if (done(this)) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  /** Upload events with outcome "stored", by card path. */
  stored(): string[] {
    return this.events.filter((event) => event.type === "upload" && event.outcome === "stored").map((event) => (event as { file: string }).file);
  }
}

/** The object's bytes; undefined when there is none. */
export async function storedObject(s3: S3Client, bucket: string, key: string): Promise<Buffer | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
    throw error;
  }
}
